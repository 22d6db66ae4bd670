"""The SQLite database file deleted under a running ``streamlit run`` while a labeler works: the
next save shows the database's message in the label loop, no traceback anywhere, and nothing
says "Saved" (speechlabel/store/file_guard.py refuses every write once the file is gone; without
it the save would "succeed" into the deleted file and be lost at the next start).

A module of its own: the server's database is gone afterwards.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Draft, PrelabelState, Role
from speechlabel.ingest.files import import_audio
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from tests.e2e.steps import assert_no_exception, loop_editor, loop_root, sign_in, wait_until_saved
from tests.sample_projects import drafts_for_all

pytestmark = pytest.mark.e2e

PASSWORD = "database gone password"


def test_a_save_after_the_database_file_is_deleted_says_so_and_claims_nothing(page, app_server, speech_dir):
    url = app_server.settings.resolved_database_url
    store = Store.open(url)  # migrated here: the server's first page may not have come yet
    try:
        project = drafts_for_all(store, create_project(store, "gone", language="en", actor=SYSTEM))
        audio = (speech_dir / "en/jfk.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, audio, "jfk.wav")
        segments = store.replace_segments(recording.id, project.id, [(0.3, 2.3), (2.5, 5.0)], {}, "e2e")
        for segment, words in zip(segments, ("and so my fellow", "americans ask not")):
            store.add_draft(segment.id, Draft(words, (), -0.3, 0.01, 1.4, "en", 0.99, "e2e", "e2e", {}), "e2e")
        store.set_prelabel_state(recording.id, PrelabelState.DRAFTED)
        accounts.create_user(store, SYSTEM, "lia", PASSWORD)
        accounts.set_role(store, SYSTEM, "lia", "gone", Role.LABELER)
    finally:
        store.close()
    database = Path(make_url(url).database)
    assert database.is_file()

    sign_in(page, app_server.url, "lia", PASSWORD)
    expect(loop_root(page)).to_have_attribute("data-shown", segments[0].id, timeout=15_000)
    wait_until_saved(page)
    logged_before = len(app_server.log_path.read_text(errors="replace"))

    database.unlink()  # as someone cleaning up the data folder would, with the server running
    loop_editor(page).press("End")
    page.keyboard.type(" americans")
    page.keyboard.press("Control+Enter")
    message = loop_root(page).locator(".messages")
    expect(message).to_have_text(
        f"the database file {database} was deleted or replaced while the app was running, so nothing more can be "
        "saved; restore the file (or start afresh) and restart the app",
        timeout=15_000,
    )
    expect(message).to_have_class("messages error")
    wait_until_saved(page)
    assert_no_exception(page)
    expect(loop_root(page)).to_have_attribute("data-shown", segments[0].id)  # back on the unsaved segment
    # Nothing claims the save (the loop's "Saved segment 1 of jfk.wav.", a page's "Saved."), anywhere.
    expect(page.get_by_text(re.compile(r"^Saved( segment|\.$)"))).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_have_count(0)
    logged = app_server.log_path.read_text(errors="replace")[logged_before:]
    assert "Traceback" not in logged, logged
    assert "refusing writes" in logged  # the guard said why in the server's log
