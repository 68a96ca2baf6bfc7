"""The local Slack Web API double, exercised through slack_sdk's real WebClient."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from rich.console import Console
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.models.blocks import HeaderBlock, SectionBlock
from slack_sdk.web import SlackResponse

from warwatch.demo.slack_double import RateLimit, SlackDouble

from support.slack import calls_to, pacing_violations

TOKEN = "xoxb-test"


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    channels = {"C0NEWS": "war-news", "C0OLD": "#old-news", "C0PRIV": "private"}
    with SlackDouble(
        tokens={TOKEN}, channels=channels, archived={"#old-news"}, not_member={"C0PRIV"}, revoked={"xoxb-revoked"}
    ) as double:
        yield double


@pytest.fixture
def client(slack: SlackDouble) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.base_url)


def api_error(call: Any, **kwargs: Any) -> SlackResponse:
    """The response carried by the SlackApiError a WebClient call raises."""
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return info.value.response


def raw_post(slack: SlackDouble, method: str, body: bytes, content_type: str, headers: dict | None = None) -> dict:
    """POST a hand-built body, bypassing slack_sdk."""
    request = urllib.request.Request(
        slack.base_url + method, data=body, headers={"Content-Type": content_type, **(headers or {})}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# -- auth ------------------------------------------------------------------------


def test_base_url_and_defaults() -> None:
    with SlackDouble() as slack:
        assert slack.base_url.startswith("http://127.0.0.1:") and slack.base_url.endswith("/api/")
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        assert client.chat_postMessage(channel="#war-news", text="hi")["channel"] == "C0NEWS"


def test_auth_test_ok(slack: SlackDouble, client: WebClient) -> None:
    response = client.auth_test()
    assert response["ok"] and response["user_id"] and response["team_id"] and response["bot_id"]
    [call] = slack.calls
    assert (call.method, call.token, call.status, call.error) == ("auth.test", TOKEN, 200, None)


@pytest.mark.parametrize(
    ("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed"), ("xoxb-revoked", "token_revoked")]
)
def test_auth_errors(slack: SlackDouble, token: str | None, error: str) -> None:
    resp = api_error(WebClient(token=token, base_url=slack.base_url).auth_test)
    assert resp.status_code == 200
    assert resp["error"] == error
    assert slack.calls[-1].error == error


def test_token_as_form_parameter_with_json_strings_for_blocks_and_metadata(slack: SlackDouble) -> None:
    blocks = json.dumps([section("*Kharkiv*: strikes reported")])
    metadata = json.dumps({"event_type": "story_posted", "event_payload": {"story_id": 7}})
    body = urllib.parse.urlencode(
        {"token": TOKEN, "channel": "war-news", "text": "fallback", "blocks": blocks, "metadata": metadata}
    ).encode()
    response = raw_post(slack, "chat.postMessage", body, "application/x-www-form-urlencoded")
    assert response["ok"], response
    [message] = slack.messages("C0NEWS")
    assert message.blocks == json.loads(blocks)
    assert message.metadata == {"event_type": "story_posted", "event_payload": {"story_id": 7}}
    assert "token" not in slack.calls[-1].params and slack.calls[-1].token == TOKEN


def test_raw_json_body_and_bad_bodies(slack: SlackDouble) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    body = json.dumps({"channel": "C0NEWS", "text": "json body"}).encode()
    assert raw_post(slack, "chat.postMessage", body, "application/json; charset=utf-8", bearer)["ok"]
    assert raw_post(slack, "chat.postMessage", b"{not json", "application/json", bearer)["error"] == "invalid_json"
    assert raw_post(slack, "chat.postMessage", b"[1]", "application/json", bearer)["error"] == "json_not_object"
    form = b"channel=C0NEWS&text=x&blocks=%5Bnope"
    assert raw_post(slack, "chat.postMessage", form, "application/x-www-form-urlencoded", bearer)["error"] == (
        "invalid_blocks_format"
    )
    assert [m.text for m in slack.messages("C0NEWS")] == ["json body"]


def test_unknown_method(client: WebClient) -> None:
    assert api_error(client.api_call, api_method="chat.delete")["error"] == "unknown_method"


# -- chat.postMessage --------------------------------------------------------------


def test_post_text_by_name_and_id(slack: SlackDouble, client: WebClient) -> None:
    first = client.chat_postMessage(channel="#war-news", text="Shelling near the bridge")
    second = client.chat_postMessage(channel="C0NEWS", text="Ceasefire talks resume", unfurl_links=False)
    assert first["channel"] == second["channel"] == "C0NEWS"
    assert first["message"]["text"] == "Shelling near the bridge"
    messages = slack.messages("war-news")
    assert [m.text for m in messages] == ["Shelling near the bridge", "Ceasefire talks resume"]
    assert [m.ts for m in messages] == [first["ts"], second["ts"]]
    assert slack.calls[-1].params["unfurl_links"] is False


def test_post_blocks_from_slack_sdk_models(slack: SlackDouble, client: WebClient) -> None:
    blocks = [HeaderBlock(text="Port strike"), SectionBlock(text="*Three* outlets report damage")]
    response = client.chat_postMessage(channel="C0NEWS", text="Port strike", blocks=blocks)
    [message] = slack.messages("C0NEWS")
    assert message.blocks == [b.to_dict() for b in blocks]
    assert response["message"]["blocks"] == message.blocks


def test_thread_reply_with_broadcast(slack: SlackDouble, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0NEWS", text="Story")["ts"]
    quiet = client.chat_postMessage(channel="C0NEWS", text="more coverage", thread_ts=parent)
    loud = client.chat_postMessage(channel="C0NEWS", text="contradiction!", thread_ts=parent, reply_broadcast=True)
    assert loud["message"]["thread_ts"] == parent and loud["message"]["subtype"] == "thread_broadcast"
    assert [r.text for r in slack.replies("C0NEWS", parent)] == ["more coverage", "contradiction!"]
    assert [r.reply_broadcast for r in slack.messages("C0NEWS")[0].replies] == [False, True]
    assert [b.ts for b in slack.broadcasts] == [loud["ts"]]
    history = client.conversations_history(channel="C0NEWS")["messages"]
    assert [m["ts"] for m in history] == [loud["ts"], parent]  # quiet replies stay in the thread
    assert history[1]["reply_count"] == 2 and history[1]["latest_reply"] == loud["ts"]
    assert quiet["ts"] not in {m["ts"] for m in history}


def test_thread_not_found(slack: SlackDouble, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0NEWS", text="Story")["ts"]
    reply = client.chat_postMessage(channel="C0NEWS", text="reply", thread_ts=parent)["ts"]
    for thread_ts in ("1000000000.000001", reply):
        resp = api_error(client.chat_postMessage, channel="C0NEWS", text="x", thread_ts=thread_ts)
        assert resp["error"] == "thread_not_found"
    assert len(slack.replies("C0NEWS", parent)) == 1


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C0NOPE", "channel_not_found"),
        ("#nope", "channel_not_found"),
        ("#old-news", "is_archived"),
        ("private", "not_in_channel"),
    ],
)
def test_channel_errors(slack: SlackDouble, client: WebClient, channel: str, error: str) -> None:
    assert api_error(client.chat_postMessage, channel=channel, text="x")["error"] == error
    assert all(not slack.messages(cid) for cid in slack.channels)


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_text_rules(client: WebClient) -> None:
    assert api_error(client.chat_postMessage, channel="C0NEWS", text="")["error"] == "no_text"
    assert api_error(client.chat_postMessage, channel="C0NEWS", text="x" * 40_001)["error"] == "msg_too_long"
    assert client.chat_postMessage(channel="C0NEWS", text="x" * 40_000)["ok"]


@pytest.mark.parametrize(
    ("blocks", "ok"),
    [
        ([section("x")] * 50, True),
        ([section("x")] * 51, False),
        ([section("x" * 3_000)], True),
        ([section("x" * 3_001)], False),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 150}}], True),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], False),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}], False),
        ([{"text": {"type": "mrkdwn", "text": "no type"}}], False),
        ([{"type": "carousel"}], False),
        (["section"], False),
        ([{"type": "section"}], False),
        ([{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}], False),
    ],
)
def test_block_limits(slack: SlackDouble, client: WebClient, blocks: list, ok: bool) -> None:
    if ok:
        assert client.chat_postMessage(channel="C0NEWS", text="t", blocks=blocks)["ok"]
    else:
        resp = api_error(client.chat_postMessage, channel="C0NEWS", text="t", blocks=blocks)
        assert resp["error"] == "invalid_blocks"
        assert slack.messages("C0NEWS") == []


def test_metadata_must_have_event_type_and_payload(client: WebClient) -> None:
    resp = api_error(client.chat_postMessage, channel="C0NEWS", text="x", metadata={"event_type": "story_posted"})
    assert resp["error"] == "invalid_metadata_format"


def test_ts_values_are_unique_and_increasing(slack: SlackDouble, client: WebClient) -> None:
    results: list[str] = []

    def post(i: int) -> None:
        results.append(client.chat_postMessage(channel="C0NEWS", text=f"m{i}")["ts"])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = [m.ts for m in slack.messages("C0NEWS")]
    assert sorted(results) == sorted(stored) and len(set(stored)) == 20
    assert stored == sorted(stored, key=Decimal)
    assert all(len(ts.split(".")[1]) == 6 for ts in stored)


# -- chat.update -----------------------------------------------------------------


def test_chat_update(slack: SlackDouble, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0NEWS", text="3 killed")["ts"]
    response = client.chat_update(channel="#war-news", ts=ts, text="5 killed", blocks=[section("5 killed")])
    assert response["ts"] == ts and response["text"] == "5 killed"
    [message] = slack.messages("C0NEWS")
    assert message.text == "5 killed" and message.blocks == [section("5 killed")]
    [edit] = message.edits
    assert (edit.old_text, edit.new_text, edit.old_blocks) == ("3 killed", "5 killed", None)
    assert Decimal(edit.ts) > Decimal(ts)
    assert client.conversations_history(channel="C0NEWS")["messages"][0]["edited"]["ts"] == edit.ts
    assert api_error(client.chat_update, channel="C0NEWS", ts="1.000001", text="x")["error"] == "message_not_found"
    assert api_error(client.chat_update, channel="C0NOPE", ts=ts, text="x")["error"] == "channel_not_found"
    assert api_error(client.chat_update, channel="C0NEWS", ts=ts, text="x" * 40_001)["error"] == "msg_too_long"


# -- conversations.history ----------------------------------------------------------


def test_history_metadata(client: WebClient) -> None:
    metadata = {"event_type": "story_posted", "event_payload": {"story_id": 42, "sources": 3}}
    client.chat_postMessage(channel="C0NEWS", text="with metadata", metadata=metadata)
    client.chat_postMessage(channel="C0NEWS", text="without")
    with_meta = client.conversations_history(channel="C0NEWS", include_all_metadata=True)["messages"]
    assert "metadata" not in with_meta[0] and with_meta[1]["metadata"] == metadata
    plain = client.conversations_history(channel="C0NEWS")["messages"]
    assert all("metadata" not in m for m in plain)


def test_history_pagination_and_bounds(client: WebClient) -> None:
    ts = [client.chat_postMessage(channel="C0NEWS", text=f"m{i}")["ts"] for i in range(5)]
    first = client.conversations_history(channel="C0NEWS", limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"] and first["has_more"]
    second = client.conversations_history(channel="C0NEWS", limit=2, cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    pages = [[m["text"] for m in page["messages"]] for page in client.conversations_history(channel="C0NEWS", limit=2)]
    assert pages == [["m4", "m3"], ["m2", "m1"], ["m0"]]
    last = client.conversations_history(channel="C0NEWS", limit=2, cursor=second["response_metadata"]["next_cursor"])
    assert not last["has_more"] and last["response_metadata"]["next_cursor"] == ""
    between = client.conversations_history(channel="C0NEWS", oldest=ts[1], latest=ts[3])["messages"]
    assert [m["text"] for m in between] == ["m2"]
    inclusive = client.conversations_history(channel="C0NEWS", oldest=ts[1], latest=ts[3], inclusive=True)["messages"]
    assert [m["text"] for m in inclusive] == ["m3", "m2", "m1"]
    assert api_error(client.conversations_history, channel="C0NEWS", cursor="bogus!")["error"] == "invalid_cursor"
    assert api_error(client.conversations_history, channel="private")["error"] == "not_in_channel"
    assert api_error(client.conversations_history, channel="C0NOPE")["error"] == "channel_not_found"


# -- conversations.replies -----------------------------------------------------------

STORY_META = {"event_type": "story_posted", "event_payload": {"story_id": 42}}
SOURCE_META = {"event_type": "source_added", "event_payload": {"story_id": 42, "article_id": 7}}


def thread(client: WebClient, replies: int) -> tuple[str, list[str]]:
    """Post a parent and ``replies`` replies in C0NEWS; returns (parent ts, reply ts values)."""
    parent = client.chat_postMessage(channel="C0NEWS", text="Story: port strike", metadata=STORY_META)["ts"]
    ts = [client.chat_postMessage(channel="C0NEWS", text=f"r{i}", thread_ts=parent)["ts"] for i in range(replies)]
    return parent, ts


def test_replies_parent_first_then_replies_oldest_first(slack: SlackDouble, client: WebClient) -> None:
    parent, ts = thread(client, 2)
    loud = client.chat_postMessage(channel="C0NEWS", text="claims differ", thread_ts=parent, reply_broadcast=True)
    response = client.conversations_replies(channel="C0NEWS", ts=parent)
    messages = response["messages"]
    assert [m["ts"] for m in messages] == [parent, *ts, loud["ts"]]
    assert [m["text"] for m in messages] == ["Story: port strike", "r0", "r1", "claims differ"]
    assert all(m["thread_ts"] == parent for m in messages)
    assert all(m["user"] and m["bot_id"] for m in messages)
    assert messages[0]["reply_count"] == 3 and messages[0]["latest_reply"] == loud["ts"]
    assert messages[3]["subtype"] == "thread_broadcast"
    assert not response["has_more"] and response["response_metadata"]["next_cursor"] == ""
    assert "metadata" not in messages[0]
    assert slack.calls[-1].method == "conversations.replies" and slack.calls[-1].error is None


def test_replies_metadata_on_parent_and_replies(slack: SlackDouble, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0NEWS", text="Story", metadata=STORY_META)["ts"]
    reply = client.chat_postMessage(channel="C0NEWS", text="source", thread_ts=parent, metadata=SOURCE_META)
    client.chat_postMessage(channel="C0NEWS", text="no metadata", thread_ts=parent)
    assert reply["message"]["metadata"] == SOURCE_META
    assert [r.metadata for r in slack.replies("C0NEWS", parent)] == [SOURCE_META, None]
    messages = client.conversations_replies(channel="C0NEWS", ts=parent, include_all_metadata=True)["messages"]
    assert [m.get("metadata") for m in messages] == [STORY_META, SOURCE_META, None]
    plain = client.conversations_replies(channel="C0NEWS", ts=parent, include_all_metadata=False)["messages"]
    assert all("metadata" not in m for m in plain)
    history = client.conversations_history(channel="C0NEWS", include_all_metadata=True)["messages"]
    assert [m["metadata"] for m in history] == [STORY_META]  # top-level only; replies stay in the thread


def test_replies_by_reply_ts_and_unthreaded_message(client: WebClient) -> None:
    parent, ts = thread(client, 2)
    by_reply = client.conversations_replies(channel="#war-news", ts=ts[1])["messages"]
    assert [m["ts"] for m in by_reply] == [parent, *ts]
    lone = client.chat_postMessage(channel="C0NEWS", text="no replies yet")["ts"]
    [message] = client.conversations_replies(channel="C0NEWS", ts=lone)["messages"]
    assert message["ts"] == lone and message["text"] == "no replies yet" and "reply_count" not in message


def test_replies_pagination(client: WebClient) -> None:
    parent, ts = thread(client, 4)
    first = client.conversations_replies(channel="C0NEWS", ts=parent, limit=2)
    assert [m["ts"] for m in first["messages"]] == [parent, ts[0]] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_replies(channel="C0NEWS", ts=parent, limit=2, cursor=cursor)
    assert [m["ts"] for m in second["messages"]] == ts[1:3] and second["has_more"]
    paged = client.conversations_replies(channel="C0NEWS", ts=parent, limit=2)  # slack_sdk follows the cursor
    pages = [[m["ts"] for m in page["messages"]] for page in paged]
    assert pages == [[parent, ts[0]], ts[1:3], [ts[3]]]
    last = client.conversations_replies(
        channel="C0NEWS", ts=parent, limit=2, cursor=second["response_metadata"]["next_cursor"]
    )
    assert not last["has_more"] and last["response_metadata"]["next_cursor"] == ""
    everything = client.conversations_replies(channel="C0NEWS", ts=parent, limit=0)["messages"]
    assert len(everything) == 5  # limit 0 means the default


def test_replies_oldest_latest_inclusive(client: WebClient) -> None:
    parent, ts = thread(client, 4)
    between = client.conversations_replies(channel="C0NEWS", ts=parent, oldest=ts[0], latest=ts[3])["messages"]
    assert [m["ts"] for m in between] == ts[1:3]
    inclusive = client.conversations_replies(
        channel="C0NEWS", ts=parent, oldest=ts[0], latest=ts[3], inclusive=True
    )["messages"]
    assert [m["ts"] for m in inclusive] == ts
    newer = client.conversations_replies(channel="C0NEWS", ts=parent, oldest=ts[2])["messages"]
    assert [m["ts"] for m in newer] == [ts[3]]
    upto = client.conversations_replies(channel="C0NEWS", ts=parent, latest=ts[1], inclusive=True)["messages"]
    assert [m["ts"] for m in upto] == [parent, ts[0], ts[1]]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C0NEWS", "ts": "1000000000.000001"}, "thread_not_found"),
        ({"channel": "C0NEWS", "ts": "not-a-ts"}, "thread_not_found"),
        ({"channel": "C0NOPE", "ts": "PARENT"}, "channel_not_found"),
        ({"channel": "#nope", "ts": "PARENT"}, "channel_not_found"),
        ({"channel": "private", "ts": "PARENT"}, "not_in_channel"),
        ({"channel": "C0NEWS", "ts": "PARENT", "cursor": "bogus!"}, "invalid_cursor"),
        ({"channel": "C0NEWS", "ts": "PARENT", "oldest": "soon"}, "invalid_ts_oldest"),
        ({"channel": "C0NEWS", "ts": "PARENT", "latest": "later"}, "invalid_ts_latest"),
        ({"channel": "C0NEWS", "ts": "PARENT", "limit": "lots"}, "invalid_limit"),
    ],
)
def test_replies_errors(slack: SlackDouble, client: WebClient, kwargs: dict, error: str) -> None:
    parent, _ = thread(client, 1)
    kwargs = {key: parent if value == "PARENT" else value for key, value in kwargs.items()}
    assert api_error(client.conversations_replies, **kwargs)["error"] == error
    assert slack.calls[-1].error == error


def test_replies_thread_in_other_channel_is_not_found() -> None:
    with SlackDouble(tokens={TOKEN}, channels={"C0NEWS": "war-news", "C0ALT": "alerts"}) as double:
        client = WebClient(token=TOKEN, base_url=double.base_url)
        parent, _ = thread(client, 1)
        assert api_error(client.conversations_replies, channel="C0ALT", ts=parent)["error"] == "thread_not_found"


@pytest.mark.parametrize(
    ("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed"), ("xoxb-revoked", "token_revoked")]
)
def test_replies_token_errors(slack: SlackDouble, client: WebClient, token: str | None, error: str) -> None:
    parent, _ = thread(client, 1)
    other = WebClient(token=token, base_url=slack.base_url)
    assert api_error(other.conversations_replies, channel="C0NEWS", ts=parent)["error"] == error


def test_replies_archived_channel_is_readable(slack: SlackDouble, client: WebClient) -> None:
    slack.archived.discard("C0OLD")
    parent = client.chat_postMessage(channel="C0OLD", text="old story")["ts"]
    slack.archived.add("C0OLD")
    assert [m["ts"] for m in client.conversations_replies(channel="#old-news", ts=parent)["messages"]] == [parent]


# -- faults ------------------------------------------------------------------------


def test_rate_limit_honoured_by_retry_handler(slack: SlackDouble) -> None:
    slack.rate_limit(burst=3, retry_after=1, methods={"chat.postMessage"})
    handler = RateLimitErrorRetryHandler(max_retry_count=3)
    client = WebClient(token=TOKEN, base_url=slack.base_url, retry_handlers=[handler])
    started = time.monotonic()
    for i in range(5):
        client.chat_postMessage(channel="C0NEWS", text=f"m{i}")
    assert time.monotonic() - started < 8
    assert [m.text for m in slack.messages("C0NEWS")] == [f"m{i}" for i in range(5)]
    calls = calls_to(slack, "chat.postMessage")
    limited = [i for i, call in enumerate(calls) if call.status == 429]
    assert limited and all(calls[i].error == "ratelimited" for i in limited)
    for i in limited:  # the retry waited at least Retry-After
        assert calls[i + 1].time - calls[i].time >= 1.0
    assert client.auth_test()["ok"]  # other methods are not limited


def test_rate_limit_without_retry_handler(slack: SlackDouble) -> None:
    slack.rate_limit(burst=1, retry_after=2)
    client = WebClient(token=TOKEN, base_url=slack.base_url)
    client.auth_test()
    resp = api_error(client.auth_test)
    assert resp.status_code == 429 and resp["error"] == "ratelimited"
    assert resp.headers["Retry-After"] == "2"
    slack.rate_limit(None)
    assert client.auth_test()["ok"]


def test_rate_limit_at_construction() -> None:
    with SlackDouble(rate_limit=RateLimit(burst=0, retry_after=1)) as slack:
        resp = api_error(WebClient(token=TOKEN, base_url=slack.base_url).auth_test)
        assert resp.status_code == 429


def test_transient_server_errors(slack: SlackDouble) -> None:
    plain = WebClient(token=TOKEN, base_url=slack.base_url)
    slack.fail_next(2, status=500)
    for _ in range(2):
        resp = api_error(plain.chat_postMessage, channel="C0NEWS", text="x")
        assert resp.status_code == 500 and resp["error"] == "internal_error"
    assert plain.chat_postMessage(channel="C0NEWS", text="after")["ok"]

    handler = ServerErrorRetryHandler(max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.05))
    retrying = WebClient(token=TOKEN, base_url=slack.base_url, retry_handlers=[handler])
    slack.fail_next(2, status=503)
    assert retrying.chat_postMessage(channel="C0NEWS", text="retried")["ok"]
    assert [m.text for m in slack.messages("C0NEWS")] == ["after", "retried"]
    assert [c.status for c in calls_to(slack, "chat.postMessage")] == [500, 500, 200, 503, 503, 200]


def test_down_mode(slack: SlackDouble, client: WebClient) -> None:
    slack.down = True
    resp = api_error(client.chat_postMessage, channel="C0NEWS", text="x")
    assert resp.status_code == 503
    assert api_error(client.auth_test).status_code == 503
    assert slack.messages("C0NEWS") == []
    slack.down = False
    assert client.chat_postMessage(channel="C0NEWS", text="back")["ok"]
    with SlackDouble(down=True) as down:
        assert api_error(WebClient(token=TOKEN, base_url=down.base_url).auth_test).status_code == 503


def test_pacing_record(slack: SlackDouble, client: WebClient) -> None:
    a = client.chat_postMessage(channel="C0NEWS", text="a")["ts"]
    b = client.chat_postMessage(channel="C0NEWS", text="b", thread_ts=a)["ts"]
    assert pacing_violations(slack, min_interval=1.0) == [("C0NEWS", a, b)]
    assert pacing_violations(slack, min_interval=0.0) == []
    times = slack.message_times("#war-news")
    assert len(times) == 2 and times[0] <= times[1]


# -- transcript ----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_transcript(slack: SlackDouble, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0NEWS", text="Story [1]: port strike")["ts"]
    client.chat_postMessage(channel="C0NEWS", text="second source", thread_ts=parent)
    client.chat_postMessage(channel="C0NEWS", text="claims differ", thread_ts=parent, reply_broadcast=True)
    client.chat_update(channel="C0NEWS", ts=parent, text="Story [1]: port strike, 5 outlets")
    header = {"type": "header", "text": {"type": "plain_text", "text": "Blocks only"}}
    client.chat_postMessage(channel="C0NEWS", text="", blocks=[header])
    api_error(client.chat_postMessage, channel="C0NOPE", text="x")
    console = Console(record=True, width=200, color_system=None)
    slack.transcript(console)
    lines = console.export_text().splitlines()
    assert "#war-news (C0NEWS)" in lines[0]
    story = next(line for line in lines if "Story [1]: port strike, 5 outlets" in line)
    assert "edited x1; originally 'Story [1]: port strike'" in story
    assert any(line.startswith("    ") and "second source" in line for line in lines)
    broadcast = next(line for line in lines if "claims differ" in line)
    assert broadcast.startswith("    ") and "also sent to the channel" in broadcast
    assert any("Blocks only" in line for line in lines)
    assert "channel_not_found x1" in lines[-1]


def test_transcript_repeats_an_edited_text_only_when_the_edit_changed_it(slack: SlackDouble, client: WebClient) -> None:
    kept = "Story [2]: ferry sinks off Odesa, port authority says — 1 article from 1 outlet"
    parent = client.chat_postMessage(channel="C0NEWS", text=kept, blocks=[section("1 outlet")])["ts"]
    client.chat_update(channel="C0NEWS", ts=parent, text=kept, blocks=[section("still 1 outlet")])
    client.chat_update(channel="C0NEWS", ts=parent, text=kept, blocks=[section("1 outlet, checked")])
    first = "Story [3]: evacuation of the border districts widens, the governor says — 2 articles from 2 outlets"
    other = client.chat_postMessage(channel="C0NEWS", text=first)["ts"]
    client.chat_update(channel="C0NEWS", ts=other, text=first.replace("2 articles from 2", "5 articles from 3"))
    console = Console(record=True, width=400, color_system=None)
    slack.transcript(console)
    lines = console.export_text().splitlines()

    blocks_only = next(line for line in lines if "ferry sinks off Odesa" in line)
    assert blocks_only.count("ferry sinks off Odesa") == 1
    assert "(edited x2)" in blocks_only and "originally" not in blocks_only
    reworded = next(line for line in lines if "5 articles from 3 outlets" in line)
    assert "(edited x1; originally '…" in reworded and "2 articles from 2 outlets')" in reworded
    assert reworded.count("evacuation of the border districts") == 1  # the unchanged start is not repeated
