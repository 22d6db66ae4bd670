"""Every page, with every project selected, as every role, in headless Chromium: no page may show
an exception (Streamlit's ``stException`` element), an error alert (``st.error``: what
workbench.run_pages shows for a domain error no page caught, or a page's own) or the label loop's
error line, nor leave a traceback in the server's log. A page that shows an error for a role and
project on purpose is listed in ``EXPECTED_ERRORS`` with its exact message.

One server and two pre-labeled projects for the whole module; the people are made through the
domain, as the Users page would. A page is opened by the link the sidebar offers the person, so
the test follows the navigation each role really gets, and the project is chosen in the page's own
"Project" box (main area or sidebar).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Role
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.pipeline import prelabel_project
from speechlabel.projects.manage import create_project
from speechlabel.workspace.workspace import Workspace
from tests.e2e.steps import choose, loop_root, open_app, sign_in, wait_for_app_idle

pytestmark = pytest.mark.e2e

PASSWORD = "every page e2e password"
PROJECTS = ("pages-one", "pages-two")
PEOPLE = {"lena": Role.LEAD, "remy": Role.REVIEWER, "lara": Role.LABELER}
# The pages each role's sidebar must offer (by title): a check that the walk is not vacuous.
EXPECTED_PAGES = {
    "admin": {"Projects", "Label", "Review", "Dashboard", "Export", "Users", "Models"},
    "lena": {"Projects", "Label", "Review", "Dashboard", "Export", "Users", "Models"},
    "remy": {"Projects", "Review"},
    "lara": {"Label"},
}
# (person, page title, project) -> the exact error messages that page shows on purpose. None today:
# every role gets only the pages its work needs, and each of them has something to show.
EXPECTED_ERRORS: dict[tuple[str, str, str], list[str]] = {}
# Pages about the whole workspace, with no project to choose: each is checked once.
WITHOUT_PROJECT = {"Models"}
# Where an error reaches the person: Streamlit's error alert and exception box, and the label
# loop's message line (class "messages error") and waveform error (a bare "note", hidden if none).
ERROR_BOXES = (
    '[data-testid="stAlertContentError"], [data-testid="stException"], '
    'div.sl-loop .messages.error, div.sl-loop > div[class="note"]:not([hidden])'
)


@pytest.fixture(scope="module")
def two_projects(app_server, speech_dir):
    """Two projects, each with jfk.wav drafted by tiny.en; lena leads, remy reviews and lara labels
    both; lara has submitted a segment of the first, so its review queue is not empty."""
    opened = Workspace.open(app_server.settings)  # creates the database the server has not opened yet
    store = opened.store
    try:
        for name in PROJECTS:
            project = create_project(
                store, name, language="en", actor=SYSTEM, transcribe_options=TranscribeOptions(model="tiny.en")
            )
            import_audio(store, app_server.settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
            prelabel_project(store, app_server.settings, project)
        for person, role in PEOPLE.items():
            accounts.create_user(store, SYSTEM, person, PASSWORD)
            for name in PROJECTS:
                accounts.set_role(store, SYSTEM, person, name, role)
        lara = accounts.login(store, "lara", PASSWORD)[1]
        first = labeling.next_segment(store, lara, store.get_project(PROJECTS[0]))
        labeling.save_and_next(store, lara, first.id, first.version, "and so my fellow americans", None, (), None)
    finally:
        opened.close()
    return PROJECTS


def sidebar_pages(page: Page) -> dict[str, str]:
    """Title -> address of every page the person can open: the sidebar's links (each link's
    text ends with the title, after its icon's name), or, when Streamlit shows no navigation
    (a single page), the page that is open, by its heading."""
    links = page.get_by_test_id("stSidebarNavLink")
    if not links.count():
        return {page.get_by_role("heading", level=1).first.inner_text().strip(): page.url}
    return {link.inner_text().strip().splitlines()[-1]: link.get_attribute("href") for link in links.all()}


def shown_errors(page: Page) -> list[str]:
    """The texts of every error box on the page (empty ones left out: the loop's line is cleared
    by emptying it), once the label loop, if the page has one, has shown its segment."""
    if loop_root(page).count():
        expect(loop_root(page)).not_to_have_attribute("data-shown", "", timeout=15_000)
        expect(loop_root(page)).to_have_attribute("data-pending", "0", timeout=15_000)
    return [text.strip() for text in page.locator(ERROR_BOXES).all_inner_texts() if text.strip()]


def new_log_tracebacks(app_server, seen_chars: int) -> tuple[str, int]:
    """What the server logged since ``seen_chars`` if it holds a traceback ("" if not), and the new length."""
    text = app_server.log_path.read_text(errors="replace")
    fresh = text[seen_chars:]
    return (fresh if "Traceback" in fresh else ""), len(text)


@pytest.mark.parametrize("username", ["admin", "lena", "remy", "lara"])
def test_every_page_with_every_project_shows_no_exception(page, app_server, two_projects, username):
    if username == "admin":
        sign_in(page, app_server.url)
    else:
        sign_in(page, app_server.url, username, PASSWORD)
    pages = sidebar_pages(page)
    assert set(pages) == EXPECTED_PAGES[username], pages
    _, seen = new_log_tracebacks(app_server, 0)
    visited = []
    for title, address in pages.items():
        open_app(page, app_server.url, urlparse(address).path)  # raises on an exception shown on the page
        for name in [""] if title in WITHOUT_PROJECT else two_projects:
            if name:
                choose(page, "Project", name)
            wait_for_app_idle(page)
            logged, seen = new_log_tracebacks(app_server, seen)
            assert not logged, f"{username} on {title} with {name}: the server logged\n{logged}"
            errors = shown_errors(page)
            assert errors == EXPECTED_ERRORS.get((username, title, name), []), (
                f"{username} on {title} with {name}: the page shows {errors}"
            )
            visited.append((title, name))
    expected = EXPECTED_PAGES[username]
    assert len(visited) == 2 * len(expected - WITHOUT_PROJECT) + len(expected & WITHOUT_PROJECT)


def test_an_error_alert_is_seen(page, app_server):
    """The check above is not blind: a refused sign-in's red alert is an error box it reads."""
    sign_in(page, app_server.url, "lara", "not her password", expect_error="wrong username or password")
    assert shown_errors(page) == ["wrong username or password"]
