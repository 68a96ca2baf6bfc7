"""The fan-out that warms the vector cache, and the monitor flow on a local 2-worker Dask cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import warwatch.fanout as fanout
import warwatch.stories.vectors as vectors_module
from warwatch.claims.extract import extract_claims
from warwatch.claims.stage import check_claims
from warwatch.config.settings import ClaimSettings, FanoutSettings, FeedSpec, StorySettings, dump_feeds
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.replay import read_articles
from warwatch.store.db import engine_for, session
from warwatch.store.models import Article, Claim, Contradiction, Embedding, utcnow
from warwatch.stories.assign import assign_stories
from warwatch.stories.topic import description_texts, load_topic

WAR_CLAIMS = Path("eval-data") / "dev" / "war-claims" / "moskva_bakhmut_kakhovka.jsonl"


class EncodeCalls:
    """Wraps the real ``encode`` where a module uses it, recording the texts it encodes."""

    def __init__(self, monkeypatch, module) -> None:
        self.texts: list[str] = []
        real = module.encode

        def recording(model, texts, *args, **kwargs):
            self.texts += texts
            return real(model, texts, *args, **kwargs)

        monkeypatch.setattr(module, "encode", recording)


def store_war_claims(url: str, shared_dir: Path) -> list[int]:
    """The dev war-claims articles stored, one feed per outlet, not yet grouped; their ids in published order."""
    articles = read_articles((shared_dir / WAR_CLAIMS).read_text(encoding="utf-8").splitlines(), "war-claims")
    with session(url) as s:
        sources = sorted({a.source for a in articles})
        feeds = dict(zip(sources, sync_feeds(s, [FeedSpec(name=n, url=f"https://{i}.example/rss")
                                                  for i, n in enumerate(sources)])))
        stored = store_entries(s, [(feeds[a.source], Entry(guid=a.id, url=a.url, title=a.title, text=a.text,
                                                           published=a.published, language="en"))
                                   for a in articles], utcnow())
        s.commit()
    return [item.article_id for item in stored]


def chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def test_warmed_cache_leaves_the_stages_nothing_to_encode(db_url, shared_dir, monkeypatch):
    ids = store_war_claims(db_url, shared_dir)
    stories, claims = StorySettings(), ClaimSettings()

    warmed = sum(fanout.warm_article_vectors(db_url, stories, chunk) for chunk in chunks(ids, 5))
    assert warmed == len(ids) + len(description_texts(load_topic(stories.topic), stories.model_name))
    assert fanout.warm_article_vectors(db_url, stories, ids) == 0  # all cached now
    stage = EncodeCalls(monkeypatch, vectors_module)
    with session(db_url) as s:
        assert len(assign_stories(s, stories)) == len(ids)
        s.commit()
    assert stage.texts == []

    sentences = sum(fanout.warm_claim_vectors(db_url, stories, chunk) for chunk in chunks(ids, 5))
    assert sentences > len(ids)  # several claims per article
    with session(db_url) as s:
        found = check_claims(s, stories, claims)
        s.commit()
        stored = s.scalar(select(func.count()).select_from(Claim))
        cached = s.scalar(select(func.count()).select_from(Embedding))
    assert stage.texts == [] and found  # every claim compared, with the vectors the fan-out cached
    assert stored >= sentences and cached == warmed + sentences
    assert fanout.warm_claim_vectors(db_url, stories, ids) == 0  # checked articles need nothing more


def test_a_chunk_with_other_languages_warms_the_bridge_too(db_url, monkeypatch):
    stories = StorySettings()
    with session(db_url) as s:
        (feed,) = sync_feeds(s, [FeedSpec(name="Wire", url="https://wire.example/rss")])
        when = utcnow()
        stored = store_entries(s, [(feed, Entry(guid=g, url=f"https://wire.example/{g}", title=t, text="",
                                                published=when, language=lang))
                                   for g, t, lang in (("en", "Dam on the Dnipro destroyed", "en"),
                                                      ("uk", "Дамбу на Дніпрі зруйновано", "uk"))], when)
        s.commit()
    ids = [item.article_id for item in stored]
    descriptions = len(description_texts(load_topic(stories.topic), stories.model_name))
    assert fanout.warm_article_vectors(db_url, stories, ids) == 1 + descriptions + 2  # main: en; bridge: both
    stage = EncodeCalls(monkeypatch, vectors_module)
    with session(db_url) as s:
        decided = assign_stories(s, stories)
        s.commit()
    assert stage.texts == [] and decided[0].story_id == decided[1].story_id


def test_workers_storing_the_same_text_at_once_do_not_conflict(db_url, monkeypatch):
    """Two chunks carrying the same text (a wire copy in two feeds) encode it at the same time; both succeed."""
    both_encoding = threading.Barrier(2, timeout=60)
    real = fanout.encode

    def encode_together(model, texts):
        both_encoding.wait()  # neither has stored its vectors yet
        return real(model, texts)

    monkeypatch.setattr(fanout, "encode", encode_together)
    model = StorySettings().model_name
    texts = {vectors_module.embedding_key(model, t): t for t in ("Dam on the Dnipro destroyed", "Grain ship leaves Odesa")}
    results: list[int | BaseException] = []
    engine_for(db_url)  # the store exists before the workers start, as the flow's first task makes sure

    def warm() -> None:
        try:
            results.append(fanout.warm(db_url, model, texts))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)

    workers = [threading.Thread(target=warm) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert results == [2, 2]
    with session(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Embedding)) == 2


def test_threads_opening_the_store_at_once_all_get_it(db_url):
    """A Dask worker's first tasks open the store together (in-process migrations must take turns)."""
    engine_for(db_url)  # migrated by another process (the flow's first task)
    probe = ("import sys, threading; from warwatch.store.db import engine_for\n"
             "errors = []\n"
             "def open_store():\n"
             "    try: engine_for(sys.argv[1])\n"
             "    except Exception as exc: errors.append(repr(exc))\n"
             "threads = [threading.Thread(target=open_store) for _ in range(4)]\n"
             "[t.start() for t in threads]; [t.join(60) for t in threads]\n"
             "print(errors, sum(t.is_alive() for t in threads))")
    result = subprocess.run([sys.executable, "-c", probe, db_url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[-2] == "[] 0"


def demo_entries() -> list[Entry]:
    from warwatch.demo.server import FEEDS_DIR
    from warwatch.feeds.parse import parse_feed

    return [entry for path in sorted(FEEDS_DIR.iterdir()) if path.suffix in (".xml", ".atom")
            for entry in parse_feed(path.read_bytes(), headers={}, url=f"https://demo.example/{path.name}",
                                    fetched_at=utcnow()).entries]


def test_threads_extracting_claims_at_once_get_their_own_sentences():
    """A Dask worker runs several warm tasks at once in threads; each must read its own articles."""
    entries = demo_entries()
    alone = [[c.text for c in extract_claims(e.title, e.text, e.published)] for e in entries]
    together: dict[int, list[list[str]]] = {}

    def extract(worker: int) -> None:
        together[worker] = [[c.text for c in extract_claims(e.title, e.text, e.published)]
                            for _ in range(5) for e in entries]

    threads = [threading.Thread(target=extract, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert any(alone) and all(texts == alone * 5 for texts in together.values()) and len(together) == 6


@pytest.mark.parametrize("env, runner, detail", [
    ({}, "ThreadPoolTaskRunner", None),
    ({"WARWATCH_FANOUT__RUNNER": "dask", "WARWATCH_FANOUT__DASK_WORKERS": "3"}, "DaskTaskRunner",
     {"n_workers": 3, "processes": True, "host": "127.0.0.1"}),
    ({"WARWATCH_FANOUT__RUNNER": "dask", "WARWATCH_FANOUT__DASK_ADDRESS": "tcp://127.0.0.1:8786"}, "DaskTaskRunner",
     "tcp://127.0.0.1:8786"),
])
def test_deployed_flow_takes_its_task_runner_from_the_settings(env, runner, detail):
    """A worker or `warwatch serve` runs each flow run in a new process that loads the flow by entrypoint."""
    probe = ("import json; from prefect.flows import load_flow_from_entrypoint as load; "
             "r = load('warwatch.flows.monitor.monitor', use_placeholder_flow=False).task_runner; "
             "print(json.dumps([type(r).__name__, getattr(r, 'address', None) or getattr(r, 'cluster_kwargs', None)]))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WARWATCH_")}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            env={**clean, **env})
    assert result.returncode == 0, result.stderr[-2000:]
    name, shown = json.loads(result.stdout.splitlines()[-1])
    assert name == runner
    if isinstance(detail, dict):
        assert detail.items() <= shown.items()
    else:
        assert shown == detail


# ---------------------------------------------------------------- the monitor flow on Dask


def task_runs(flow_run_id) -> list[str]:
    """The names (without their suffix) of the task runs the Prefect API recorded for a flow run."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return [run.name.rsplit("-", 1)[0] for run in runs]


def flow_outcome(url: str) -> dict:
    """What a run decided, independent of row ids: stories as sets of guids, copies, claims, contradictions."""
    with session(url) as s:
        articles = {a.id: a for a in s.scalars(select(Article))}
        guid = {i: a.guid for i, a in articles.items()}
        stories: dict[int, set[str]] = {}
        for a in articles.values():
            stories.setdefault(a.story_id, set()).add(a.guid)
        claims = {c.id: (guid[c.article_id], c.kind, c.text) for c in s.scalars(select(Claim))}
        contradictions = {(claims[c.claim_id], claims[c.other_claim_id], c.kind)
                          for c in s.scalars(select(Contradiction))}
    return {"stories": sorted(sorted(g) for g in stories.values()),
            "copies": sorted((a.guid, guid[a.duplicate_of_id]) for a in articles.values() if a.duplicate_of_id),
            "claims": sorted(claims.values()), "contradictions": sorted(contradictions)}


def test_monitor_on_a_two_worker_dask_cluster_decides_as_with_threads(prefect_api, postgres, tmp_path, monkeypatch):
    """Threads on SQLite, then Dask (2 worker processes on 127.0.0.1, chunks of 3 articles) on PostgreSQL."""
    from warwatch.demo.server import DemoServer
    from warwatch.demo.slack_double import SlackDouble
    from warwatch.flows.monitor import monitor
    from warwatch.flows.runners import task_runner

    dask = FanoutSettings(runner="dask", dask_workers=2, chunk_size=3)
    urls = {"threads": f"sqlite:///{tmp_path / 'threads.db'}", "dask": postgres.new_database()}
    encoded_here, seconds, posted, task_names = {}, {}, {}, {}
    with DemoServer() as feeds, SlackDouble(tokens={"xoxb-flow"}, channels={"C0THREADS": "threads", "C0DASK": "dask"}) as slack:
        (tmp_path / "feeds.toml").write_text(dump_feeds(feeds.feed_specs()), encoding="utf-8")
        for name, value in {"WARWATCH_FEEDS_FILE": str(tmp_path / "feeds.toml"), "SLACK_BOT_TOKEN": "xoxb-flow",
                            "WARWATCH_SLACK_API_URL": slack.base_url, "WARWATCH_SLACK_PACE_SECONDS": "0"}.items():
            monkeypatch.setenv(name, value)
        for runner, flow in (("threads", monitor), ("dask", monitor.with_options(task_runner=task_runner(dask)))):
            with monkeypatch.context() as run:
                for name, value in {"WARWATCH_DATABASE_URL": urls[runner], "WARWATCH_DATA_DIR": str(tmp_path / runner),
                                    "WARWATCH_SLACK_CHANNEL": f"C0{runner.upper()}", "WARWATCH_FANOUT__RUNNER": runner,
                                    "WARWATCH_FANOUT__CHUNK_SIZE": str(dask.chunk_size)}.items():
                    run.setenv(name, value)
                calls = EncodeCalls(run, vectors_module)
                started = time.monotonic()
                state = flow(return_state=True)
                seconds[runner] = time.monotonic() - started
                assert state.is_completed(), state.message
                encoded_here[runner] = calls.texts
                task_names[runner] = task_runs(state.state_details.flow_run_id)
                posted[runner] = [m.text for m in slack.messages(f"C0{runner.upper()}")]
    print(f"monitor run: threads {seconds['threads']:.1f} s, dask {seconds['dask']:.1f} s")
    threads, dask_run = flow_outcome(urls["threads"]), flow_outcome(urls["dask"])
    assert threads["claims"] and threads["contradictions"], "the demo feeds should give claims and a contradiction"
    assert dask_run == threads
    assert posted["dask"] == posted["threads"] and posted["threads"]
    assert encoded_here["threads"] and encoded_here["dask"] == []  # under Dask the workers encoded everything
    # the workers' task runs are recorded by the flow's Prefect API: 12 new articles in chunks of 3
    assert task_names["dask"].count("warm-article-vectors") == task_names["dask"].count("warm-claim-vectors") == 4
    assert "warm-article-vectors" not in task_names["threads"]
