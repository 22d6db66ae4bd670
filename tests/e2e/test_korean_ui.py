"""The Korean UI in headless Chromium: a browser that prefers Korean gets the sign-in page in
Korean, signs in through the Korean form, and the sidebar's switch turns the app to English and
back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT
from tests.e2e.steps import ADMIN_PASSWORD, open_app, wait_for_app_idle

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
