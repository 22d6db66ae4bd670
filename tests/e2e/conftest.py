"""End-to-end fixtures: `streamlit run workbench.py` on a free port with a fresh data folder,
and Debian's Chromium driven headless by Playwright (never `playwright install`).

Every test in this folder is marked ``e2e`` (``pytest -m "not e2e"`` leaves them out). A
missing /usr/bin/chromium fails them: CI installs it (.ci/run), so a skip would hide a gap.
On a failure the page is saved as ``test-artifacts/<test>-failed.png`` and the server's log as
``test-artifacts/<module>-server.log``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from tests.e2e.steps import ADMIN_PASSWORD, ARTIFACTS_DIR, REPO_ROOT, artifact_name, save_screenshot
from tests.streamlit_server import ServerDidNotStart, free_port, launch, stop, wait_until_healthy

CHROMIUM = Path(os.environ.get("SPEECHLABEL_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
_REPORTS = pytest.StashKey[dict]()
_E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if _E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@dataclass(frozen=True)
class AppServer:
    """A running `streamlit run workbench.py`: its URL and the data folder it writes to."""

    url: str
    data_dir: Path
    log_path: Path

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir)

    def open_store(self) -> Store:
        """The server's database (SQLite in the data folder); close it after use."""
        return Store.open(self.settings.resolved_database_url, migrate=False)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """Environment for the module's server beyond the data folder: the first start's admin,
    known to the tests. A module overrides this fixture to start its server otherwise."""
    return {"SPEECHLABEL_ADMIN_PASSWORD": ADMIN_PASSWORD}


@pytest.fixture(scope="module")
def server_address() -> str:
    """The address the module's server listens on (a module overrides it to be reached otherwise)."""
    return "127.0.0.1"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, request, server_env, server_address):
    """One server per test module, each with an empty SQLite database of its own."""
    root = tmp_path_factory.mktemp("e2e-server")
    data_dir = (root / "data").resolve()
    log_path = root / "server.log"
    port = free_port()
    failed_before = request.session.testsfailed
    # This server's database is the SQLite file in data_dir; its admin password is server_env's.
    process = launch(
        REPO_ROOT, port, log_path, {"SPEECHLABEL_DATA_DIR": str(data_dir), **server_env}, address=server_address
    )
    server = AppServer(f"http://127.0.0.1:{port}", data_dir, log_path)
    try:
        wait_for(process, server)
        yield server
    finally:
        stop(process)
        if request.session.testsfailed > failed_before:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            shutil.copyfile(log_path, ARTIFACTS_DIR / f"{artifact_name(request.module.__name__)}-server.log")


@pytest.fixture(scope="module")
def base_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="module")
def browser():
    """Per module, so Playwright's event loop is gone before the rest of the suite runs."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the end-to-end tests need Debian's chromium "
            "(apt-get install -y chromium; .ci/run does this). Never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page per test; saves a screenshot when the test fails."""
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        try:
            print(f"screenshot: {save_screenshot(opened, request.node.name + '-failed')}")
        except PlaywrightError as error:  # the page may be gone; the failure itself matters more
            print(f"no screenshot: {error}")
    context.close()


@pytest.fixture
def screenshot(request):
    """``screenshot(page)`` saves ``test-artifacts/<test name>.png`` and returns its path."""
    return lambda page, suffix="": save_screenshot(page, request.node.name + suffix)


def wait_for(process: subprocess.Popen, server: AppServer) -> None:
    """Until ``server`` answers; the test fails with the server's log if it does not start."""
    try:
        wait_until_healthy(process, server.url, server.log_path)
    except ServerDidNotStart as failure:
        pytest.fail(str(failure), pytrace=False)
