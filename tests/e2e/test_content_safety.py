"""Issue 17 in headless Chromium: user text named like Markdown (an image beacon, links, a colour
directive, LaTeX, HTML) shows literally on the review and label pages, loads nothing and links
nowhere; a labeler sees no Deploy button, no developer items in the menu, and no CSV download in a
table's toolbar (it would write a transcript like =HYPERLINK(...) raw). In the label loop, a lead's
own tag scheme's tag meanings and the lint messages quoting a hostile transcript are text too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions.scheme_file import scheme_from_bytes
from speechlabel.core.markdown_text import WORD_JOINER
from speechlabel.core.models import ConventionSettings, LabelSettings, ReviewReason, Role
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.projects.conventions import update_convention_settings
from speechlabel.projects.manage import create_project
from speechlabel.review import decisions as review
from speechlabel.store import Store
from tests.e2e.steps import loop_editor, loop_root, open_app, sign_in, wait_for_app_idle, wait_until_saved
from tests.sample_projects import drafts_for_all

pytestmark = pytest.mark.e2e

PASSWORD = "content e2e password"
PROJECT = "![x](http://127.0.0.1:9/beacon) [link](http://evil) :red[red] $x^2$ <b>b</b>"
SPEAKER = "![s](http://127.0.0.1:9/s) :red[s]"
TAG = "[t](http://evil) $t^2$ <i>t</i>"
FILE = "[f](http://evil) <b>f</b>.wav"
COMMENT = "see ![c](http://127.0.0.1:9/c) and [here](http://evil) :blue[now] $c^2$ <b>c</b>"
FORMULA = '=HYPERLINK("http://evil","click")'
LABELER, REVIEWER = "ana-content", "rita-content"


def as_read(text: str) -> str:
    """The text as the page shows it: the same characters, with an invisible word joiner where
    GitHub's autolinks would start (speechlabel/core/markdown_text.py)."""
    return text.replace("://", ":" + WORD_JOINER + "//").replace("www.", "www" + WORD_JOINER + ".")


@pytest.fixture(scope="module")
def reworked(app_server, speech_dir):
    """The hostile project with jfk.wav in two segments: the labeler saved the first with the
    hostile speaker and tag, the reviewer rejected it with the hostile comment, the labeler
    submitted it again (its id is returned); the second waits with a formula for a transcript."""
    # Migrated here: the server creates its tables on its first page run, which may not have come yet.
    store = Store.open(app_server.settings.resolved_database_url)
    try:
        project = create_project(
            store, PROJECT, language="en", actor=SYSTEM, label_settings=LabelSettings(speakers=(SPEAKER,), tags=(TAG,))
        )
        project = drafts_for_all(store, project)
        recording = import_audio(store, app_server.settings, project, (speech_dir / "en/jfk.wav").read_bytes(), FILE)
        store.replace_segments(recording.id, project.id, [(0.0, 4.0), (4.0, 8.0), (8.0, 11.0)], {}, "test")
        for person, role in ((LABELER, Role.LABELER), (REVIEWER, Role.REVIEWER)):
            accounts.create_user(store, SYSTEM, person, PASSWORD)
            accounts.set_role(store, SYSTEM, person, PROJECT, role)
        ana, rita = (accounts.login(store, person, PASSWORD)[1] for person in (LABELER, REVIEWER))
        first = labeling.next_segment(store, ana, project)
        labeling.save_and_next(store, ana, first.id, first.version, "and so my fellow americans", SPEAKER, [TAG], None)
        review.reject(store, rita, first.id, store.get_segment(first.id).version, ReviewReason.TEXT_MINOR, COMMENT)
        version = labeling.open_segment(store, ana, first.id).segment.version
        labeling.save_and_next(store, ana, first.id, version, "and so my fellow americans", SPEAKER, [TAG], None)
        second = labeling.next_segment(store, ana, project)
        labeling.save_and_next(store, ana, second.id, second.version, FORMULA, None, (), None)
        return first.id
    finally:
        store.close()


