"""The Streamlit app starts and renders the projects overview (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from speechlabel.config import Settings
from speechlabel.ingest import import_audio
from speechlabel.projects import create_project
from speechlabel.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")


@pytest.fixture
def app_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()  # the app caches its workspace per process
    yield Settings.from_env()
    st.cache_resource.clear()


def test_empty_workspace_explains_how_to_start(app_data):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "No projects yet" in app.info[0].value


def test_projects_overview_lists_projects_with_their_audio(app_data, speech_dir):
    workspace = Workspace.open(app_data)
    project = create_project(workspace.store, "factory", language="ko")
    import_audio(workspace.store, app_data, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    workspace.close()
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["project"]) == ["factory"] and list(table["language"]) == ["ko"]
    assert list(table["recordings"]) == [1] and list(table["not pre-labeled"]) == [1]


def test_streamlit_run_serves_the_app(app_data):
    """`streamlit run workbench.py` starts a server that answers its health check and the page."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                    assert reply.read() == b"ok"
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the app did not answer within 60 s"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as reply:
            assert reply.status == 200 and b"<html" in reply.read().lower()
    finally:
        server.terminate()
        server.wait(timeout=20)
