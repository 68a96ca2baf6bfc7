"""Engines, sessions and schema migration (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


BUSY_TIMEOUT_SECONDS = 300
"""How long a SQLite write waits for another process's write transaction before "database is locked".

Every transaction begins IMMEDIATE (see _sqlite_begin), so a monitor run started while another is
working waits here for that run's longest transaction: the story stage embeds its whole backlog in
one, which takes minutes on a CPU for a first run of a few hundred articles. SQLite's lock dies
with its process, so the wait is only ever for a live transaction.
"""


class StoreError(Exception):
    """The store cannot be opened; the message is one clear line."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, see _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect in a new file; retention vacuums an older one
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Take the write lock up front: a deferred transaction that reads and then writes
    fails with "database is locked" at once, without waiting, when another writer
    committed in between; BEGIN IMMEDIATE waits for the busy timeout instead."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


_OPENING = threading.Lock()


def engine_for(url: str) -> Engine:
    """One migrated engine per URL and process; SQLite runs in WAL mode with a busy timeout.

    Threads that open a store at the same moment (a Dask worker's first tasks) take turns: Alembic keeps
    its migration context in module globals, and two migrations at once in one process fail.
    """
    with _OPENING:
        return _open(url)


@cache
def _open(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StoreError(f"bad database URL {_hide_password(url)!r}") from None
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use database {shown}: {exc}") from None
    try:
        with engine.connect():  # any driver error here is the URL's: unreachable, refused, a bad option
            pass
        migrate(engine)
    except (OperationalError, DBAPIError) as exc:
        if not isinstance(exc, OperationalError) and exc.statement:
            raise  # a migration's SQL failed: a bug, not the user's URL
        reason = str(exc.orig).strip().splitlines()[0]
        raise StoreError(f"cannot open database {shown}: {reason}") from None
    return engine


def _hide_password(text: str) -> str:
    """``user:password@`` shown as ``user:***@`` in a URL that SQLAlchemy cannot parse (and so cannot hide)."""
    return re.sub(r"([^:/@]+):[^@]*@", r"\1:***@", text, count=1)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@cache
def _sessions(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


def session(url: str) -> Session:
    """A new session on the (migrated) database at ``url``."""
    return _sessions(url)()


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Hold the store-wide lock ``name`` while the block runs: other processes (and threads)
    wait for it. The lock dies with its holder, so a killed run never leaves it taken.

    SQLite locks a file beside the database (filelock: flock, released by the kernel when the
    process dies); PostgreSQL takes a session advisory lock (released when the connection closes).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            key = zlib.crc32(f"warwatch:{name}".encode())
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    elif engine.url.database and engine.url.database != ":memory:":
        with FileLock(f"{engine.url.database}.{name}.lock", thread_local=False):
            yield
    else:  # an in-memory database is private to its process
        yield
