"""Database engines: SQLite tuned for many writers, PostgreSQL by URL; schema by migration."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
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


def make_engine(url: str, schema: str | None = None) -> Engine:
    """Create an engine; ``schema`` puts PostgreSQL tables in their own namespace (test isolation)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Writers queue on SQLite's lock while holding a pooled connection; with the default pool
        # (15) twenty busy labelers ran out of connections before the lock came round.
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_size=20, max_overflow=60
        )
        _tune_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not the legacy driver
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True, pool_size=10, max_overflow=30)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from pysqlite so that "begin" below decides the lock mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then writes
        # fails with "database is locked" instead of waiting (DESIGN.md §4, Storage).
        mode = connection.get_execution_options().get(BEGIN_MODE, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


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
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            schema = connection.execute(select(func.current_schema())).scalar_one()
            connection.execute(select(func.pg_advisory_xact_lock(migration_lock_key(schema or ""))))
        yield connection


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
