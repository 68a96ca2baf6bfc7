"""A local Slack Web API double: a real HTTP server on 127.0.0.1 for slack_sdk's ``WebClient``.

Usage::

    with SlackDouble() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        client.chat_postMessage(channel="#war-news", text="Shelling reported near the bridge")
        assert slack.messages("C0NEWS")[0].text == "Shelling reported near the bridge"

It serves ``auth.test``, ``chat.postMessage``, ``chat.update``,
``conversations.history`` and ``conversations.replies`` with Slack's rules and error names (HTTP 200 with
``{"ok": false, "error": ...}``), accepts form-encoded or JSON bodies and the
token as ``Authorization: Bearer`` or a ``token`` parameter, and records every
call. Faults: ``rate_limit`` (HTTP 429 + ``Retry-After``), ``fail_next``
(HTTP 5xx for the next calls) and ``down`` (every call HTTP 503).

Times in ``Call.time`` and ``Message.time`` are ``time.monotonic()`` values.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import os.path
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from warwatch.demo.loopback import LoopbackServer

TEAM = "warwatch-test"
TEAM_ID = "T0WARWATCH"
USER_ID = "U0WARWATCH"
BOT_ID = "B0WARWATCH"
APP_ID = "A0WARWATCH"

MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELD = 2_000
MAX_SECTION_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_MARKDOWN_TEXT = 12_000
MAX_BLOCK_ID = 255
DEFAULT_HISTORY_LIMIT = 100
MAX_HISTORY_LIMIT = 999
DEFAULT_REPLIES_LIMIT = 1000
MAX_REPLIES_LIMIT = 1000
BLOCK_TYPES = frozenset(
    {"actions", "context", "divider", "file", "header", "image", "input", "markdown", "rich_text", "section", "video"}
)
FAULT_ERRORS = {500: "internal_error", 503: "service_unavailable"}

Params = dict[str, Any]
Reply = tuple[int, dict[str, str], dict[str, Any]]


class _ApiError(Exception):
    """A Slack API error: answered as HTTP 200 ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class Call:
    """One request: the API method, its parameters (token removed), and how it was answered."""

    method: str
    params: Params
    token: str | None
    time: float
    status: int
    error: str | None


@dataclass(frozen=True)
class Edit:
    """One ``chat.update`` of a message: the ts of the edit and the content before and after."""

    ts: str
    old_text: str
    new_text: str
    old_blocks: list[dict[str, Any]] | None
    new_blocks: list[dict[str, Any]] | None