def watch_requests(page: Page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def assert_nothing_rendered_from_user_text(page: Page, requested: list[str]) -> None:
    app = page.get_by_test_id("stApp")
    # (The navigation's own links carry the project in their query string, URL-encoded.)
    assert app.locator('a[href^="http://evil"], a[href^="http://127.0.0.1:9/"], a[href*="www.evil"]').count() == 0
    assert app.locator('img[src*="127.0.0.1:9"]').count() == 0
    assert app.locator(".katex").count() == 0  # no LaTeX
    assert app.locator("b, i").filter(has_text=re.compile(r"^[bcfit]$")).count() == 0  # no HTML from names
    assert app.locator('[class*="red"], [class*="blue"]').filter(has_text=re.compile(r"^(red|s|now)$")).count() == 0
    assert not [url for url in requested if "127.0.0.1:9/" in url or "evil" in url], requested


def test_names_comments_and_file_names_show_literally_and_load_nothing(page, app_server, reworked):
    requested = watch_requests(page)
    sign_in(page, app_server.url, REVIEWER, PASSWORD)
    open_app(page, app_server.url, f"review?review={reworked}")
    expect(page.get_by_role("heading", name="Review")).to_be_visible()
    main, sidebar = page.get_by_test_id("stMain"), page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text(as_read(PROJECT))  # "reviewer in <project>"
    expect(main).to_contain_text(as_read(FILE))  # the header: the recording's file name
    expect(main).to_contain_text(as_read(SPEAKER))
    expect(main).to_contain_text(as_read(TAG))
    expect(main).to_contain_text(as_read(COMMENT))  # the earlier review
    wait_for_app_idle(page)
    assert_nothing_rendered_from_user_text(page, requested)

    sign_in(page, app_server.url, LABELER, PASSWORD)  # a labeler lands on the Label page
    expect(page.get_by_role("heading", name="Label")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(as_read(PROJECT))
    expect(page.get_by_test_id("stExpander").filter(has_text="Your work")).to_contain_text(as_read(PROJECT))
    wait_for_app_idle(page)
    assert_nothing_rendered_from_user_text(page, requested)


def test_a_labeler_sees_no_developer_chrome_and_no_table_download(page, app_server, reworked):
    sign_in(page, app_server.url, LABELER, PASSWORD)
    expect(page.get_by_role("heading", name="Label")).to_be_visible()
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    page.get_by_test_id("stMainMenu").click()
    menu = page.get_by_test_id("stMainMenuList")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text("Print")  # the viewer's items stay
    for developer_item in ("Rerun", "Clear cache", "Deploy", "Developer options"):
        expect(menu).not_to_contain_text(developer_item)
    page.keyboard.press("Escape")

    expander = page.get_by_test_id("stExpander").filter(has_text="Your work")
    expander.locator("summary").click()
    grid = expander.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    grid.hover()
    toolbar = page.get_by_test_id("stElementToolbar").filter(has=page.get_by_label("Fullscreen"))
    expect(toolbar.first).to_be_visible()  # the toolbar is there (so its buttons were looked at)...
    expect(page.get_by_label("Download as CSV")).to_have_count(0)  # ...without the raw CSV download


MEANING = "![m](http://127.0.0.1:9/m.png) [meaning](http://evil) :red[m] $m^2$ <b>m</b>"
SCHEME_FILE = f"""
name = "hostile"
base = "generic"
title = "![t](http://127.0.0.1:9/t.png) :red[t] <b>t</b>"

[[tags]]
tag = "[machine]"
kind = "noise"
meaning = {MEANING!r}
hotkey = "Alt+Q"
""".encode()
TYPED = " <i>i</i> [l](http://evil) ![x](http://127.0.0.1:9/x.png)"


def test_a_leads_tag_meanings_and_lint_messages_show_as_text_in_the_loop(page, app_server, reworked):
    store = app_server.open_store()
    try:
        scheme = scheme_from_bytes(SCHEME_FILE, "hostile.toml", ".toml")
        update_convention_settings(store, SYSTEM, PROJECT, ConventionSettings(scheme, False))
    finally:
        store.close()
    requested = watch_requests(page)
    sign_in(page, app_server.url, LABELER, PASSWORD)
    loop = loop_root(page)
    expect(loop).not_to_have_attribute("data-shown", "", timeout=15_000)
    chip = loop.locator(".scheme-tags button[data-tag='[machine]']")
    expect(chip).to_have_attribute("title", MEANING)  # its tooltip: the meaning as the lead wrote it
    loop_editor(page).press("End")
    page.keyboard.insert_text(TYPED)
    problems = loop.locator(".lint .problem")
    expect(problems.filter(has_text="<i> is not a tag of this scheme (hostile)")).to_have_count(1, timeout=15_000)
    expect(problems.filter(has_text="(http://evil) is not a tag of this scheme")).to_have_count(1)
    expect(problems.filter(has_text="(http://127.0.0.1:9/x.png) is not a tag of this scheme")).to_have_count(1)
    wait_until_saved(page)
    assert loop.locator("img, a, i, .katex").count() == 0
    assert loop.locator("b").filter(has_text=re.compile(r"^[mx]$")).count() == 0
    assert_nothing_rendered_from_user_text(page, requested)
