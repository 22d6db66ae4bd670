"""The label page in headless Chromium, signed in as a labeler (who sees only this page): the
clip plays from the server's clip route, a correction typed in English or in Hangul (through IME
composition events) is saved with Ctrl+Enter, the next segment opens with the caret in its text
box, typing survives a reload, and the lead then finds the save in the segment's history."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from speechlabel import accounts
from speechlabel.access import SYSTEM
from speechlabel.models import LabelSettings, Role, SegmentStatus
from speechlabel.projects import update_label_settings
from tests.e2e.steps import open_app, prelabeled_project, sign_in, wait_for_app_idle

LABELER_PASSWORD = "labeler password 1"

pytestmark = pytest.mark.e2e

_AUDIO = """() => {
  const roots = [...document.querySelectorAll('*')].map((e) => e.shadowRoot).filter(Boolean);
  const audio = roots.map((r) => r.querySelector('audio')).find(Boolean);
  return audio && {src: audio.getAttribute('src'), duration: audio.duration, ready: audio.readyState,
                   rate: audio.playbackRate, error: audio.error && audio.error.code};
}"""
_FOCUSED_TEXT = "() => document.activeElement && document.activeElement.tagName === 'TEXTAREA' ? document.activeElement.value : null"


def prepared(page: Page, app_server, speech_dir, name: str) -> list:
    """A pre-labeled jfk.wav project with two speakers; its segments in time order."""
    prelabeled_project(page, app_server.url, name, speech_dir / "en" / "jfk.wav")
    store = app_server.open_store()
    try:
        update_label_settings(store, SYSTEM, name, LabelSettings(speakers=("Kennedy", "Reporter"), tags=("noise",)))
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


def open_label_page(page: Page, app_server, project: str) -> None:
    """Sign in as the project's labeler: the Label page is all they get, and it opens first."""
    sign_in(page, app_server.url, f"ana-{project}", LABELER_PASSWORD)
    # One page only: Streamlit shows no page list at all, and no Projects or Users page exists.
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Transcript")).to_be_visible()
    for other in ("projects", "users"):
        open_app(page, app_server.url, other)
        expect(page.get_by_text("Page not found")).to_be_visible()  # no such page for a labeler
    open_app(page, app_server.url, f"?project={project}")  # their one page is the app's main page
    expect(page.get_by_role("textbox", name="Transcript")).to_be_visible()


def transcript_box(page: Page):
    return page.get_by_role("textbox", name="Transcript")


def wait_for_clip(page: Page) -> dict:
    page.wait_for_function(f"({_AUDIO})() && ({_AUDIO})().ready >= 1", timeout=15_000)
    return page.evaluate(_AUDIO)


def test_correct_a_word_and_save_with_ctrl_enter(page, app_server, speech_dir, screenshot):
    first, second, *_ = prepared(page, app_server, speech_dir, "label-en")
    open_label_page(page, app_server, "label-en")

    # The clip comes from the clip route, cut to the segment with sub-second bounds.
    clip = wait_for_clip(page)
    assert clip["src"] == f"/clip/{first.recording_id}.wav?start={first.start:.3f}&end={first.end:.3f}"
    assert clip["error"] is None and clip["duration"] == pytest.approx(first.duration, abs=0.01)
    # The caret is already in the text box, holding the draft.
    assert page.evaluate(_FOCUSED_TEXT) == first.text
    page.locator("button[data-speed='1.5']").click()
    assert page.evaluate(_AUDIO)["rate"] == 1.5
    # Number keys pick speakers outside the text box.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("1")
    wait_for_app_idle(page)
    expect(page.get_by_text("now: Kennedy")).to_be_visible()

    corrected = first.text.replace("Americans", "Americans,", 1) if "Americans" in first.text else first.text + " (checked)"
    box = transcript_box(page)
    box.click()
    box.press("Control+a")
    box.type(corrected)
    box.press("Control+Enter")
    wait_for_app_idle(page)

    stored = saved(app_server, first.id)
    assert (stored.text, stored.speaker, stored.status, stored.updated_by) == (
        corrected, "Kennedy", SegmentStatus.SUBMITTED, "ana-label-en")
    # The next segment is open, its text in the box and the caret in it, ready to type.
    expect(page.get_by_text("segment 2 of")).to_be_visible()
    page.wait_for_function(f"({_FOCUSED_TEXT})() === {second.text!r}", timeout=10_000)
    assert wait_for_clip(page)["src"].endswith(f"start={second.start:.3f}&end={second.end:.3f}")
    # The chosen speed carries over to the next clip.
    assert page.evaluate(_AUDIO)["rate"] == 1.5
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


def compose_hangul(page: Page, syllables: list[tuple[str, ...]]) -> None:
    """Type like a Korean input method: each syllable goes through composition states
    (ㅎ → 하 → 한) before it is committed, as Chromium sees it from a real IME."""
    cdp = page.context.new_cdp_session(page)
    for states in syllables:
        for state in states:
            cdp.send("Input.imeSetComposition", {"text": state, "selectionStart": len(state), "selectionEnd": len(state)})
            time.sleep(0.05)
        cdp.send("Input.insertText", {"text": states[-1]})
    cdp.detach()


HANGUL = [("ㅎ", "하", "한"), ("ㄱ", "구", "국"), ("ㅇ", "어"), (" ",), ("ㄱ", "교"), ("ㅈ", "저", "정")]


def test_hangul_typed_with_an_input_method_is_saved_and_survives_a_reload(page, app_server, speech_dir, screenshot):
    first, second, *_ = prepared(page, app_server, speech_dir, "label-ko")
    open_label_page(page, app_server, "label-ko")
    box = transcript_box(page)
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    compose_hangul(page, HANGUL)
    assert box.input_value() == "한국어 교정"
    # Leave the box (the edit is kept on the server), then reload: it is offered back.
    page.get_by_text("Comment (optional)").click()
    wait_for_app_idle(page)
    page.reload()
    wait_for_app_idle(page)
    expect(transcript_box(page)).to_have_value("한국어 교정")
    expect(page.get_by_text("Your unsaved edit from")).to_be_visible()

    box = transcript_box(page)
    box.click()
    box.press("End")
    compose_hangul(page, [(" ",), ("ㄲ", "끄", "끝")])
    box.press("Control+Enter")
    wait_for_app_idle(page)
    assert saved(app_server, first.id).text == "한국어 교정 끝"
    page.wait_for_function(f"({_FOCUSED_TEXT})() === {second.text!r}", timeout=10_000)
    screenshot(page)
