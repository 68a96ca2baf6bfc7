"""warwatch backup and restore: SQLite's online backup API, while runs write, and refused while the store is in use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select

from warwatch.store.backup import IN_USE, BackupError, backup, restore
from warwatch.store.db import MIGRATIONS, engine_for, session
from warwatch.store.models import Article, Delivery, Feed, Story

T0 = datetime(2024, 8, 12, 10, 30, tzinfo=timezone.utc)
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()
BATCH = 25

WRITER = """
import sys, time
from pathlib import Path
from warwatch.store.db import session
from warwatch.store.models import Feed
url, stop, batch = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
deadline, n = time.monotonic() + 60, 0
with session(url) as s:
    while not stop.exists() and time.monotonic() < deadline:
        for _ in range(batch):  # one transaction, open while the rows go in one by one
            s.add(Feed(name="w", url=f"https://example.org/w{n}"))
            s.flush()
            n += 1
            time.sleep(0.002)
        s.commit()
        if n == batch:
            print("writing", flush=True)
print(n, flush=True)
"""

HOLDER = """
import sys, time
from pathlib import Path
from warwatch.store.db import session
from warwatch.store.models import Feed
url, stop = sys.argv[1], Path(sys.argv[2])
deadline = time.monotonic() + 60
with session(url) as s:
    s.add(Feed(name="held", url="https://example.org/held"))
    s.flush()  # BEGIN IMMEDIATE: the write transaction is open
    print("holding", flush=True)
    while not stop.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    s.rollback()
