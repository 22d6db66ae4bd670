"""Several app servers (or a server and the command line) on one database: starting together on a
fresh one, they migrate it once (two real processes at the same moment, on a SQLite file and on
a PostgreSQL schema); each process's connection pool is a setting (Settings.database_pool)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from speechlabel.core.errors import ValidationError
from speechlabel.store import PoolLimits, Store
from speechlabel.store.engine import _MIGRATIONS, make_engine, migration_lock_key, upgrade_schema
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.korean_errors import assert_in_korean

ROOT = Path(__file__).resolve().parents[1]

# One server's start: the engine made, then (once told) the migration, as Store.open runs them.
# It prints when its migration began and ended; alembic logs each revision it runs.
MIGRATE = textwrap.dedent(
    """
    import logging, sys, time
    from speechlabel.store.engine import make_engine, upgrade_schema

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    engine = make_engine(sys.argv[1], schema=sys.argv[2] or None)
    print("ready", flush=True)
    sys.stdin.readline()
    began = time.time()
    upgrade_schema(engine)
    print(began, time.time(), flush=True)
    """
)


def _migrate_together(url: str, schema: str | None) -> list[tuple[float, float, str]]:
    """Two processes upgrade the database at the same moment (both are started and have imported
    everything first); each one's (began, ended, log)."""
    with ExitStack() as stack:
        processes = [
            stack.enter_context(
                subprocess.Popen(
                    [sys.executable, "-c", MIGRATE, url, schema or ""],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            for _ in range(2)
        ]
        for process in processes:
            assert process.stdout is not None and process.stdout.readline() == "ready\n", process.communicate()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        finished = [process.communicate(timeout=120) for process in processes]
        for process, (_, log) in zip(processes, finished):
            assert process.returncode == 0, log
        return [(*map(float, out.split()), log) for out, log in finished]


def test_two_processes_migrating_one_fresh_database_together_both_succeed(database_url):
    url, schema = database_url
    first, second = _migrate_together(url, schema)
    # They ran together (each began before the other ended), or the test proved nothing.
    assert max(first[0], second[0]) < min(first[1], second[1]), "one began after the other ended"
    # Each revision ran once, in one of them; the other waited, found the newest and did nothing.
    script = ScriptDirectory(str(_MIGRATIONS))
    ran = [line for _, _, log in (first, second) for line in log.splitlines() if line.startswith("Running upgrade")]
    assert len(ran) == len(list(script.walk_revisions()))
    engine = make_engine(url, schema=schema)
    try:
        assert _revisions(engine) == [script.get_current_head()]
    finally:
        engine.dispose()


def test_the_migration_lock_key_is_fixed_per_schema():
    """Every process and every release of the code must compute the same key for a schema."""
    assert migration_lock_key("public") == -6727923137191253316
    assert migration_lock_key("public") != migration_lock_key("test_0123456789ab")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_migration_waits_for_its_own_schemas_lock_only(database_url, postgres_admin):
    """Two servers on one schema take turns; two schemas (the tests' own) do not wait for each other."""
    url, schema = database_url
    engine = make_engine(url, schema=schema)
    try:
        with postgres_admin.begin() as holder:
            holder.execute(select(func.pg_advisory_xact_lock(migration_lock_key(f"{schema}_other"))))
            _upgrade_in_thread(engine, "0001").join(timeout=60)  # done while another schema's lock is held
            assert _revisions(engine) == ["0001"]
            holder.execute(select(func.pg_advisory_xact_lock(migration_lock_key(schema))))
            waiting = _upgrade_in_thread(engine, "head")
            _wait_until(lambda: _waiting_for(holder, migration_lock_key(schema)))
            assert _revisions(engine) == ["0001"]
        waiting.join(timeout=60)  # the holder's transaction ended: its lock with it
        assert _revisions(engine) == [ScriptDirectory(str(_MIGRATIONS)).get_current_head()]
    finally:
        engine.dispose()


def _upgrade_in_thread(engine, revision: str) -> threading.Thread:
    """``upgrade_schema`` in a thread of its own (joined with a timeout: a wait that should not
    happen fails the test instead of hanging it)."""
    thread = threading.Thread(target=upgrade_schema, args=(engine, revision), daemon=True)
    thread.start()
    return thread


def _revisions(engine) -> list[str]:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()


def _waiting_for(connection, key: int) -> bool:
    """Whether some session waits for the single-key advisory lock ``key`` (pg_locks shows its
    high and low 32 bits as classid and objid)."""
    waiting = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1 "
        "AND classid::bigint = :high AND objid::bigint = :low"
    )
    unsigned = key & (2**64 - 1)
    return connection.execute(waiting, {"high": unsigned >> 32, "low": unsigned & (2**32 - 1)}).scalar_one() == 1


def _wait_until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time given"
        time.sleep(0.05)


# --- the connection pool of one process ------------------------------------------------------


def test_the_pool_settings_reach_the_engine(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHLABEL_DB_POOL_SIZE", "3")
    monkeypatch.setenv("SPEECHLABEL_DB_MAX_OVERFLOW", "2")
    settings = Settings.from_env(tmp_path / "data")
    assert settings.database_pool == PoolLimits(size=3, max_overflow=2)
    url, schema = database_url
    store = Store.open(url, schema=schema, migrate=False, pool=settings.database_pool)
    try:
        pool = store.engine.pool
        assert pool.size() == 3
        assert pool._max_overflow == 2  # SQLAlchemy has no public reader of it
        with ExitStack() as held:
            for _ in range(5):
                held.enter_context(store.engine.connect())  # a connection is checked out when opened
            assert pool.overflow() == 2  # all five at once: the three kept and two beyond them
    finally:
        store.close()


def test_the_workspace_opens_its_store_with_the_pool_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPEECHLABEL_DB_POOL_SIZE", "4")
    monkeypatch.setenv("SPEECHLABEL_DB_MAX_OVERFLOW", "0")  # a hard cap is allowed
    workspace = Workspace.open(Settings.from_env(tmp_path / "data"))
    try:
        assert workspace.store.engine.pool.size() == 4
        assert workspace.store.engine.pool._max_overflow == 0
    finally:
        workspace.close()


def test_unset_pool_settings_keep_each_databases_default(database_url, monkeypatch, tmp_path):
    """SQLite 20 + 60 (writers queue on its lock holding a connection), PostgreSQL 10 + 30 (two
    servers fit in its default max_connections); one setting alone leaves the other's default."""
    monkeypatch.delenv("SPEECHLABEL_DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("SPEECHLABEL_DB_MAX_OVERFLOW", raising=False)
    assert Settings.from_env(tmp_path / "data").database_pool == PoolLimits()
    url, schema = database_url
    engine = make_engine(url, schema=schema, pool=Settings.from_env(tmp_path / "data").database_pool)
    default = {"sqlite": (20, 60), "postgresql": (10, 30)}[engine.dialect.name]
    assert (engine.pool.size(), engine.pool._max_overflow) == default
    engine.dispose()
    monkeypatch.setenv("SPEECHLABEL_DB_POOL_SIZE", "5")
    engine = make_engine(url, schema=schema, pool=Settings.from_env(tmp_path / "data").database_pool)
    assert (engine.pool.size(), engine.pool._max_overflow) == (5, default[1])
    engine.dispose()


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("SPEECHLABEL_DB_POOL_SIZE", "0", "1 or more"),
        ("SPEECHLABEL_DB_POOL_SIZE", "-3", "1 or more"),
        ("SPEECHLABEL_DB_POOL_SIZE", "ten", "1 or more"),
        ("SPEECHLABEL_DB_POOL_SIZE", "2.5", "1 or more"),
        ("SPEECHLABEL_DB_MAX_OVERFLOW", "-1", "0 or more"),
        ("SPEECHLABEL_DB_MAX_OVERFLOW", "lots", "0 or more"),
    ],
)
def test_a_bad_pool_setting_is_refused_naming_the_variable(monkeypatch, tmp_path, variable, value, allowed):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        Settings.from_env(tmp_path / "data")
    english = str(refused.value)
    assert english.startswith(f"{variable} is {value!r}; give a whole number of database connections")
    assert english.endswith(allowed)
    assert f"`{variable}` 값 {value!r}" in assert_in_korean(refused.value)
