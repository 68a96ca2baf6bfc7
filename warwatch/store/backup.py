"""Backup and restore of a SQLite store with SQLite's online backup API.

A backup reads one snapshot of the store (WAL mode: writers go on meanwhile) into a file that
is renamed into place when complete. A restore copies a backup into the live database file, in
place, only while no other connection has the store open (see :func:`restore`).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import text
from sqlalchemy.engine import make_url

from warwatch.store.db import BUSY_TIMEOUT_SECONDS, MIGRATIONS, engine_for, migrate

IN_USE_TIMEOUT_SECONDS = 2
"""How long a restore waits for another connection to let go of the store before giving up."""

IN_USE = "the store is in use by a running warwatch; stop it and try again"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one clear line."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    revision: str | None


def backup(db_url: str, path: Path, force: bool = False) -> BackupInfo:
    """Copy the store at ``db_url`` to ``path``: a temporary file beside it, renamed into place when complete."""
    store, path = _store_path(db_url), Path(path)
    if store.exists() and path.exists() and store.samefile(path):
        raise BackupError(f"{path} is the store itself")
    if path.exists() and not force:
        raise BackupError(f"{path} exists; use --force to overwrite it")
    if not store.is_file():
        raise BackupError(f"no store at {store}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror}") from None
    os.close(fd)
    try:
        with closing(_connect(store, "rw", BUSY_TIMEOUT_SECONDS)) as source, closing(sqlite3.connect(tmp)) as copy:
            source.backup(copy)  # all pages in one step: one read transaction, one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, synced (synchronous=FULL)
            revision = _revision(copy)
        os.replace(tmp, path)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {store}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return BackupInfo(path, path.stat().st_size, revision)


def restore(db_url: str, path: Path, graphs: Iterable[Path] = ()) -> tuple[str, str]:
    """Make the backup at ``path`` the store at ``db_url``, then migrate it; returns (backup's revision, store's).

    The store is taken with SQLite's exclusive locking mode, which fails while any other connection
    (a run, ``warwatch serve``, a Dask worker, a ``sqlite3`` shell) has the database open, even idle:
    in WAL mode every open connection holds a shared lock on the file. The backup is then copied
    into the live file in place, and the saved nearest-neighbour ``graphs`` (and their rows) deleted.
    """
    store, path = _store_path(db_url), Path(path)
    revision = check_backup(path)
    if store.exists() and store.samefile(path):
        raise BackupError(f"{path} is the store itself")
    store.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(store, timeout=IN_USE_TIMEOUT_SECONDS, isolation_level=None)) as live:
            try:
                live.execute("PRAGMA locking_mode=EXCLUSIVE")
                live.execute("PRAGMA journal_mode=WAL")
                live.execute("BEGIN EXCLUSIVE")  # the lock stays taken until the connection closes
                live.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise BackupError(IN_USE) from None
                raise
            for graph in graphs:
                _remove_graph(Path(graph))
            with closing(_connect(path, "ro")) as source:
                source.backup(live)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {store}: {exc}") from None
    engine = engine_for(db_url)
    migrate(engine)  # the engine may be one this process opened before: migrate it again
    with engine.connect() as connection:
        return revision, connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_backup(path: Path) -> str:
    """The schema revision of the warwatch store in the file ``path``; BackupError when this code cannot use it."""
    if not path.is_file():
        raise BackupError(f"{path} not found")
    try:
        with closing(_connect(path, "ro")) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "articles"} <= tables:
                raise BackupError(f"{path} is not a warwatch store (no alembic_version and articles tables)")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (PRAGMA quick_check fails)")
            revision = _revision(db)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc})") from None
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if revision not in known:
        raise BackupError(f"{path} has schema revision {revision}, which this warwatch does not know; "
                          "restore it with the newer warwatch that wrote it")
    return revision


def _store_path(db_url: str) -> Path:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError("backup and restore are for a SQLite store; on PostgreSQL use pg_dump -Fc and "
                          "pg_restore --clean (see README, Backup and restore)")
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory store has nothing to back up or restore")
    return Path(url.database)


def _connect(path: Path, mode: str, timeout: float = 5) -> sqlite3.Connection:
    """A connection to the existing file ``path`` (``mode`` "ro" or "rw"); never creates one."""
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=timeout)


def _revision(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return row[0] if row else None


def _remove_graph(path: Path) -> None:
    """Delete a saved graph and its rows, under the lock its readers and writers take (see stories/ann.py)."""
    with FileLock(path.with_suffix(".lock")):
        for stale in (path, path.with_suffix(".npz")):
            stale.unlink(missing_ok=True)
