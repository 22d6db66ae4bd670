"""The label page in headless Chromium, signed in as a labeler (who sees only this page): the
label loop component plays the segment's window from the server's clip route, a correction
typed in English or in Hangul (through IME composition events) is saved with Ctrl+Enter, the
next segment opens with the caret in its text box, typing survives a reload as the restored
unsaved edit, and the lead then finds the save in the segment's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import LabelSettings, Role, SegmentStatus
from speechlabel.labeling.waveform import waveform_view
from speechlabel.projects.manage import update_label_settings
from tests.e2e.loop_page import (
    FIND_LOOP,
    compose_hangul,
    editor_state,
    loop_root,
    wait_for_editor,
    wait_until_saved,
    wait_until_shown,
)
from tests.e2e.steps import open_app, prelabeled_project, sign_in, wait_for_app_idle
from tests.sample_projects import drafts_for_all

LABELER_PASSWORD = "labeler password 1"

pytestmark = pytest.mark.e2e

# The loop's one <audio> element (inside the component's shadow root).
_AUDIO = (
    "() => {"
    + FIND_LOOP
    + """
  const root = __findLoop(document);
  const audio = root && root.querySelector('audio');
  return audio && {src: audio.currentSrc || audio.getAttribute('src'), duration: audio.duration,
                   ready: audio.readyState, rate: audio.playbackRate, error: audio.error && audio.error.code};
}"""
)


def prepared(page: Page, app_server, speech_dir, name: str) -> list:
    """A pre-labeled jfk.wav project with two speakers; its segments in time order."""
    prelabeled_project(page, app_server.url, name, speech_dir / "en" / "jfk.wav")
    store = app_server.open_store()
    try:
        update_label_settings(store, SYSTEM, name, LabelSettings(speakers=("Kennedy", "Reporter"), tags=("noise",)))
        drafts_for_all(store, store.get_project(name))
        for person, role in ((f"ana-{name}", Role.LABELER), (f"lou-{name}", Role.LEAD)):
            accounts.create_user(store, SYSTEM, person, LABELER_PASSWORD)
            accounts.set_role(store, SYSTEM, person, name, role)
        [recording] = store.list_recordings(store.get_project(name).id)
        return store.list_segments(recording.id)
    finally:
        store.close()


def saved(app_server, segment_id: str):
    store = app_server.open_store()
    try:
        return store.get_segment(segment_id)
    finally:
        store.close()


def window_of(app_server, segment_id: str):
    """The waveform window the loop plays for a segment: its clip URL and length in seconds."""
    store = app_server.open_store()
    try:
        view = waveform_view(store, app_server.settings, SYSTEM, segment_id)
        return view.clip_url, view.window.end - view.window.start
    finally:
        store.close()


def open_label_page(page: Page, app_server, project: str, first_id: str) -> None:
    """Sign in as the project's labeler: the Label page is all they get, and it opens first."""
    sign_in(page, app_server.url, f"ana-{project}", LABELER_PASSWORD)
    # One page only: Streamlit shows no page list at all, and no Projects or Users page exists.
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(transcript_box(page)).to_be_visible()
    for other in ("projects", "users"):
        open_app(page, app_server.url, other)
        expect(page.get_by_text("Page not found")).to_be_visible()  # no such page for a labeler
    open_app(page, app_server.url, f"?project={project}")  # their one page is the app's main page
    expect(transcript_box(page)).to_be_visible()
    wait_until_shown(page, first_id)


def transcript_box(page: Page):
    return page.get_by_role("textbox", name="Transcript")


def wait_for_clip(page: Page) -> dict:
    page.wait_for_function(f"(() => {{ const a = ({_AUDIO})(); return !!a && a.ready >= 1; }})()", timeout=15_000)
    return page.evaluate(_AUDIO)


def clip_responses(page: Page) -> list:
    """Every answer of the clip route this page receives, as it arrives: (url path+query, status)."""
    seen: list = []
    page.on(
        "response",
        lambda response: (
            seen.append((response.url.split("://", 1)[1].split("/", 1)[1], response.status))
            if "/clip/" in response.url
            else None
        ),
    )
    return seen


def clip_answered(clips: list, url: str) -> bool:
    """The clip route answered ``url`` (whole, or the byte range the media element asked for)."""
    return any(path == url.lstrip("/") and status in (200, 206) for path, status in clips)


