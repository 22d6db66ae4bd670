"""The Streamlit app starts and renders the projects overview (AppTest, no browser)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.projects.manage import create_project
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP
from tests.app_session import PASSWORD, sign_in
from tests.label_routes_client import client
from views import routes


def as_admin() -> AppTest:
    """The app in a session signed in as an admin (who may create projects)."""
    app = AppTest.from_file(APP, default_timeout=60)
    return sign_in(app, Workspace.shared().store, "boss", admin=True).run()


def test_an_admin_creates_a_project_from_the_page(app_data):
    app = as_admin()
    assert not app.exception
    assert "No projects yet" in app.info[0].value
    app.text_input[0].input("factory-ko")
    app.selectbox[0].select("ko")
    app.text_area[0].input("컨베이어\nPLC\n")
    app.button[0].click().run()
    assert not app.exception and "Created project 'factory\\-ko'" in app.success[0].value
    workspace = Workspace.open(app_data)
    project = workspace.store.get_project("factory-ko")
    workspace.close()
    assert (project.language, project.glossary) == ("ko", ("컨베이어", "PLC"))


def test_a_bad_project_name_is_refused_on_the_page(app_data):
    app = as_admin()
    app.text_input[0].input("   ")
    app.button[0].click().run()
    assert "project name is empty" in app.error[0].value


def test_upload_many_files_then_prelabel_in_the_background(app_data, speech_dir):
    workspace = Workspace.open(app_data)
    project = create_project(
        workspace.store, "calls", language="en", transcribe_options=TranscribeOptions(model="tiny.en"), actor=SYSTEM
    )
    workspace.close()
    app = as_admin()
    jfk = (speech_dir / "en" / "jfk.wav").read_bytes()
    token = accounts.login(Workspace.shared().store, "boss", PASSWORD)[0]
    answers = [upload(project, token, *file) for file in (("jfk.wav", jfk), ("notes.wav", b"not audio"))]
    answers.append(upload(project, token, "again.wav", jfk))
    assert [answer["status"] for answer in answers] == [200, 400, 200]
    app.session_state["upload_reports"] = {project.id: answers}  # what the component hands back
    app.run()
    assert not app.exception
    assert [m.value.split(":")[0] for m in app.success] == ["jfk\\.wav"]  # file names shown literally
    assert "not audio we can read" in app.error[0].value
    assert "already in this project" in app.warning[0].value

    next(b for b in app.button if b.label == "Pre-label new recordings").click().run()
    jobs = app.session_state["prelabel_jobs"]
    try:
        assert jobs.wait(project.id, timeout=300).state.value == "done"  # drafted by the worker process it started
    finally:
        jobs.stop_local_worker()
    app.run()
    table = app.dataframe[0].value
    assert list(table["recording"]) == ["jfk.wav"] and list(table["pre-labeling"]) == ["drafted"]
    assert int(table["drafted"].iloc[0]) >= 1
    assert "pre-labeling done: 1/1 recordings" in app.get("progress")[0].proto.text


def upload(project, token: str, name: str, body: bytes) -> dict:
    """One file through the upload route as the page's component sends it (the app's own
    middleware, on the app's workspace); the answer as the component hands it to the page."""
    web = client(Starlette(middleware=[Middleware(routes.OwnRoutesFirst)]), token)
    answer = web.post(f"/api/upload/{project.id}", params={"name": name}, content=body)
    return {"name": name, "status": answer.status_code, "body": answer.json()}


def test_the_upload_answers_are_shown_on_their_project_only(app_data, speech_dir):
    workspace = Workspace.open(app_data)
    alpha = create_project(workspace.store, "alpha", language="en", actor=SYSTEM)
    create_project(workspace.store, "beta", language="en", actor=SYSTEM)
    workspace.close()
    app = as_admin()
    token = accounts.login(Workspace.shared().store, "boss", PASSWORD)[0]
    answer = upload(alpha, token, "timit.wav", (speech_dir / "en" / "LDC93S1.wav").read_bytes())
    app.session_state["upload_reports"] = {alpha.id: [answer]}
    app.selectbox(key="project_name").set_value("alpha").run()
    assert not app.exception and [m.value.split(":")[0] for m in app.success] == ["timit\\.wav"]
    app.selectbox(key="project_name").set_value("beta").run()
    assert not app.exception and not app.success  # alpha's report is not shown on beta
    workspace = Workspace.open(app_data)
    try:
        assert [r.label for r in workspace.store.list_recordings(alpha.id)] == ["timit.wav"]
    finally:
        workspace.close()


def start_server(console: Path) -> tuple[subprocess.Popen, int]:
    """`streamlit run workbench.py` on a free port, its output in ``console``; once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with console.open("wb") as output:  # a file, not a pipe: a full pipe would block the server
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                APP,
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                assert reply.read() == b"ok"
                return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop(server)
                raise AssertionError(f"the app did not answer within 60 s:\n{console.read_text()}") from None
            time.sleep(0.5)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)


def test_streamlit_run_serves_the_app_and_prints_the_first_admin_password(app_data, tmp_path, monkeypatch):
    """`streamlit run workbench.py` starts a server that answers its health check and the page; on
    a first start without SPEECHLABEL_ADMIN_PASSWORD it prints the generated admin password on
    its console (and only there: the sign-in page shows none, tests/e2e/test_first_start.py)."""
    monkeypatch.delenv("SPEECHLABEL_ADMIN_PASSWORD", raising=False)
    console = tmp_path / "console.txt"
    server, port = start_server(console)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as reply:
            assert reply.status == 200 and b"<html" in reply.read().lower()
        printed = re.findall(r"admin account 'admin', password: (\S+)", console.read_text())
        assert len(printed) == 1, console.read_text()  # printed once, at the start
        assert accounts.login(Workspace.shared().store, "admin", printed[0])[1].is_admin
    finally:
        stop(server)


def test_a_first_admin_that_cannot_be_created_is_reported_on_the_console(app_data, tmp_path, monkeypatch):
    """'admin' taken by a user who is no admin: the server says so on its console and serves the app."""
    monkeypatch.delenv("SPEECHLABEL_ADMIN_PASSWORD", raising=False)
    accounts.create_user(Workspace.shared().store, SYSTEM, "admin", "not an admin password")
    console = tmp_path / "console.txt"
    server, _ = start_server(console)
    try:
        assert "no first admin was created: no admin exists and the username 'admin' is taken" in console.read_text()
    finally:
        stop(server)
