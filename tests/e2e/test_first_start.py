"""A first start without SPEECHLABEL_ADMIN_PASSWORD: the generated admin password is on the
server's console, never on the sign-in page that a stranger may open first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import open_app, sign_in

PRINTED = re.compile(r"admin account 'admin', password: (\S+)")


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return {}  # no SPEECHLABEL_ADMIN_PASSWORD: the server generates one


def test_a_fresh_servers_sign_in_page_shows_no_password(page, app_server, screenshot):
    seen = []
    for _ in range(2):  # the first visitor and the next one alike
        page.context.clear_cookies()
        open_app(page, app_server.url)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        seen.append(page.get_by_test_id("stApp").inner_text() + page.content())
    screenshot(page)
    printed = PRINTED.findall(app_server.log_path.read_text(errors="replace"))
    assert len(printed) == 1, app_server.log_tail()
    password = printed[0]
    assert not any(password in shown or "First start" in shown for shown in seen)
    sign_in(page, app_server.url, "admin", password)  # the console's password is the admin's
