"""Database engines: SQLite tuned for many writers, PostgreSQL by URL; schema by migration."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option read by the SQLite "begin" hook: reads may start deferred transactions.
BEGIN_MODE = "speechlabel_begin_mode"
# Migrations on PostgreSQL take turns on an advisory lock whose key is made from this name and the
# schema migrated (migration_lock_key).
MIGRATION_LOCK_NAME = "speechlabel-migrations"


@dataclass(frozen=True)
class PoolLimits:
    """The connections one process keeps open (``size``) and may open beyond them while busy
    (``max_overflow``, closed again once returned); None takes the database's default below.
    ($SPEECHLABEL_DB_POOL_SIZE and $SPEECHLABEL_DB_MAX_OVERFLOW, Settings.database_pool.)"""

    size: int | None = None
    max_overflow: int | None = None

    def or_else(self, default: PoolLimits) -> PoolLimits:
        return PoolLimits(
            size=default.size if self.size is None else self.size,
            max_overflow=default.max_overflow if self.max_overflow is None else self.max_overflow,
        )


DATABASE_DEFAULT_POOL = PoolLimits()  # both limits as the database's default below


# SQLite: writers queue on SQLite's lock while holding a pooled connection; with SQLAlchemy's
# default (5 + 10) twenty busy labelers ran out of connections before the lock came round. A SQLite
# file has no connection limit of its own, so the overflow is generous.
SQLITE_POOL = PoolLimits(size=20, max_overflow=60)
# PostgreSQL: at most 10 + 30 = 40 connections per process. The server's default max_connections
# is 100, 3 of them reserved for superusers: two app servers at their busiest (80) fit, with room
# left for the command line and psql; more servers need smaller pools or a larger max_connections
# (README, "Several app servers on one PostgreSQL").
POSTGRESQL_POOL = PoolLimits(size=10, max_overflow=30)


def make_engine(url: str, schema: str | None = None, pool: PoolLimits = DATABASE_DEFAULT_POOL) -> Engine:
    """Create an engine; ``schema`` puts PostgreSQL tables in their own namespace (test isolation);
    ``pool`` bounds its connections (unset limits: SQLITE_POOL or POSTGRESQL_POOL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        limits = pool.or_else(SQLITE_POOL)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=limits.size,
            max_overflow=limits.max_overflow,
        )
        _tune_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not the legacy driver
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    limits = pool.or_else(POSTGRESQL_POOL)
    return create_engine(
        parsed,
        connect_args=connect_args,
        pool_pre_ping=True,
        pool_size=limits.size,
        max_overflow=limits.max_overflow,
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from pysqlite so that "begin" below decides the lock mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _write_ahead_log(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then writes
        # fails with "database is locked" instead of waiting (DESIGN.md §4, Storage).
        mode = connection.get_execution_options().get(BEGIN_MODE, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _write_ahead_log(cursor) -> None:
    """Put the database in WAL mode (kept in the file: once set, this is a read).

    Switching a fresh file to WAL takes an exclusive lock, and SQLite answers "database is locked"
    at once, without its busy handler, while another connection is inside a transaction: two
    servers (or a server and its worker) opening one fresh data folder together met exactly that.
    So the switch is tried again for as long as a busy lock would have been waited for."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default); a no-op when it is there.
    An older revision is for tests that need a database as an earlier release left it."""
    with _migrating(engine) as connection:
        command.upgrade(_config(connection), revision)


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (what an earlier release reads: the benchmarks run
    the old label page on the database the new code built)."""
    with _migrating(engine) as connection:
        command.downgrade(_config(connection), revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole migration, which one process at a time runs on a database.
    Several app servers (or a server and the command line) may start together on one fresh
    database; without turns both would create the tables and the second fail on them. Turns make
    the second wait, then find the schema at the revision and do nothing.

    PostgreSQL: a transaction-scoped advisory lock per schema migrated (two servers on one schema
    take turns, two test schemas do not wait for each other); its DDL is transactional, so the
    waiting process reads the finished schema. SQLite: the "begin" hook's BEGIN IMMEDIATE already
    takes the file's write lock, and the busy timeout makes the second process wait for it."""
    with engine.connect() as connection, _without_cascades(connection), connection.begin():
        if connection.dialect.name == "postgresql":
            schema = connection.execute(select(func.current_schema())).scalar_one()
            connection.execute(select(func.pg_advisory_xact_lock(migration_lock_key(schema or ""))))
        yield connection


@contextmanager
def _without_cascades(connection: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrating. SQLite cannot drop a column of a table with
    foreign keys in place, so Alembic's batch mode copies the table and drops the old one; with
    foreign keys on, that drop deletes every row referring to it (ON DELETE CASCADE): dropping a
    column of ``recordings`` would delete every segment. The pragma only acts outside a
    transaction, hence on the raw connection before ours begins."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None  # a connection just checked out of the pool
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")  # the pooled connection goes back as it came


def migration_lock_key(schema: str) -> int:
    """The advisory lock key for migrating ``schema``: 64 bits of a hash of the name, the same in
    every process and every version of this code (Python's hash() differs between processes).
    The single-key lock space is apart from the two-key one the claims use (leases.py)."""
    digest = hashlib.sha256(f"{MIGRATION_LOCK_NAME}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config
