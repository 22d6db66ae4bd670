"""A pre-labeling job started on the page outlives the server: the server is killed (SIGKILL)
while the job runs, and the worker process it started goes on drafting; after a restart the
Projects page shows the job's progress from the database, and it ends with one draft per segment."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from speechlabel.core.models import PrelabelState
from speechlabel.store import schema
from tests.e2e.conftest import AppServer, wait_for
from tests.e2e.steps import ADMIN_PASSWORD, REPO_ROOT, create_project, sign_in, upload_audio
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


def test_a_job_started_on_the_page_outlives_a_killed_server(page, tmp_path, speech_dir, screenshot):
    data_dir, log_path = (tmp_path / "data").resolve(), tmp_path / "server.log"
    process, server = start_server(data_dir, log_path)
    worker_pid = None
    try:
        sign_in(page, server.url)
        create_project(page, "killed", language="en", model="tiny.en")
        upload_audio(page, speech_dir / "en" / "jfk.wav", *(speech_dir / name for name in HARVARD))
        page.get_by_role("button", name="Pre-label new recordings").click()
        store = server.open_store()
        try:
            project = store.get_project("killed")
            deadline = time.monotonic() + 120
            # Killed once the worker holds recordings, not once one is done: a packing runner
            # claims these 11 short ones at once, and none is done before all are.
            while (job := store.latest_job(project.id)) is None or store.work_counts(job.id).running < 1:
                assert time.monotonic() < deadline, f"the job did not get going: {job}\n{server.log_tail()}"
                time.sleep(0.05)
            (runner,) = store.live_runners(30)
            worker_pid = runner.pid
            assert worker_pid != process.pid  # the drafting runs in a process of its own
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            done_when_killed = store.work_counts(job.id).done
        finally:
            store.close()
    finally:
        stop(process)

    process, server = start_server(data_dir, log_path)
    try:
        sign_in(page, server.url)
        progress = page.get_by_test_id("stProgress").filter(has_text="pre-labeling")
        progress.first.wait_for()
        screenshot(page, "-after-restart")
        deadline = time.monotonic() + 240
        while not progress.first.inner_text().startswith("pre-labeling done: 11/11 recordings"):
            assert time.monotonic() < deadline, f"the page shows {progress.first.inner_text()}\n{server.log_tail()}"
            time.sleep(0.5)
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
            assert done_when_killed < 11  # it was still running when the server died
        finally:
            store.close()
    finally:
        stop(process)
        if worker_pid is not None:
            try:
                os.kill(worker_pid, signal.SIGTERM)  # it would stop by itself after a while idle
            except ProcessLookupError:
                pass
