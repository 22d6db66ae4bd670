"""The KsponSpeech convention on the label page in headless Chromium: a labeler types a dual
transcription in Hangul (real IME composition events), inserts tags at the caret with a hotkey
and a button, sees the lint error of a mistake, is refused Save & next for it (the project
blocks on lint errors), fixes it with one click and submits; the database holds the fixed text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from speechlabel import accounts
from speechlabel.access import SYSTEM
from speechlabel.conventions import KSPON
from speechlabel.ingest import import_audio
from speechlabel.models import ConventionSettings, Draft, Role, SegmentStatus
from speechlabel.project_conventions import update_convention_settings
from speechlabel.projects import create_project
from tests.e2e.steps import open_app, wait_for_app_idle
from tests.e2e.test_label_page import compose_hangul

PASSWORD = "labeler password 1"
PROJECT = "kspon-e2e"
LABELER = "ana-kspon"

pytestmark = pytest.mark.e2e

_BOX_STATE = """() => {
  const box = document.querySelector('.st-key-transcript_box textarea');
  return box && {value: box.value, caret: box.selectionStart, focused: document.activeElement === box};
}"""


def kspon_segment(app_server, speech_dir):
    """A KsponSpeech project that blocks on lint errors, one drafted segment, its labeler."""
    store = app_server.open_store()
    try:
        project = create_project(store, PROJECT, language="ko", actor=SYSTEM)
        update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, True))
        data = (speech_dir / "en" / "LDC93S1.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, data, "LDC93S1.wav")
        [segment] = store.replace_segments(recording.id, project.id, [(0.1, 2.8)], {}, "prelabel")
        store.add_draft(segment.id, Draft("모 몬 소리야", (), -0.3, 0.02, 1.2, "ko", 0.99, "faster-whisper", "base", {}),
                        "prelabel")
        accounts.create_user(store, SYSTEM, LABELER, PASSWORD)
        accounts.set_role(store, SYSTEM, LABELER, PROJECT, Role.LABELER)
        return segment.id
    finally:
        store.close()


def sign_in_labeler(page: Page, url: str) -> None:
    """Through the sign-in form. (``steps.sign_in`` checks an English greeting; the sidebar of a
    Korean project speaks Korean until the switch turns it to English.)"""
    page.context.clear_cookies()
    open_app(page, url)
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Username").fill(LABELER)
    form.get_by_role("textbox", name="Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    wait_for_app_idle(page)
    # A Korean project opens in Korean; this test reads the English texts.
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_role("textbox", name="Transcript")).to_be_visible()


def box_state(page: Page) -> dict:
    return page.evaluate(_BOX_STATE)


def wait_for_box(page: Page, value: str, caret: int) -> None:
    """The inserted text is in the box and the caret where the insertion put it, in focus."""
    try:
        page.wait_for_function(f"(() => {{ const s = ({_BOX_STATE})(); return s && s.value === {value!r} "
                               f"&& s.caret === {caret} && s.focused; }})()", timeout=15_000)
    except PlaywrightTimeout:
        raise AssertionError(f"the box shows {box_state(page)}, not {value!r} with the caret at {caret}") from None


def test_type_a_dual_transcription_in_hangul_fix_the_lint_error_and_submit(page, app_server, speech_dir, screenshot):
    open_app(page, app_server.url)  # the server's first run creates the database
    segment_id = kspon_segment(app_server, speech_dir)
    sign_in_labeler(page, app_server.url)
    box = page.get_by_role("textbox", name="Transcript")
    expect(box).to_have_value("모 몬 소리야")
    box.click()
    box.press("Control+a")
    box.press("Backspace")

    # The mistake: "모+몬", a repetition mark glued to the next word (ESPnet drops such a line).
    compose_hangul(page, [("ㅁ", "모")])
    page.keyboard.type("+")
    compose_hangul(page, [("ㅁ", "모", "몬"), (" ",), ("ㅅ", "소"), ("ㄹ", "리"), ("ㅇ", "야"), (" ",)])
    # Alt+D inserts the dual transcription at the caret with the caret in its spelling side.
    box.press("Alt+d")
    wait_for_box(page, "모+몬 소리야 ()/()", 9)
    page.keyboard.type("70%")
    for _ in range(3):
        box.press("ArrowRight")  # over ")/(" into the pronunciation side
    compose_hangul(page, [("ㅊ", "치", "칠"), ("ㅅ", "시", "십"), (" ",), ("ㅍ", "퍼"), ("ㅅ", "세", "센"), ("ㅌ", "트")])
    box.press("End")
    compose_hangul(page, [(" ",), ("ㅎ", "화", "확"), ("ㄹ", "류", "률")])
    assert box_state(page)["value"] == "모+몬 소리야 (70%)/(칠십 퍼센트) 확률"

    # A hotkey while typing puts the tag at the caret (here the start), not at the end.
    box.press("Home")
    box.press("Alt+b")
    wait_for_box(page, "b/ 모+몬 소리야 (70%)/(칠십 퍼센트) 확률", 3)
    # A button inserts where the caret was when the box lost focus: after "소리야".
    page.evaluate("() => { const b = document.querySelector('.st-key-transcript_box textarea');"
                  " b.focus(); b.setSelectionRange(10, 10); }")
    page.get_by_role("button", name="n/ · Alt+N").click()
    wait_for_box(page, "b/ 모+몬 소리야 n/ (70%)/(칠십 퍼센트) 확률", 14)  # after the space that follows
    wait_for_app_idle(page)

    lint = page.locator(".st-key-lint_problems")
    expect(lint).to_contain_text("1 error(s)")
    expect(lint).to_contain_text("is joined to the next word")
    expect(lint).to_contain_text("This project refuses Save & next while errors are listed.")
    screenshot(page, "-lint")

    page.get_by_role("button", name="Save & next").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("breaks the project's transcription rules")).to_be_visible()
    store = app_server.open_store()
    try:
        assert store.get_segment(segment_id).status == SegmentStatus.DRAFTED
    finally:
        store.close()

    lint.get_by_role("button", name="Fix").click()
    wait_for_app_idle(page)
    fixed = "b/ 모+ 몬 소리야 n/ (70%)/(칠십 퍼센트) 확률"
    expect(box).to_have_value(fixed)
    expect(lint).to_contain_text("No problems with the KsponSpeech / ETRI rules")
    screenshot(page, "-fixed")

    page.get_by_role("button", name="Save & next").click()
    wait_for_app_idle(page)
    store = app_server.open_store()
    try:
        saved = store.get_segment(segment_id)
    finally:
        store.close()
    assert (saved.text, saved.status, saved.updated_by) == (fixed, SegmentStatus.SUBMITTED, LABELER)
    expect(page.get_by_text(f"Nothing left to label in {PROJECT}")).to_be_visible()
    screenshot(page)
