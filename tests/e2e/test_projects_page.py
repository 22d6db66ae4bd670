"""The Projects page in headless Chromium: create a project, upload a recording, pre-label it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from speechlabel.core.models import PrelabelState, SegmentStatus
from tests.e2e.steps import choose, create_project, prelabel_and_wait, sign_in, upload_audio, wait_for_app_idle

pytestmark = pytest.mark.e2e


def test_a_lead_creates_a_project_uploads_and_prelabels(page, app_server, speech_dir, screenshot):
    sign_in(page, app_server.url, "admin", "not the password", expect_error="wrong username or password")
    sign_in(page, app_server.url)
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="No projects yet")).to_be_visible()

    create_project(page, "jfk-e2e", language="en", model="tiny.en")
    imported = upload_audio(page, speech_dir / "en" / "jfk.wav")
    assert imported == ["jfk.wav: imported — 11.0 s"]

    result = prelabel_and_wait(page, recordings=1, timeout=120_000)
    screenshot(page)
    assert result.progress.startswith("pre-labeling done: 1/1 recordings")
    [row] = result.rows
    assert (row["recording"], row["pre-labeling"]) == ("jfk.wav", "drafted")
    drafted = int(row["drafted"])
    assert drafted >= 1 and int(row["new"]) == 0
    assert f"{drafted} segments" in result.summary

    store = app_server.open_store()
    try:
        project = store.get_project("jfk-e2e")
        assert project.language == "en" and project.engine_options["model"] == "tiny.en"
        [recording] = store.list_recordings(project.id)
        assert (recording.label, recording.id, recording.prelabel_state) == (
            "jfk.wav",
            row["id"],
            PrelabelState.DRAFTED,
        )
        segments = store.list_segments(recording.id)
        assert len(segments) == drafted and {s.status for s in segments} == {SegmentStatus.DRAFTED}
        words = "".join(ch for ch in " ".join(s.text for s in segments).lower() if ch.isalpha() or ch == " ").split()
        assert "ask not what your country can do for you" in " ".join(words)
    finally:
        store.close()


def test_files_chosen_for_one_project_are_not_imported_into_another(page, app_server, speech_dir):
    sign_in(page, app_server.url)
    create_project(page, "uploads-a", language="en", model="tiny.en")
    create_project(page, "uploads-b", language="en", model="tiny.en")
    choose(page, "Project", "uploads-a")
    wait_for_app_idle(page)
    upload = page.locator(".speechlabel-upload")
    upload.locator("input[type=file]").set_input_files(
        [str(speech_dir / "en" / "jfk.wav"), str(speech_dir / "en" / "LDC93S1.wav")]
    )
    expect(upload.get_by_role("button", name="Upload and import into uploads-a")).to_be_enabled()

    choose(page, "Project", "uploads-b")
    wait_for_app_idle(page)
    # Another project's component (its key holds the project id): nothing chosen, nothing to send.
    expect(upload.get_by_role("button", name="Upload and import into uploads-a")).to_have_count(0)
    expect(upload.get_by_role("button", name="Upload and import into uploads-b")).to_be_disabled()
    assert upload_audio(page, speech_dir / "en" / "LDC93S1.wav") == ["LDC93S1.wav: imported — 2.9 s"]
    expect(upload.get_by_role("button", name="Upload and import into uploads-b")).to_be_disabled()  # done

    store = app_server.open_store()
    try:
        assert [r.label for r in store.list_recordings(store.get_project("uploads-b").id)] == ["LDC93S1.wav"]
        assert store.list_recordings(store.get_project("uploads-a").id) == []
    finally:
        store.close()