@dataclass
class Message:
    """A posted message; a reply has ``thread_ts`` set to its parent's ts."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    time: float
    thread_ts: str | None = None
    reply_broadcast: bool = False
    replies: list[Message] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)


@dataclass(frozen=True)
class RateLimit:
    """At most ``burst`` calls per method within ``window`` seconds (default ``retry_after``).

    ``methods`` limits the budget to those API methods (default: every method).
    """

    burst: int
    retry_after: int = 1
    window: float | None = None
    methods: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.burst < 0 or self.retry_after < 1 or (self.window is not None and self.window <= 0):
            raise ValueError("need burst >= 0, retry_after >= 1 and window > 0")

    @property
    def seconds(self) -> float:
        """The length of the sliding window."""
        return self.window if self.window is not None else float(self.retry_after)


class SlackDouble:
    """A threaded Slack Web API server on 127.0.0.1 that records what it is sent.

    ``channels`` maps channel ids to names (with or without ``#``); ``archived``
    and ``not_member`` take channel ids or names. A token in ``revoked`` gets
    ``token_revoked``; any other token outside ``tokens`` gets ``invalid_auth``.
    """

    def __init__(
        self,
        tokens: Iterable[str] = ("xoxb-test",),
        channels: Mapping[str, str] | None = None,
        *,
        archived: Iterable[str] = (),
        not_member: Iterable[str] = (),
        revoked: Iterable[str] = (),
        rate_limit: RateLimit | None = None,
        down: bool = False,
    ) -> None:
        self.tokens: set[str] = set(tokens)
        self.revoked: set[str] = set(revoked)
        configured = channels if channels is not None else {"C0NEWS": "war-news"}
        self.channels: dict[str, str] = {cid: name.lstrip("#") for cid, name in configured.items()}
        self.archived: set[str] = {self._known(ref) for ref in archived}
        self.not_member: set[str] = {self._known(ref) for ref in not_member}
        self.down = down
        self.limit = rate_limit
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._top: dict[str, list[Message]] = {cid: [] for cid in self.channels}
        self._posts: dict[str, list[Message]] = {cid: [] for cid in self.channels}
        self._broadcasts: list[Message] = []
        self._failures: deque[int] = deque()
        self._recent: dict[str, deque[float]] = {}
        self._last_us = 0
        self._server: LoopbackServer | None = None

    # -- lifecycle ---------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The Web API root for ``WebClient(base_url=...)``, e.g. ``http://127.0.0.1:PORT/api/``."""
        if self._server is None:
            raise RuntimeError("SlackDouble is not started")
        return f"{self._server.base_url}/api/"

    def start(self) -> SlackDouble:
        """Listen on an ephemeral 127.0.0.1 port in a background thread."""
        self._server = LoopbackServer(_handler_for(self))
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.close()

    def __enter__(self) -> SlackDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- faults --------------------------------------------------------------

    def rate_limit(
        self,
        burst: int | None,
        retry_after: int = 1,
        *,
        window: float | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Answer HTTP 429 ``ratelimited`` once a method has had ``burst`` calls in the window; ``None`` lifts it."""
        only = None if methods is None else frozenset(methods)
        limit = None if burst is None else RateLimit(burst, retry_after, window, only)
        with self._lock:
            self.limit = limit
            self._recent.clear()

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` calls (any method) with HTTP ``status`` (a 5xx)."""
        if not 500 <= status <= 599:
            raise ValueError("status must be a 5xx")
        with self._lock:
            self._failures.extend([status] * n)

    # -- recordings ------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    def messages(self, channel: str) -> list[Message]:
        """Copies of a channel's top-level messages, oldest first, with replies and edits.

        ``channel`` is an id or a name; KeyError if it is not configured.
        """
        with self._lock:
            return copy.deepcopy(self._top[self._known(channel)])

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        """Copies of the replies to one message, oldest first (empty if there is no such message)."""
        with self._lock:
            parent = self._find(self._known(channel), thread_ts)
            return copy.deepcopy(parent.replies) if parent else []

    @property
    def broadcasts(self) -> list[Message]:
        """Copies of the thread replies posted with ``reply_broadcast``."""
        with self._lock:
            return copy.deepcopy(self._broadcasts)

    def message_times(self, channel: str) -> list[float]:
        """When each message (top-level or reply) reached a channel, in order."""
        with self._lock:
            return [message.time for message in self._posts[self._known(channel)]]

    def transcript(self, console: Console) -> None:
        """Print each channel's messages, thread replies indented, then a one-line summary of the calls."""
        with self._lock:
            top = copy.deepcopy(self._top)
            calls = list(self._calls)
        for cid, name in self.channels.items():
            if not top[cid]:
                continue
            console.rule(Text(f"#{name} ({cid})", style="bold"), align="left")
            for message in top[cid]:
                console.print(_transcript_line(message))
                for reply in message.replies:
                    console.print(Padding(_transcript_line(reply), (0, 0, 0, 4)))
        errors = Counter(call.error for call in calls if call.error)
        summary = f"{len(calls)} Slack API calls, {len(calls) - sum(errors.values())} ok"
        if errors:
            summary += "; " + ", ".join(f"{error} x{count}" for error, count in sorted(errors.items()))
        console.print(Text(summary, style="dim"))

    # -- request handling ------------------------------------------------------

    def _respond(self, path: str, query: str, content_type: str, body: bytes, authorization: str | None) -> Reply:
        """Answer one HTTP request for ``/api/<method>``; returns (status, headers, JSON payload)."""
        method = path[len("/api/"):] if path.startswith("/api/") else ""
        params: Params = dict(parse_qsl(query))
        bad_body: _ApiError | None = None
        try:
            params.update(_parse_body(content_type, body))
        except _ApiError as exc:
            bad_body = exc
        bearer = authorization[len("Bearer "):] if authorization and authorization.startswith("Bearer ") else None
        token = bearer or params.get("token")
        params.pop("token", None)
        with self._lock:
            now = time.monotonic()
            reply = self._fault(method, now)
            if reply is None:
                try:
                    if bad_body is not None:
                        raise bad_body
                    reply = 200, {}, self._api(method, params, token, now)
                except _ApiError as exc:
                    reply = 200, {}, {"ok": False, "error": exc.error}
            status, _, payload = reply
            self._calls.append(Call(method, params, token, now, status, None if payload["ok"] else payload["error"]))
        return reply

    def _fault(self, method: str, now: float) -> Reply | None:
        """The injected failure for this call, if any: down, a queued 5xx, or the rate limit."""
        if self.down:
            return 503, {}, {"ok": False, "error": FAULT_ERRORS[503]}
        if self._failures:
            status = self._failures.popleft()
            return status, {}, {"ok": False, "error": FAULT_ERRORS.get(status, "fatal_error")}
        limit = self.limit
        if limit is None or (limit.methods is not None and method not in limit.methods):
            return None
        recent = self._recent.setdefault(method, deque())
        while recent and now - recent[0] >= limit.seconds:
            recent.popleft()
        if len(recent) >= limit.burst:
            return 429, {"Retry-After": str(limit.retry_after)}, {"ok": False, "error": "ratelimited"}
        recent.append(now)
        return None

    def _api(self, method: str, params: Params, token: str | None, now: float) -> dict[str, Any]:
        """Check the method and token, then run the method."""
        handler = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
        }.get(method)
        if handler is None:
            raise _ApiError("unknown_method")
        if not token:
            raise _ApiError("not_authed")
        if token in self.revoked:
            raise _ApiError("token_revoked")
        if token not in self.tokens:
            raise _ApiError("invalid_auth")
        return handler(params, now)

    def _auth_test(self, params: Params, now: float) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM}.slack.com/",
            "team": TEAM,
            "user": "warwatch",
            "team_id": TEAM_ID,
            "user_id": USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: Params, now: float) -> dict[str, Any]:
        cid = self._writable(params)
        text = str(params.get("text") or "")
        blocks = _parse_blocks(params.get("blocks"))
        if not text and not blocks:
            raise _ApiError("no_text")
        if len(text) > MAX_TEXT:
            raise _ApiError("msg_too_long")
        metadata = _parse_metadata(params.get("metadata"))
        thread_ts = str(params["thread_ts"]) if params.get("thread_ts") else None
        parent = self._find(cid, thread_ts) if thread_ts else None
        if thread_ts and (parent is None or parent.thread_ts is not None):
            raise _ApiError("thread_not_found")
        broadcast = parent is not None and _truthy(params.get("reply_broadcast"))
        message = Message(cid, self._next_ts(), text, blocks, metadata, now, thread_ts, broadcast)
        if parent is None:
            self._top[cid].append(message)
        else:
            parent.replies.append(message)
            if message.reply_broadcast:
                self._broadcasts.append(message)
        self._posts[cid].append(message)
        return {"ok": True, "channel": cid, "ts": message.ts, "message": _wire(message, metadata=True)}

    def _update(self, params: Params, now: float) -> dict[str, Any]:
        cid = self._writable(params)
        message = self._find(cid, str(params.get("ts") or ""))
        if message is None:
            raise _ApiError("message_not_found")
        text = str(params["text"]) if params.get("text") is not None else message.text
        blocks = _parse_blocks(params["blocks"]) if "blocks" in params else message.blocks
        if not text and not blocks:
            raise _ApiError("no_text")
        if len(text) > MAX_TEXT:
            raise _ApiError("msg_too_long")
        if "metadata" in params:
            message.metadata = _parse_metadata(params["metadata"])
        message.edits.append(Edit(self._next_ts(), message.text, text, message.blocks, blocks))
        message.text, message.blocks = text, blocks
        return {"ok": True, "channel": cid, "ts": message.ts, "text": text, "message": _wire(message, metadata=True)}

    def _history(self, params: Params, now: float) -> dict[str, Any]:
        cid = self._readable(params)
        window = _Window.parse(params, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT)
        broadcasts = [m for m in self._broadcasts if m.channel == cid]
        visible = sorted(self._top[cid] + broadcasts, key=lambda m: Decimal(m.ts), reverse=True)
        selected = [m for m in visible if window.admits(m.ts) and window.before_cursor(m.ts)]
        return {**_page(selected, window, params), "pin_count": 0}

    def _replies(self, params: Params, now: float) -> dict[str, Any]:
        """A thread, oldest first: the parent, then its replies (broadcast or not).

        ``ts`` may name the parent or any reply in the thread; an unthreaded
        message comes back alone. ``oldest``/``latest``/``inclusive`` filter
        every message, the parent included, and later pages (``cursor``) carry
        on from where the previous page stopped.
        """
        cid = self._readable(params)
        window = _Window.parse(params, DEFAULT_REPLIES_LIMIT, MAX_REPLIES_LIMIT)
        message = self._find(cid, str(params.get("ts") or ""))
        if message is None:
            raise _ApiError("thread_not_found")
        parent = self._find(cid, message.thread_ts) if message.thread_ts else message
        if parent is None:
            raise _ApiError("thread_not_found")
        thread = [parent, *parent.replies]
        selected = [m for m in thread if window.admits(m.ts) and window.after_cursor(m.ts)]
        return _page(selected, window, params)

    # -- channels and messages -----------------------------------------------

    def _resolve(self, ref: str) -> str | None:
        """The channel id for an id, ``#name`` or ``name``; None if unknown."""
        if ref in self.channels:
            return ref
        name = ref.lstrip("#")
        return next((cid for cid, known in self.channels.items() if known == name), None)

    def _known(self, ref: str) -> str:
        """The id of a configured channel; KeyError for anything else."""
        cid = self._resolve(ref)
        if cid is None:
            raise KeyError(f"unknown channel {ref!r}")
        return cid

    def _channel(self, params: Params) -> str:
        cid = self._resolve(str(params.get("channel") or ""))
        if cid is None:
            raise _ApiError("channel_not_found")
        return cid

    def _readable(self, params: Params) -> str:
        """The channel id for reading history: it must exist and have the bot as a member (archived is fine)."""
        cid = self._channel(params)
        if cid in self.not_member:
            raise _ApiError("not_in_channel")
        return cid

    def _writable(self, params: Params) -> str:
        """The channel id for posting or editing: it must exist, be unarchived, and have the bot as a member."""
        cid = self._channel(params)
        if cid in self.archived:
            raise _ApiError("is_archived")
        if cid in self.not_member:
            raise _ApiError("not_in_channel")
        return cid

    def _find(self, cid: str, ts: str) -> Message | None:
        """The message (top-level or reply) with this ts in a channel."""
        return next((m for m in self._posts[cid] if m.ts == ts), None)

    def _next_ts(self) -> str:
        """A unique, increasing Slack ts from the wall clock, e.g. ``1723456789.000100``."""
        self._last_us = max(time.time_ns() // 1000, self._last_us + 1)
        return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"


# -- parsing and validation ------------------------------------------------------


def _parse_body(content_type: str, body: bytes) -> Params:
    """Parameters from a form-encoded or JSON request body."""
    if not body:
        return {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _ApiError("invalid_json") from None
        if not isinstance(data, dict):
            raise _ApiError("json_not_object")
        return data
    if kind in ("application/x-www-form-urlencoded", ""):
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise _ApiError("invalid_form_data") from None
    raise _ApiError("invalid_post_type")


def _page(selected: list[Message], window: _Window, params: Params) -> dict[str, Any]:
    """One page of ``selected`` messages, with the cursor to the next."""
    page, rest = selected[: window.limit], selected[window.limit :]
    with_metadata = _truthy(params.get("include_all_metadata"))
    return {
        "ok": True,
        "messages": [_wire(m, metadata=with_metadata) for m in page],
        "has_more": bool(rest),
        "response_metadata": {"next_cursor": _encode_cursor(rest[0].ts) if rest else ""},
    }


def _truthy(value: Any) -> bool:
    """Slack booleans: JSON ``true`` or form ``1``/``true``."""
    return value is True or str(value).lower() in ("1", "true")


def _json_param(raw: Any, error: str) -> Any:
    """A structured parameter as sent: already decoded (JSON body) or a JSON string (form data)."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise _ApiError(error) from None


def _parse_blocks(raw: Any) -> list[dict[str, Any]] | None:
    """Blocks from a list or a JSON string.

    Not a JSON list: ``invalid_blocks_format``; breaking a Block Kit rule: ``invalid_blocks``.
    """
    raw = _json_param(raw, "invalid_blocks_format")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise _ApiError("invalid_blocks_format")
    if len(raw) > MAX_BLOCKS or not all(_valid_block(block) for block in raw):
        raise _ApiError("invalid_blocks")
    ids = [block["block_id"] for block in raw if "block_id" in block]
    if len(ids) != len(set(ids)):
        raise _ApiError("invalid_blocks")
    return raw or None


def _valid_block(block: Any) -> bool:
    """Whether one block follows the Block Kit rules this double checks."""
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        return False
    block_id = block.get("block_id")
    if block_id is not None and not (isinstance(block_id, str) and 0 < len(block_id) <= MAX_BLOCK_ID):
        return False
    kind = block["type"]
    if kind == "section":
        fields = block.get("fields")
        if "text" not in block and fields is None:
            return False
        if "text" in block and not _valid_text(block["text"], MAX_SECTION_TEXT):
            return False
        return fields is None or (
            isinstance(fields, list)
            and 0 < len(fields) <= MAX_SECTION_FIELDS
            and all(_valid_text(f, MAX_SECTION_FIELD) for f in fields)
        )
    if kind == "header":
        return _valid_text(block.get("text"), MAX_HEADER_TEXT, plain_only=True)
    if kind == "context":
        elements = block.get("elements")
        return isinstance(elements, list) and 0 < len(elements) <= MAX_CONTEXT_ELEMENTS
    if kind == "markdown":
        text = block.get("text")
        return isinstance(text, str) and 0 < len(text) <= MAX_MARKDOWN_TEXT
    return True


def _valid_text(obj: Any, max_length: int, plain_only: bool = False) -> bool:
    """Whether ``obj`` is a text object (``plain_text`` or ``mrkdwn``) of 1..max_length characters."""
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    return (
        isinstance(obj, dict)
        and obj.get("type") in kinds
        and isinstance(obj.get("text"), str)
        and 0 < len(obj["text"]) <= max_length
    )


def _parse_metadata(raw: Any) -> dict[str, Any] | None:
    """``{"event_type": str, "event_payload": {...}}`` from a dict or a JSON string."""
    raw = _json_param(raw, "invalid_metadata_format")
    if raw is None:
        return None
    shaped = isinstance(raw, dict) and isinstance(raw.get("event_type"), str)
    if not shaped or not isinstance(raw.get("event_payload"), dict):
        raise _ApiError("invalid_metadata_format")
    return {"event_type": raw["event_type"], "event_payload": raw["event_payload"]}


def _ts_param(raw: Any, error: str) -> Decimal | None:
    """A ``oldest``/``latest`` bound as a Decimal; None when absent."""
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise _ApiError(error) from None
    if not value.is_finite():
        raise _ApiError(error)
    return value


@dataclass(frozen=True)
class _Window:
    """The ``oldest``/``latest``/``inclusive``/``limit``/``cursor`` arguments of a history read."""

    oldest: Decimal | None
    latest: Decimal | None
    inclusive: bool
    limit: int
    start: Decimal | None

    @classmethod
    def parse(cls, params: Params, default_limit: int, max_limit: int) -> _Window:
        try:
            limit = int(params.get("limit") or default_limit)
        except (TypeError, ValueError):
            raise _ApiError("invalid_limit") from None
        return cls(
            oldest=_ts_param(params.get("oldest"), "invalid_ts_oldest"),
            latest=_ts_param(params.get("latest"), "invalid_ts_latest"),
            inclusive=_truthy(params.get("inclusive")),
            limit=min(limit, max_limit) if limit > 0 else default_limit,
            start=_decode_cursor(str(params["cursor"])) if params.get("cursor") else None,
        )

    def admits(self, ts: str) -> bool:
        """Whether a message ts lies between ``oldest`` and ``latest`` (bounds only if ``inclusive``)."""
        value = Decimal(ts)
        after = self.oldest is None or value > self.oldest or (self.inclusive and value == self.oldest)
        before = self.latest is None or value < self.latest or (self.inclusive and value == self.latest)
        return after and before

    def before_cursor(self, ts: str) -> bool:
        """For newest-first pages: whether a message is at or before the cursor's ts."""
        return self.start is None or Decimal(ts) <= self.start

    def after_cursor(self, ts: str) -> bool:
        """For oldest-first pages: whether a message is at or after the cursor's ts."""
        return self.start is None or Decimal(ts) >= self.start


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _decode_cursor(cursor: str) -> Decimal:
    """The ts a cursor starts from (inclusive)."""
    try:
        kind, _, ts = base64.b64decode(cursor, validate=True).decode().partition(":")
        value = Decimal(ts)
    except (binascii.Error, UnicodeDecodeError, InvalidOperation):
        raise _ApiError("invalid_cursor") from None
    if kind != "next_ts" or not value.is_finite():
        raise _ApiError("invalid_cursor")
    return value


# -- output ----------------------------------------------------------------------


def _wire(message: Message, *, metadata: bool) -> dict[str, Any]:
    """A message as Slack returns it."""
    data: dict[str, Any] = {
        "type": "message",
        "user": USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "text": message.text,
        "ts": message.ts,
    }
    if message.blocks is not None:
        data["blocks"] = message.blocks
    if message.thread_ts is not None:
        data.update(thread_ts=message.thread_ts, parent_user_id=USER_ID)
    if message.reply_broadcast:
        data["subtype"] = "thread_broadcast"
    if message.replies:
        data.update(thread_ts=message.ts, reply_count=len(message.replies), reply_users_count=1)
        data["latest_reply"] = message.replies[-1].ts
    if message.edits:
        data["edited"] = {"user": USER_ID, "ts": message.edits[-1].ts}
    if metadata and message.metadata is not None:
        data["metadata"] = message.metadata
    return data


def _block_summary(blocks: list[dict[str, Any]]) -> str:
    """The readable text of header, section and markdown blocks, one per line."""
    lines = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            text = text.get("text")
        if isinstance(text, str):
            lines.append(text)
        lines.extend(f.get("text", "") for f in block.get("fields", []) if isinstance(f, dict))
    return "\n".join(lines) or f"({len(blocks)} blocks)"


def _transcript_line(message: Message) -> Text:
    """One message for the transcript: ts, text (or its blocks' text), and notes."""
    line = Text(message.ts, style="dim")
    line.append("  ")
    line.append(message.text or _block_summary(message.blocks or []))
    if message.reply_broadcast:
        line.append("  (also sent to the channel)", style="cyan")
    if message.edits:
        line.append(f"  ({_edit_note(message)})", style="yellow")
    if message.metadata is not None:
        line.append(f"  [{message.metadata['event_type']}]", style="dim")
    return line


def _edit_note(message: Message) -> str:
    """"edited x2", and the text as first posted when the edits changed it (an edit of the blocks alone leaves it)."""
    note = f"edited x{len(message.edits)}"
    original = message.edits[0].old_text
    if original != message.text:
        note += f"; originally {_changed_part(original, message.text)!r}"
    return note


def _changed_part(old: str, new: str, context: int = 20, most: int = 80) -> str:
    """``old`` whole when short; else where it differs from ``new``, with about ``context`` characters of whole words
    either side and "…" for what is left out, in ``most`` characters at most."""
    if len(old) <= 3 * context:
        return old
    start = len(os.path.commonprefix([old, new]))
    end = len(old) - len(os.path.commonprefix([old[start:][::-1], new[start:][::-1]]))
    start = old.rfind(" ", 0, start - context) + 1 if start > context else 0
    after = old.find(" ", min(end + context, len(old)))
    end = len(old) if after < 0 else after
    part = old[start:end]
    if len(part) > most:
        part, end = part[:most], start + most
    return ("…" if start else "") + part + ("…" if end < len(old) else "")


def _handler_for(double: SlackDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, payload = double._respond(
                url.path, url.query, self.headers.get("Content-Type", ""), body, self.headers.get("Authorization")
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST  # noqa: N815 (Slack accepts GET with query parameters too)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server signature)
            """Keep test output quiet."""

    return Handler
