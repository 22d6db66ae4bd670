"""The label loop's routes on a database that refuses writes (a real SQLite file made read-only, a
real PostgreSQL session in read-only mode): a save answers 503 with the translated reason, not a
500 with SQLAlchemy's text, and nothing changes."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from pathlib import Path

import sqlalchemy

from speechlabel.store import Store
from tests.label_routes_client import edit, first_to_do, opened, signed_in
from tests.read_only import read_only_file
from views.label_api import LANG_HEADER


@contextmanager
def refusing_writes(store: Store):
    """SQLite: the database file is made read-only; PostgreSQL: every new session is read-only."""
    if store.dialect == "sqlite":
        guard = read_only_file(Path(store.engine.url.database))
    else:
        guard = nullcontext()

        @sqlalchemy.event.listens_for(store.engine, "connect")
        def read_only(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()

    store.engine.dispose()  # connections opened before could still write
    with guard:
        yield
        store.engine.dispose()
    if store.dialect != "sqlite":
        sqlalchemy.event.remove(store.engine, "connect", read_only)
        store.engine.dispose()


def test_a_save_on_a_read_only_database_answers_503_with_the_reason(app, store, calls):
    first = first_to_do(store, calls, "ana")
    web = signed_in(app, store, "ana")
    card = opened(web, first.id)
    with refusing_writes(store):
        refused = web.post(
            "/api/label/save", json=edit(card, "and so my fellow Americans, corrected"), headers={LANG_HEADER: "ko"}
        )
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["kind"] == "StoreUnavailable"
    assert "kept_for" not in body  # the text could not be kept either: the browser keeps it as unsaved
    assert body["error"].startswith("데이터베이스가 읽기 전용이라")
    assert "INSERT" not in refused.text and "UPDATE" not in refused.text
    assert store.get_segment(first.id).version == first.version
