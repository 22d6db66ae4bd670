"""Database failures reach users as StoreUnavailable with a translated message (never SQLAlchemy's
text): a real SQLite file made read-only, a real PostgreSQL session in read-only mode, and the
classification of the failures we cannot cause on demand (disk full, locked, connection lost)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy
from sqlalchemy.exc import InternalError, OperationalError

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import StoreUnavailable
from speechlabel.i18n import Lang, error_message
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.store.failures import unavailable
from tests.read_only import read_only_file


def test_a_write_to_a_read_only_sqlite_file_is_refused_with_a_clear_error(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'speechlabel.db'}"
    store = Store.open(url)
    create_project(store, "first", language="en", actor=SYSTEM)
    store.close()  # a clean close leaves no -wal/-shm beside the file
    with read_only_file(tmp_path / "speechlabel.db"):
        store = Store.open(url, migrate=False)
        try:
            assert [p.name for p in store.list_projects()] == ["first"]  # reads still work
            with pytest.raises(StoreUnavailable) as raised:
                create_project(store, "second", language="en", actor=SYSTEM)
        finally:
            store.close()
    error = raised.value
    assert error.message_key == "error.database_read_only"
    assert isinstance(error.__cause__, OperationalError)  # the details stay on the error, for the log
    assert error_message(error, Lang.EN).startswith("the database is read-only: nothing was saved")
    assert error_message(error, Lang.KO).startswith("데이터베이스가 읽기 전용이라")
    assert "INSERT" not in str(error) and "sqlite" not in str(error).lower()
    assert "attempt to write a readonly database" in caplog.text  # the database's own words: the server's log


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_write_in_a_read_only_postgresql_session_is_refused_with_a_clear_error(database_url):
    url, schema = database_url
    store = Store.open(url, schema=schema)
    try:
        create_project(store, "first", language="en", actor=SYSTEM)
        store.engine.dispose()

        @sqlalchemy.event.listens_for(store.engine, "connect")
        def read_only(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()

        with pytest.raises(StoreUnavailable) as raised:
            create_project(store, "second", language="en", actor=SYSTEM)
        assert raised.value.message_key == "error.database_read_only"
        assert isinstance(raised.value.__cause__, InternalError)  # ReadOnlySqlTransaction, SQLSTATE 25006
        assert [p.name for p in store.list_projects()] == ["first"]
    finally:
        store.close()


def test_a_write_in_a_shared_block_maps_the_failure_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'speechlabel.db'}"
    Store.open(url).close()
    with read_only_file(tmp_path / "speechlabel.db"):
        store = Store.open(url, migrate=False)
        try:
            with pytest.raises(StoreUnavailable), store.shared():
                store.list_projects()
                create_project(store, "late", language="en", actor=SYSTEM)
        finally:
            store.close()


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("database or disk is full", "error.database_full"),
        ("database is locked", "error.database_busy"),
        ("unable to open database file", "error.database_unreachable"),
        ("something else entirely", "error.database_failed"),
    ],
)
def test_sqlite_failures_are_told_apart(words, key):
    error = OperationalError("INSERT INTO projects ...", {}, sqlite3.OperationalError(words))
    assert unavailable(error).message_key == key
