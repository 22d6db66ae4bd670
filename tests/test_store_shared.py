"""``Store.shared()``: a request's reads on one connection and one read transaction, with writes
in the block seen by the reads after them; and SQLite's writers queued in the process."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import ProgrammingError

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import StoreUnavailable
from speechlabel.core.models import LabelSettings
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.store import schema as tables


class Begins:
    """Transactions begun and connections taken from the pool, on one engine."""

    def __init__(self, store: Store):
        self.begins = 0
        self.checkouts = 0
        event.listen(store.engine, "begin", self._begin)
        event.listen(store.engine, "checkout", self._checkout)

    def _begin(self, connection) -> None:
        self.begins += 1

    def _checkout(self, *args) -> None:
        self.checkouts += 1


def test_reads_in_a_block_share_one_connection_and_one_transaction(store, project):
    counted = Begins(store)
    with store.shared():
        for _ in range(5):
            assert store.get_project_by_id(project.id).name == "demo"
            assert store.get_project("demo").id == project.id
    assert (counted.begins, counted.checkouts) == (1, 1)

    counted.begins = counted.checkouts = 0
    for _ in range(5):
        store.get_project_by_id(project.id)
    assert (counted.begins, counted.checkouts) == (5, 5)  # outside a block: one each, as before


def test_a_write_in_the_block_is_seen_by_the_reads_after_it(store, project):
    with store.shared():
        assert store.get_project_by_id(project.id).label_settings.low_confidence != 0.25
        store.update_label_settings(project.id, LabelSettings(low_confidence=0.25))
        assert store.get_project_by_id(project.id).label_settings.low_confidence == 0.25
    # ... and it was committed: another connection sees it.
    assert store.get_project_by_id(project.id).label_settings.low_confidence == 0.25


def test_a_write_that_fails_in_the_block_is_rolled_back_and_the_block_reads_on(store, project):
    with store.shared():
        with pytest.raises(RuntimeError):
            with store.write() as connection:
                connection.execute(
                    tables.projects.update().where(tables.projects.c.id == project.id).values(name="renamed")
                )
                raise RuntimeError("the write's caller failed")
        assert store.get_project_by_id(project.id).name == "demo"
    assert store.get_project_by_id(project.id).name == "demo"


def test_a_failed_statement_does_not_spoil_the_blocks_later_reads(store, project):
    # On PostgreSQL a failed statement aborts its transaction: the block must start a new one.
    with store.shared():
        # PostgreSQL's error passes through; SQLite's (an OperationalError) is read as StoreUnavailable.
        with pytest.raises((ProgrammingError, StoreUnavailable)):
            with store.read() as connection:
                connection.exec_driver_sql("SELECT no_such_column FROM projects")
        assert store.get_project_by_id(project.id).name == "demo"


def test_a_write_nested_in_a_read_of_the_block_takes_its_own_connection(store, project):
    with store.shared():
        with store.read() as connection:
            before = connection.execute(select(tables.projects.c.name)).scalar()
            create_project(store, "second", language="en", actor=SYSTEM)  # writes inside the read
            assert connection.execute(select(tables.projects.c.name)).scalar() == before
        assert {p.name for p in store.list_projects()} == {"demo", "second"}


def test_blocks_in_other_threads_are_their_own(store, project):
    seen: list[str] = []

    def other() -> None:
        with store.shared():
            seen.append(store.get_project_by_id(project.id).name)

    with store.shared():
        store.get_project_by_id(project.id)
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=10)
    assert seen == ["demo"]


def test_sqlite_writers_of_one_process_queue_without_sleeping_between_tries(tmp_path):
    # SQLite's own wait for a taken write lock sleeps up to 100 ms between tries; writers of one
    # process wait in a queue instead and start as soon as the last one commits.
    store = Store.open(f"sqlite:///{tmp_path / 'queue.db'}")
    try:
        project = create_project(store, "queue", language="en", actor=SYSTEM)
        held = threading.Event()
        waits: list[float] = []

        def holder() -> None:
            with store.write() as connection:
                connection.execute(tables.projects.update().values(name="held"))
                held.set()
                time.sleep(0.3)

        def writer() -> None:
            held.wait()
            started = time.perf_counter()
            store.update_label_settings(project.id, LabelSettings(low_confidence=0.3))
            waits.append(time.perf_counter() - started)

        threads = [threading.Thread(target=holder)] + [threading.Thread(target=writer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(waits) == 4 and max(waits) < 0.3 + 0.25, waits
        assert store.get_project_by_id(project.id).label_settings.low_confidence == 0.3
    finally:
        store.close()