def test_correct_a_word_and_save_with_ctrl_enter(page, app_server, speech_dir, screenshot):
    first, second, *_ = prepared(page, app_server, speech_dir, "label-en")
    clips = clip_responses(page)
    open_label_page(page, app_server, "label-en", first.id)

    # The clip comes from the clip route: the segment's waveform window with sub-second bounds.
    first_url, first_length = window_of(app_server, first.id)
    clip = wait_for_clip(page)
    assert clip["src"].endswith(first_url), (clip["src"], first_url)
    assert clip_answered(clips, first_url), clips
    assert clip["error"] is None and clip["duration"] == pytest.approx(first_length, abs=0.01)
    # The caret is already in the text box, holding the draft.
    wait_for_editor(page, first.id, first.text)
    # Faster twice: 1 → 1.25 → 1.5.
    page.get_by_title("Faster (Alt+.)").click()
    page.get_by_title("Faster (Alt+.)").click()
    assert page.evaluate(_AUDIO)["rate"] == 1.5
    expect(loop_root(page).locator(".speed")).to_have_text("1.5×")
    # Alt+number picks a speaker while typing in the text box.
    transcript_box(page).press("Alt+1")
    expect(loop_root(page).get_by_text("Speaker: Kennedy")).to_be_visible()
    expect(loop_root(page).locator("button.chip.active")).to_have_text("Kennedy · Alt+1")

    corrected = (
        first.text.replace("Americans", "Americans,", 1) if "Americans" in first.text else first.text + " (checked)"
    )
    box = transcript_box(page)
    box.click()
    box.press("Control+a")
    box.type(corrected)
    box.press("Control+Enter")
    # The next segment is open, its text in the box and the caret in it, ready to type.
    wait_until_shown(page, second.id)
    wait_for_editor(page, second.id, second.text)
    expect(loop_root(page).locator("h3.title")).to_contain_text("segment 2 of")
    wait_until_saved(page)
    expect(loop_root(page).locator(".messages")).to_have_text("Saved segment 1 of jfk.wav.")

    stored = saved(app_server, first.id)
    assert (stored.text, stored.speaker, stored.status, stored.updated_by) == (
        corrected,
        "Kennedy",
        SegmentStatus.SUBMITTED,
        "ana-label-en",
    )
    # The next clip came from the clip route too (fetched ahead, while the first was worked on).
    second_url, second_length = window_of(app_server, second.id)
    assert clip_answered(clips, second_url), clips
    clip = wait_for_clip(page)
    assert clip["error"] is None and clip["duration"] == pytest.approx(second_length, abs=0.01)
    # The chosen speed carries over to the next clip.
    assert clip["rate"] == 1.5
    screenshot(page)

    # The project's lead (a lead of this project only, not an admin) finds the save in the
    # segment's history on the Users page.
    sign_in(page, app_server.url, "lou-label-en", LABELER_PASSWORD)
    open_app(page, app_server.url, "users")
    page.get_by_role("textbox", name="A segment's history (segment id)").fill(first.id)
    page.keyboard.press("Enter")
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stDataFrame").nth(1)).to_contain_text("ana-label-en")
    screenshot(page, "-history")


HANGUL = [("ㅎ", "하", "한"), ("ㄱ", "구", "국"), ("ㅇ", "어"), (" ",), ("ㄱ", "교"), ("ㅈ", "저", "정")]


def test_hangul_typed_with_an_input_method_is_saved_and_survives_a_reload(page, app_server, speech_dir, screenshot):
    first, second, *_ = prepared(page, app_server, speech_dir, "label-ko")
    open_label_page(page, app_server, "label-ko", first.id)
    box = transcript_box(page)
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    compose_hangul(page, HANGUL)
    assert box.input_value() == "한국어 교정"
    # Leave the box (the edit is kept on the server), then reload: it is offered back.
    loop_root(page).get_by_role("textbox", name="Comment (optional)").click()
    wait_until_saved(page)
    page.reload()
    wait_for_app_idle(page)
    wait_until_shown(page, first.id)
    expect(transcript_box(page)).to_have_value("한국어 교정")
    expect(loop_root(page).locator(".notes")).to_contain_text("Your unsaved edit from")
    expect(loop_root(page).locator(".notes").get_by_role("button", name="Discard it")).to_be_visible()

    box = transcript_box(page)
    box.click()
    box.press("End")
    compose_hangul(page, [(" ",), ("ㄲ", "끄", "끝")])
    assert editor_state(page)["value"] == "한국어 교정 끝"
    box.press("Control+Enter")
    wait_until_shown(page, second.id)
    wait_for_editor(page, second.id, second.text)
    wait_until_saved(page)
    assert saved(app_server, first.id).text == "한국어 교정 끝"
    assert transcript_box(page).input_value() == second.text
    screenshot(page)
