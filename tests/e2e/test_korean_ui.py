"""The Korean UI in headless Chromium: a browser that prefers Korean gets the sign-in page in
Korean, signs in through the Korean form, and the sidebar's switch turns the app to English and
back; on the label page the label loop opens in the Korean project's language, and the switch
turns it to English too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Draft, Role
from speechlabel.ingest.files import import_audio
from speechlabel.projects.manage import create_project
from tests.e2e.conftest import VIEWPORT
from tests.e2e.loop_page import wait_until_shown
from tests.e2e.steps import ADMIN_PASSWORD, open_app, wait_for_app_idle
from tests.sample_projects import drafts_for_all

pytestmark = pytest.mark.e2e


@pytest.fixture
def korean_page(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")  # navigator.language and Accept-Language
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def test_a_korean_browser_signs_in_in_korean_and_switches_to_english(korean_page, app_server, screenshot):
    page = korean_page
    open_app(page, app_server.url)
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="사용자 이름").fill("admin")
    form.get_by_role("textbox", name="비밀번호").fill("not the password")
    form.get_by_role("button", name="로그인").click()
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_text("사용자 이름 또는 비밀번호가 올바르지 않습니다.")

    form.get_by_role("textbox", name="비밀번호").fill(ADMIN_PASSWORD)
    form.get_by_role("button", name="로그인").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("admin 님으로 로그인함 (관리자)")).to_be_visible()
    expect(page.get_by_role("heading", name="프로젝트", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="아직 프로젝트가 없습니다")).to_be_visible()
    screenshot(page)

    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    expect(page.get_by_text("Signed in as admin (admin)")).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_text("한국어", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="프로젝트", exact=True)).to_be_visible()


def test_the_language_switch_turns_the_label_loop_to_english(korean_page, app_server, speech_dir):
    page = korean_page
    open_app(page, app_server.url)  # the server's first run creates the database
    store = app_server.open_store()
    try:
        project = drafts_for_all(store, create_project(store, "ko-loop", language="ko", actor=SYSTEM))
        data = (speech_dir / "en" / "LDC93S1.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, data, "LDC93S1.wav")
        [segment] = store.replace_segments(recording.id, project.id, [(0.1, 2.8)], {}, "prelabel")
        store.add_draft(
            segment.id, Draft("모 몬 소리야", (), -0.3, 0.02, 1.2, "ko", 0.99, "faster-whisper", "base", {}), "prelabel"
        )
        accounts.create_user(store, SYSTEM, "ko-labeler", "labeler password 1")
        accounts.set_role(store, SYSTEM, "ko-labeler", "ko-loop", Role.LABELER)
    finally:
        store.close()
    page.context.clear_cookies()
    open_app(page, app_server.url)
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="사용자 이름").fill("ko-labeler")
    form.get_by_role("textbox", name="비밀번호").fill("labeler password 1")
    form.get_by_role("button", name="로그인").click()
    wait_for_app_idle(page)
    # A Korean project opens in Korean: the loop too.
    wait_until_shown(page, segment.id)
    expect(page.get_by_role("textbox", name="전사")).to_be_visible()
    expect(page.locator("div.sl-loop h3.title")).to_have_text("LDC93S1.wav — 세그먼트 1/1")

    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Signed in as ko-labeler")).to_be_visible()  # the page around is English
    expect(page.locator("div.sl-loop h3.title")).to_have_text("LDC93S1.wav — segment 1 of 1", timeout=5_000)
    expect(page.get_by_role("textbox", name="Transcript")).to_be_visible(timeout=1_000)