"""


@pytest.fixture
def url(tmp_path) -> str:
    """A store with a feed, a story, two articles and a delivery."""
    url = f"sqlite:///{tmp_path / 'live' / 'warwatch.db'}"
    with session(url) as s:
        feed = Feed(name="Example", url="https://example.org/feed")
        story = Story(title="Army chief reports gains", first_seen=T0, last_updated=T0, article_count=2)
        s.add_all([feed, story])
        s.flush()
        s.add_all([Article(feed_id=feed.id, guid=f"g{i}", url=f"https://example.org/{i}", title=f"Report {i}",
                           published=T0, content_hash=f"h{i}", story_id=story.id) for i in range(2)])
        s.add(Delivery(key="new:1", kind="new", story_id=story.id, text="Army chief reports gains"))
        s.commit()
    return url


def snapshot(url: str) -> list:
    with session(url) as s:
        return [[(row.id, row.title) for row in s.scalars(select(Article))],
                [(row.id, row.title) for row in s.scalars(select(Story))],
                [(row.key, row.status) for row in s.scalars(select(Delivery))],
                s.scalar(select(func.count()).select_from(Feed))]


def count(path: Path, table: str = "feeds") -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def start(script: str, *args: str, ready: str) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == ready
    return child


def test_round_trip(url, tmp_path):
    before = snapshot(url)
    info = backup(url, tmp_path / "copy.db")
    assert info.revision == HEAD and info.size == (tmp_path / "copy.db").stat().st_size
    with session(url) as s:
        s.get_one(Story, 1).title = "Changed"
        s.delete(s.scalars(select(Delivery)).one())
        s.add(Article(feed_id=1, guid="g9", url="https://example.org/9", title="Later", published=T0,
                      content_hash="h9"))
        s.commit()
    assert snapshot(url) != before
    engine_for(url).dispose()  # this process's idle connections hold the store too
    graph = tmp_path / "index-stories-x.usearch"
    graph.write_bytes(b"graph")
    graph.with_suffix(".npz").write_bytes(b"rows")
    assert restore(url, tmp_path / "copy.db", [graph]) == (HEAD, HEAD)
    assert snapshot(url) == before
    assert not graph.exists() and not graph.with_suffix(".npz").exists()


def test_backup_while_a_run_writes(url, tmp_path):
    stop = tmp_path / "stop"
    writer = start(WRITER, url, str(stop), str(BATCH), ready="writing")
    try:
        counts = []
        for i in range(3):
            copy = tmp_path / f"copy{i}.db"
            backup(url, copy)
            with sqlite3.connect(copy) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            counts.append(count(copy) - 1)  # less the fixture's feed
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=60)[0])
    assert writer.returncode == 0
    assert all(n % BATCH == 0 for n in counts), counts  # whole transactions only
    assert 0 < counts[0] <= counts[1] <= counts[2] < written
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_restore_refused_while_a_run_holds_the_store(url, tmp_path):
    backup(url, tmp_path / "copy.db")
    with session(url) as s:
        s.add(Feed(name="Later", url="https://example.org/later"))
        s.commit()
    engine_for(url).dispose()
    stop = tmp_path / "stop"
    holder = start(HOLDER, url, str(stop), ready="holding")
    try:
        with pytest.raises(BackupError, match=IN_USE):
            restore(url, tmp_path / "copy.db")
        backup(url, tmp_path / "during.db")  # a backup still works, without the uncommitted row
        assert count(tmp_path / "during.db") == 2
    finally:
        stop.touch()
        holder.communicate(timeout=60)
    assert count(Path(url.removeprefix("sqlite:///"))) == 2  # nothing changed


def test_restore_refused_while_the_store_is_open_idle(url, tmp_path):
    backup(url, tmp_path / "copy.db")
    with engine_for(url).connect():
        pass  # the pool keeps the connection open, as a run's does between transactions
    with pytest.raises(BackupError, match=IN_USE):
        restore(url, tmp_path / "copy.db")
    engine_for(url).dispose()
    restore(url, tmp_path / "copy.db")


def test_older_backup_is_migrated(url, tmp_path):
    old = tmp_path / "old.db"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with create_engine(f"sqlite:///{old}").begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    engine_for(url).dispose()
    assert restore(url, old) == ("0005", HEAD)
    assert snapshot(url) == [[], [], [], 0]


def test_refusals(url, tmp_path):
    copy = tmp_path / "copy.db"
    backup(url, copy)
    with pytest.raises(BackupError, match="exists; use --force"):
        backup(url, copy)
    assert backup(url, copy, force=True).revision == HEAD
    store = Path(url.removeprefix("sqlite:///"))
    with pytest.raises(BackupError, match="is the store itself"):
        backup(url, store, force=True)
    engine_for(url).dispose()
    text = tmp_path / "notes.txt"
    text.write_text("not a database " * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    future = tmp_path / "future.db"
    future.write_bytes(copy.read_bytes())
    with sqlite3.connect(future) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    for path, message in [(tmp_path / "missing.db", "not found"), (text, "is not a SQLite database"),
                          (other, "is not a warwatch store"),
                          (future, "revision 9999, which this warwatch does not know"),
                          (store, "is the store itself")]:
        with pytest.raises(BackupError, match=message):
            restore(url, path)
    with pytest.raises(BackupError, match="no store at"):
        backup(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "x.db")
    with pytest.raises(BackupError, match="cannot write"):
        backup(url, tmp_path / "no" / "such" / "dir.db")
    postgres = "postgresql+psycopg://user:secret@db.example.org/warwatch"
    for call in (lambda: backup(postgres, tmp_path / "pg.db"), lambda: restore(postgres, copy)):
        with pytest.raises(BackupError, match="pg_dump -Fc"):
            call()
    assert count(store, "articles") == 2


def warwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "WARWATCH_DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "warwatch", *args], capture_output=True, text=True, timeout=120,
                          env={**base, **env})


def one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("warwatch: ") and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli(tmp_path):
    env = {"WARWATCH_DATA_DIR": str(tmp_path / "data")}
    one_line_error(warwatch("backup", str(tmp_path / "copy.db"), env=env), "no store at")
    url = f"sqlite:///{tmp_path / 'data' / 'warwatch.db'}"
    with session(url) as s:
        s.add(Feed(name="Example", url="https://example.org/feed"))
        s.commit()
    engine_for(url).dispose()
    result = warwatch("backup", str(tmp_path / "copy.db"), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {tmp_path / 'copy.db'} (") and f"schema revision {HEAD})" in result.stdout
    one_line_error(warwatch("backup", str(tmp_path / "copy.db"), env=env), "exists; use --force")
    assert warwatch("backup", "--force", str(tmp_path / "copy.db"), env=env).returncode == 0
    (tmp_path / "notes.txt").write_text("hello " * 200)
    one_line_error(warwatch("restore", str(tmp_path / "notes.txt"), env=env), "is not a SQLite database")
    one_line_error(warwatch("restore", str(tmp_path / "missing.db"), env=env), "not found")
    pg = {**env, "WARWATCH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}
    one_line_error(warwatch("backup", str(tmp_path / "pg.db"), env=pg), "pg_dump")
    one_line_error(warwatch("restore", str(tmp_path / "copy.db"), env=pg), "pg_restore")
    with engine_for(url).connect():
        one_line_error(warwatch("restore", str(tmp_path / "copy.db"), env=env), IN_USE)
    engine_for(url).dispose()
    result = warwatch("restore", str(tmp_path / "copy.db"), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"restored {tmp_path / 'copy.db'} (schema revision {HEAD}) into {url}"
    assert count(tmp_path / "data" / "warwatch.db") == 1
