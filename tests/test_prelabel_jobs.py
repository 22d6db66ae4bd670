"""Pre-labeling jobs in the database: two runs on one project at once give one draft per segment
and no error; a run killed with SIGKILL is shown as interrupted, with how far it got, and a new
run finishes the work. Real bundled model (tiny.en), real processes, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import PrelabelState, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.jobs import JobState, claim, claim_or_wait, project_job, run_claimed
from speechlabel.projects.manage import create_project
from speechlabel.store import Store, schema
from speechlabel.store.rows import utc_now
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP
from tests.app_session import sign_in

REPO = Path(__file__).resolve().parents[1]
HARVARD = [f"en/speechbrain_harvard_spk{speaker}_snt{n}.wav" for speaker in (1, 2) for n in range(1, 6)]


def english_project(store, name="calls"):
    return create_project(
        store, name, language="en", transcribe_options=TranscribeOptions(model="tiny.en"), actor=SYSTEM
    )


def drafts_per_segment(store, project) -> dict[str, int]:
    drafts = schema.drafts
    segment_ids = [s.id for r in store.list_recordings(project.id) for s in store.list_segments(r.id)]
    with store.read() as connection:
        counted = dict(
            connection.execute(select(drafts.c.segment_id, func.count()).group_by(drafts.c.segment_id)).all()
        )
    return {segment_id: counted.get(segment_id, 0) for segment_id in segment_ids}


def cli(data_dir: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("SPEECHLABEL_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "speechlabel", "--data-dir", str(data_dir), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_runs_at_once_draft_each_segment_once(store, settings, speech_dir):
    project = english_project(store)
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    outcomes, waited = {}, []

    def run(name: str) -> None:
        try:
            job = claim_or_wait(store, project, name, on_wait=waited.append)
            outcomes[name] = run_claimed(store, settings, project, job)
        except BaseException as error:  # the test reports it below
            outcomes[name] = error

    runs = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(300)
    assert all(not isinstance(outcome, BaseException) for outcome in outcomes.values()), outcomes
    assert sorted(report.segments_drafted > 0 for report in outcomes.values()) == [False, True]  # one did it all
    assert len(waited) == 1  # the other waited for it instead of segmenting the same recording
    counts = drafts_per_segment(store, project)
    assert counts and set(counts.values()) == {1}
    assert {s.status for s in store.list_segments(recording.id)} == {SegmentStatus.DRAFTED}
    assert project_job(store, project.id).state == JobState.DONE


@pytest.mark.slow
def test_two_command_lines_at_once_give_one_draft_per_segment_and_no_error(data_dir, speech_dir):
    settings = Settings(data_dir=data_dir)
    workspace = Workspace.open(settings)
    try:
        project = english_project(workspace.store)
        import_audio(workspace.store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
        runs = [cli(data_dir, "prelabel", "calls") for _ in range(2)]
        results = [run.communicate(timeout=300) for run in runs]
        for run, (_out, err) in zip(runs, results):
            assert run.returncode == 0, err
            assert "Error" not in err and "Traceback" not in err, err
        assert sorted(out.count("pre-labeled 1 recordings") for out, _ in results) == [0, 1]
        counts = drafts_per_segment(workspace.store, project)
        assert counts and set(counts.values()) == {1}
    finally:
        workspace.close()


@pytest.mark.slow
def test_a_killed_run_is_shown_as_interrupted_and_a_new_run_finishes(data_dir, speech_dir, monkeypatch):
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(data_dir))
    settings = Settings(data_dir=data_dir)
    workspace = Workspace.open(settings)
    store = workspace.store
    try:
        project = english_project(store)
        for name in ["en/jfk.wav", *HARVARD]:
            import_audio(store, settings, project, (speech_dir / name).read_bytes(), name.split("/")[-1])
        run = cli(data_dir, "prelabel", "calls")
        deadline = time.monotonic() + 180
        while (job := store.latest_job(project.id)) is None or job.recordings_done < 1:
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.02)
        os.kill(run.pid, signal.SIGKILL)
        run.communicate(timeout=30)

        status = project_job(store, project.id)
        assert status.state == JobState.INTERRUPTED and status.started_by == "cli"
        assert 1 <= status.progress.recordings_done < status.progress.recordings_total == 11
        assert store.latest_job(project.id).state == "interrupted"  # recorded, not only shown
        page_shows_interrupted(store)

        again = cli(data_dir, "prelabel", "calls")
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        assert project_job(store, project.id).state == JobState.DONE
        assert {r.prelabel_state for r in store.list_recordings(project.id)} == {PrelabelState.DRAFTED}
        assert set(drafts_per_segment(store, project).values()) == {1}
    finally:
        workspace.close()


def page_shows_interrupted(store: Store) -> None:
    """The Projects page, as an admin: the interrupted job, who started it, how far it got, and
    the button to start again."""
    st.cache_resource.clear()  # the app opens its workspace on SPEECHLABEL_DATA_DIR, once per process
    try:
        app = sign_in(AppTest.from_file(APP, default_timeout=60), store, "boss", admin=True).run()
    finally:
        st.cache_resource.clear()
    assert not app.exception, app.exception
    assert any("was interrupted" in warning.value and "started by cli" in warning.value for warning in app.warning)
    progress = app.get("progress")[0].proto.text
    assert progress.startswith("pre-labeling interrupted: ") and "/11 recordings" in progress
    button = next(b for b in app.button if b.label == "Pre-label new recordings")
    assert not button.disabled


def test_a_job_on_another_machine_is_running_until_its_heartbeat_stops(store, project):
    other, none = store.claim_job(project.id, "lead", "another-machine", 4242)
    assert none is None
    mine, holder = claim(store, project, "cli")
    assert mine is None and holder.id == other.id  # alive: its heartbeat is fresh
    assert project_job(store, project.id).state == JobState.RUNNING
    with store.write() as connection:
        connection.execute(
            update(schema.prelabel_jobs)
            .where(schema.prelabel_jobs.c.id == other.id)
            .values(heartbeat_at=utc_now() - timedelta(minutes=5))
        )
    assert project_job(store, project.id).state == JobState.INTERRUPTED
    mine, holder = claim(store, project, "cli")
    assert holder is None and mine.state == "running"
    store.end_job(mine.id, "done")
