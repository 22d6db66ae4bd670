"""A pre-labeling job started on the page, and the server killed (SIGKILL) while it runs: after a
restart the Projects page says the job was interrupted, how far it got and who started it, and
starting it again finishes the work with one draft per segment."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from speechlabel.core.models import PrelabelState
from speechlabel.store import schema
from tests.e2e.conftest import AppServer, wait_for
from tests.e2e.steps import ADMIN_PASSWORD, REPO_ROOT, create_project, prelabel_and_wait, sign_in, upload_audio
from tests.streamlit_server import free_port, launch, stop

pytestmark = pytest.mark.e2e

HARVARD = [f"en/speechbrain_harvard_spk{speaker}_snt{n}.wav" for speaker in (1, 2) for n in range(1, 6)]


def start_server(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen, AppServer]:
    port = free_port()  # a restarted server's output goes on in the same log
    env = {"SPEECHLABEL_DATA_DIR": str(data_dir), "SPEECHLABEL_ADMIN_PASSWORD": ADMIN_PASSWORD}
    process = launch(REPO_ROOT, port, log_path, env, append=True)
    server = AppServer(f"http://127.0.0.1:{port}", data_dir, log_path)
    wait_for(process, server)
    return process, server


def test_a_job_cut_off_by_a_killed_server_is_shown_as_interrupted(page, tmp_path, speech_dir, screenshot):
    data_dir, log_path = (tmp_path / "data").resolve(), tmp_path / "server.log"
    process, server = start_server(data_dir, log_path)
    try:
        sign_in(page, server.url)
        create_project(page, "killed", language="en", model="tiny.en")
        upload_audio(page, speech_dir / "en" / "jfk.wav", *(speech_dir / name for name in HARVARD))
        page.get_by_role("button", name="Pre-label new recordings").click()
        store = server.open_store()
        try:
            project = store.get_project("killed")
            deadline = time.monotonic() + 120
            while (job := store.latest_job(project.id)) is None or job.recordings_done < 1:
                assert time.monotonic() < deadline, f"the job did not get going: {job}\n{server.log_tail()}"
                time.sleep(0.02)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            store.close()
    finally:
        stop(process)

    process, server = start_server(data_dir, log_path)
    try:
        sign_in(page, server.url)
        warning = page.get_by_test_id("stAlertContentWarning").filter(has_text="was interrupted")
        expect(warning).to_contain_text("started by admin")
        progress = page.get_by_test_id("stProgress").filter(has_text="pre-labeling interrupted:")
        expect(progress).to_contain_text("/11 recordings")
        screenshot(page, "-interrupted")

        result = prelabel_and_wait(page, recordings=11)
        assert result.progress.startswith("pre-labeling done:")
        store = server.open_store()
        try:
            project = store.get_project("killed")
            assert {r.prelabel_state for r in store.list_recordings(project.id)} == {PrelabelState.DRAFTED}
            drafts = schema.drafts
            with store.read() as connection:
                counts = (
                    connection.execute(select(func.count()).select_from(drafts).group_by(drafts.c.segment_id))
                    .scalars()
                    .all()
                )
            assert counts and set(counts) == {1}
        finally:
            store.close()
    finally:
        stop(process)
