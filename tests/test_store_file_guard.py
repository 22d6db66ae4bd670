"""A SQLite file deleted or replaced under a running app stops every write with a clear error
(before, saves kept "succeeding" into the unlinked file and were gone at the next start)."""

from __future__ import annotations

import os
import shutil

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.i18n import Lang, error_message
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.store.file_guard import DatabaseFileGone


@pytest.fixture
def opened(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'speechlabel.db'}")
    yield store, tmp_path / "speechlabel.db"
    store.close()


def test_a_deleted_database_file_refuses_writes_with_a_clear_message(opened):
    store, path = opened
    create_project(store, "before", language="en", actor=SYSTEM)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if leftover.exists():
            os.remove(leftover)
    with pytest.raises(DatabaseFileGone) as refused:
        create_project(store, "after", language="en", actor=SYSTEM)
    assert "was deleted or replaced while the app was running" in str(refused.value)
    assert "삭제" in error_message(refused.value, Lang.KO) or "지워" in error_message(refused.value, Lang.KO)
    assert not path.exists()  # nothing was written into a new, empty file either


def test_a_database_file_replaced_by_another_refuses_writes(opened, tmp_path):
    store, path = opened
    create_project(store, "before", language="en", actor=SYSTEM)
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    os.replace(copy, path)  # another file (another inode) at the same path
    with pytest.raises(DatabaseFileGone):
        create_project(store, "after", language="en", actor=SYSTEM)


def test_postgresql_and_an_untouched_file_write_as_before(store):
    create_project(store, "one", language="en", actor=SYSTEM)
    create_project(store, "two", language="en", actor=SYSTEM)
    assert {project.name for project in store.list_projects()} == {"one", "two"}
