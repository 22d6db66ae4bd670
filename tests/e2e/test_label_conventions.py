"""The KsponSpeech convention on the label page in headless Chromium: a labeler types a dual
transcription in Hangul (real IME composition events) in the label loop's editor, inserts tags at
the caret with a hotkey and a button, sees the lint error of a mistake, is refused Save & next for
it (the project blocks on lint errors: a message, nothing saved, the text kept), fixes it with one
click and submits; the database holds the fixed text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import KSPON
from speechlabel.core.models import ConventionSettings, Draft, Role, SegmentStatus
from speechlabel.i18n import Lang, translate
from speechlabel.ingest.files import import_audio
from speechlabel.projects.conventions import update_convention_settings
from speechlabel.projects.manage import create_project
from tests.e2e.loop_page import (
    FIND_LOOP,
    compose_hangul,
    editor_state,
    loop_root,
    wait_for_editor,
    wait_until_saved,
    wait_until_shown,
)
from tests.e2e.steps import open_app, wait_for_app_idle
from tests.sample_projects import drafts_for_all

PASSWORD = "labeler password 1"
PROJECT = "kspon-e2e"
LABELER = "ana-kspon"

pytestmark = pytest.mark.e2e

_PUT_CARET = (
    "(at) => {"
    + FIND_LOOP
    + """
  const box = __findLoop(document).querySelector('textarea.sl-editor');
  box.focus(); box.setSelectionRange(at, at);
}"""
)


def kspon_segment(app_server, speech_dir):
    """A KsponSpeech project that blocks on lint errors, one drafted segment, its labeler."""
    store = app_server.open_store()
    try:
        project = drafts_for_all(store, create_project(store, PROJECT, language="ko", actor=SYSTEM))
        update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, True))
        data = (speech_dir / "en" / "LDC93S1.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, data, "LDC93S1.wav")
        [segment] = store.replace_segments(recording.id, project.id, [(0.1, 2.8)], {}, "prelabel")
        store.add_draft(
            segment.id, Draft("모 몬 소리야", (), -0.3, 0.02, 1.2, "ko", 0.99, "faster-whisper", "base", {}), "prelabel"
        )
        accounts.create_user(store, SYSTEM, LABELER, PASSWORD)
        accounts.set_role(store, SYSTEM, LABELER, PROJECT, Role.LABELER)
        return segment.id
    finally:
        store.close()


def sign_in_labeler(page: Page, url: str, segment_id: str) -> None:
    """Through the sign-in form. (``steps.sign_in`` checks an English greeting; a Korean project
    opens in Korean, and the labeler works in Korean: the label loop keeps the language it was
    mounted with, so this test reads its Korean texts, from the catalog.)"""
    page.context.clear_cookies()
    open_app(page, url)
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Username").fill(LABELER)
    form.get_by_role("textbox", name="Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    wait_for_app_idle(page)
    wait_until_shown(page, segment_id, timeout=30_000)
    expect(transcript_box(page)).to_be_visible()


def ko(key: str, **params) -> str:
    return translate(key, Lang.KO, **params)


def transcript_box(page: Page):
    return page.get_by_role("textbox", name=ko("loop.transcript"))


def wait_for_box(page: Page, value: str, caret: int) -> None:
    """The inserted text is in the box and the caret where the insertion put it, in focus."""
    wait_for_editor(page, editor_state(page)["segment"], value, caret)


def test_type_a_dual_transcription_in_hangul_fix_the_lint_error_and_submit(page, app_server, speech_dir, screenshot):
    open_app(page, app_server.url)  # the server's first run creates the database
    segment_id = kspon_segment(app_server, speech_dir)
    sign_in_labeler(page, app_server.url, segment_id)
    box = transcript_box(page)
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
    compose_hangul(
        page, [("ㅊ", "치", "칠"), ("ㅅ", "시", "십"), (" ",), ("ㅍ", "퍼"), ("ㅅ", "세", "센"), ("ㅌ", "트")]
    )
    box.press("End")
    compose_hangul(page, [(" ",), ("ㅎ", "화", "확"), ("ㄹ", "류", "률")])
    assert editor_state(page)["value"] == "모+몬 소리야 (70%)/(칠십 퍼센트) 확률"

    # A hotkey while typing puts the tag at the caret (here the start), not at the end.
    box.press("Home")
    box.press("Alt+b")
    wait_for_box(page, "b/ 모+몬 소리야 (70%)/(칠십 퍼센트) 확률", 3)
    # A button inserts where the caret was when the box lost focus: after "소리야".
    page.evaluate(_PUT_CARET, 10)
    page.locator(".scheme-tags button[data-tag='n/']").click()
    wait_for_box(page, "b/ 모+몬 소리야 n/ (70%)/(칠십 퍼센트) 확률", 14)  # after the space that follows
    expect(page.locator(".scheme-tags button[data-tag='n/']")).to_have_text("n/ · Alt+N")

    lint = loop_root(page).locator(".lint")
    expect(lint.locator(".problem.error")).to_have_count(1)
    joined = ko("lint.plus_joined", mark="+").split("ESPnet")[0].strip(" .")  # "+이(가) 다음 단어에 붙어 있습니다"
    expect(lint.locator(".problem.error")).to_contain_text(joined)
    screenshot(page, "-lint")

    save_next = loop_root(page).get_by_role("button", name=f"{ko('loop.save_next')} · Ctrl+Enter")
    save_next.click()
    # Refused: the same segment is back with the text as typed, and the reason.
    refused = ko("label.lint_rejected", position=0, message="", more="").split(":")[
        0
    ]  # "이 프로젝트는 … 받지 않습니다"
    expect(loop_root(page).locator(".messages")).to_contain_text(refused)
    expect(loop_root(page).locator(".messages")).to_contain_text(joined)
    wait_until_saved(page)
    wait_until_shown(page, segment_id)
    expect(box).to_have_value("b/ 모+몬 소리야 n/ (70%)/(칠십 퍼센트) 확률")
    store = app_server.open_store()
    try:
        assert store.get_segment(segment_id).status == SegmentStatus.DRAFTED
    finally:
        store.close()

    expect(lint.locator(".problem.error")).to_have_count(1)  # linted again after the reopening
    lint.get_by_role("button", name=ko("loop.fix")).click()
    fixed = "b/ 모+ 몬 소리야 n/ (70%)/(칠십 퍼센트) 확률"
    expect(box).to_have_value(fixed)
    expect(lint.locator(".problem")).to_have_count(0)
    expect(lint.get_by_role("button", name=ko("loop.fix"))).to_have_count(0)
    screenshot(page, "-fixed")

    save_next.click()
    wait_until_shown(page, "done")
    wait_until_saved(page)
    store = app_server.open_store()
    try:
        saved = store.get_segment(segment_id)
    finally:
        store.close()
    assert (saved.text, saved.status, saved.updated_by) == (fixed, SegmentStatus.SUBMITTED, LABELER)
    expect(loop_root(page).locator(".messages")).to_have_text(ko("loop.saved", recording="LDC93S1.wav", position=1))
    expect(loop_root(page)).to_contain_text(ko("loop.all_done"))
    screenshot(page)
