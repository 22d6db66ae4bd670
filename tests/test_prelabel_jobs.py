"""Pre-labeling work claimed per recording in the database: runners never draft the same
recording, a runner whose lease ran out can write nothing more, a runner killed with SIGKILL
loses its recordings to the next one (which continues and duplicates nothing), a lead cancels
and retries, and every process reads the same progress. Real bundled model (tiny.en), real
processes, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import PrelabelState, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.jobs import JobState, cancel_prelabel, project_job, start_prelabel, wait_for_job
from speechlabel.prelabel.local_worker import worker_environment
from speechlabel.prelabel.worker import Worker, WorkerOptions
from speechlabel.projects.manage import create_project
from speechlabel.store import Store, schema
from speechlabel.store.work import MAX_ATTEMPTS, WorkLost
from tests.sample_projects import a_draft

REPO = Path(__file__).resolve().parents[1]
HARVARD = [f"en/speechbrain_harvard_spk{speaker}_snt{n}.wav" for speaker in (1, 2) for n in range(1, 6)]


def english_project(store, name="calls"):
    return create_project(
        store, name, language="en", transcribe_options=TranscribeOptions(model="tiny.en"), actor=SYSTEM
    )


def import_files(store, settings, project, speech_dir, names):
    return [
        import_audio(store, settings, project, (speech_dir / name).read_bytes(), name.split("/")[-1]) for name in names
    ]


def drafts_per_segment(store, project) -> dict[str, int]:
    drafts = schema.drafts
    segment_ids = [s.id for r in store.list_recordings(project.id) for s in store.list_segments(r.id)]
    with store.read() as connection:
        counted = dict(
            connection.execute(select(drafts.c.segment_id, func.count()).group_by(drafts.c.segment_id)).all()
        )
    return {segment_id: counted.get(segment_id, 0) for segment_id in segment_ids}


def attempts(store, recording_id: str) -> int:
    with store.read() as connection:
        work = schema.prelabel_work
        return connection.execute(select(work.c.attempts).where(work.c.recording_id == recording_id)).scalar_one()


def speechlabel_process(store: Store, settings, *args: str) -> subprocess.Popen:
    """``python -m speechlabel ARGS`` on the test's database and data folder, as the app starts one."""
    return subprocess.Popen(
        [sys.executable, "-m", "speechlabel", "--data-dir", str(settings.data_dir), *args],
        cwd=REPO,
        env=worker_environment(store, settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- claims, without a model -------------------------------------------------------------------


def test_claims_from_two_runners_at_once_never_overlap(store, settings, speech_dir):
    project = english_project(store)
    recordings = import_files(store, settings, project, speech_dir, HARVARD)
    job = start_prelabel(store, project, SYSTEM)
    assert job.state == JobState.RUNNING and job.counts.queued == len(recordings)
    taken: dict[str, list[str]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def runner(owner: str) -> None:
        start.wait()
        while claimed := store.claim_work(owner, lease_seconds=60, max_recordings=2):
            taken[owner].extend(work.recording_id for work in claimed)

    threads = [threading.Thread(target=runner, args=(owner,)) for owner in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == sorted(r.id for r in recordings)
    assert {attempts(store, r.id) for r in recordings} == {1}


def test_a_runner_whose_lease_ran_out_can_write_nothing_more(store, settings, speech_dir):
    project = english_project(store)
    (recording,) = import_files(store, settings, project, speech_dir, ["en/LDC93S1.wav"])
    start_prelabel(store, project, SYSTEM)
    (first,) = store.claim_work("runner-a", lease_seconds=1.0)
    (segment,) = store.replace_segments(recording.id, project.id, [(0.1, 2.5)], {}, "prelabel", work_owner="runner-a")
    assert store.claim_work("runner-b", lease_seconds=60) == []  # a's lease still runs
    time.sleep(1.1)
    (second,) = store.claim_work("runner-b", lease_seconds=60)
    assert first.recording_id == second.recording_id and second.attempts == 2
    assert store.extend_work("runner-a", 60) == set()  # a's next heartbeat finds it gone
    with pytest.raises(WorkLost):
        store.add_draft(segment.id, a_draft("from a"), "prelabel", work_owner="runner-a")
    with pytest.raises(WorkLost):
        store.finish_work(recording.id, "runner-a", 1)
    store.add_draft(segment.id, a_draft("from b"), "prelabel", work_owner="runner-b")
    store.finish_work(recording.id, "runner-b", 1)
    assert store.get_segment(segment.id).text == "from b"
    assert drafts_per_segment(store, project) == {segment.id: 1}
    assert project_job(store, project.id).state == JobState.DONE


def test_a_recording_whose_runners_keep_dying_is_failed_with_the_reason(store, settings, speech_dir):
    project = english_project(store)
    (recording,) = import_files(store, settings, project, speech_dir, ["en/LDC93S1.wav"])
    start_prelabel(store, project, SYSTEM)
    for attempt in range(MAX_ATTEMPTS):
        (work,) = store.claim_work(f"doomed-{attempt}", lease_seconds=0.01)
        assert work.attempts == attempt + 1
        time.sleep(0.02)
    assert store.claim_work("next", lease_seconds=60) == []
    status = project_job(store, project.id)
    assert status.state == JobState.FAILED and status.counts.failed == 1
    assert status.failures[0].recording_id == recording.id and status.failures[0].error_key == "error.work_abandoned"
    assert "stopped 3 times" in str(status.failure_errors[0])


def test_cancel_ends_the_job_and_the_runner_holding_a_recording_can_write_no_more(store, settings, speech_dir):
    project = english_project(store)
    recordings = import_files(store, settings, project, speech_dir, HARVARD[:3])
    start_prelabel(store, project, SYSTEM)
    (held,) = store.claim_work("runner-a", lease_seconds=60)
    cancelled = cancel_prelabel(store, project, SYSTEM)
    assert cancelled.state == JobState.CANCELLED and cancelled.counts.cancelled == 3
    with pytest.raises(WorkLost):
        store.replace_segments(held.recording_id, project.id, [(0.1, 1.0)], {}, "prelabel", work_owner="runner-a")
    assert store.claim_work("runner-b", lease_seconds=60) == []
    again = start_prelabel(store, project, SYSTEM)  # pre-label again: what is left is queued afresh
    assert again.job_id != cancelled.job_id and again.counts.queued == 3
    assert {attempts(store, r.id) for r in recordings} == {0}


# --- runners with the real model ------------------------------------------------------------------


def test_two_runners_at_once_draft_each_segment_once(store, settings, speech_dir):
    project = english_project(store)
    import_files(store, settings, project, speech_dir, ["en/jfk.wav", *HARVARD[:5]])
    job = start_prelabel(store, project, SYSTEM)
    workers = [Worker(store, settings, WorkerOptions(job_id=job.job_id, poll_seconds=0.1)) for _ in range(2)]
    reports = []
    threads = [threading.Thread(target=lambda w=w: reports.append(w.run())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert sum(report.recordings for report in reports) == 6
    counts = drafts_per_segment(store, project)
    assert counts and set(counts.values()) == {1}
    status = project_job(store, project.id)
    assert status.state == JobState.DONE and status.progress.recordings_done == 6
    assert status.counts.segments_drafted == len(counts)
    assert status.progress.audio_seconds_done == pytest.approx(status.progress.audio_seconds_total)
    assert store.live_runners(60) == []  # both unregistered when they stopped


def test_a_recording_that_cannot_be_drafted_fails_with_its_reason_and_pre_label_retries_it(store, settings, speech_dir):
    project = english_project(store)
    broken, fine = import_files(store, settings, project, speech_dir, ["en/LDC93S1.wav", "en/jfk.wav"])
    normalized = settings.data_dir / broken.normalized_path
    kept = normalized.read_bytes()
    normalized.unlink()  # the audio vanished from disk
    job = start_prelabel(store, project, SYSTEM)
    report = Worker(store, settings, WorkerOptions(job_id=job.job_id)).run()
    assert report.recordings == 2 and report.failed == 1
    status = project_job(store, project.id)
    assert status.state == JobState.FAILED and status.counts.done == 1
    (failure,) = status.failures
    assert failure.recording_id == broken.id and failure.label == "LDC93S1.wav"
    assert "is missing" in str(status.failure_errors[0])
    normalized.write_bytes(kept)
    retry = start_prelabel(store, project, SYSTEM)
    assert retry.counts.queued == 1  # only what is not drafted: the failed one
    Worker(store, settings, WorkerOptions(job_id=retry.job_id)).run()
    assert project_job(store, project.id).state == JobState.DONE
    assert {r.prelabel_state for r in store.list_recordings(project.id)} == {PrelabelState.DRAFTED}


def test_every_process_reads_the_same_progress(store, settings, speech_dir, migrated_database_url):
    project = english_project(store)
    import_files(store, settings, project, speech_dir, HARVARD[:2])
    job = start_prelabel(store, project, SYSTEM)
    Worker(store, settings, WorkerOptions(job_id=job.job_id)).run()
    url, schema_name = migrated_database_url
    other = Store.open(url, schema=schema_name, migrate=False)  # another process's store, on its own engine
    try:
        assert project_job(other, project.id) == project_job(store, project.id)
    finally:
        other.close()


# --- real processes ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_worker_killed_with_sigkill_loses_its_recording_and_the_next_one_finishes_it(store, settings, speech_dir):
    project = english_project(store)
    recordings = import_files(store, settings, project, speech_dir, ["en/jfk.wav", *HARVARD])
    start_prelabel(store, project, SYSTEM)
    first = speechlabel_process(store, settings, "worker", "--lease-seconds", "3", "--project", "calls")
    deadline = time.monotonic() + 180
    while not any(s.status == SegmentStatus.DRAFTED for s in all_segments(store, project)):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    assert project_job(store, project.id).counts.running >= 1  # it held recordings when it died
    second = speechlabel_process(store, settings, "prelabel", "calls", "--lease-seconds", "3")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "Traceback" not in err, err
    status = project_job(store, project.id)
    assert status.state == JobState.DONE and status.progress.recordings_done == len(recordings)
    assert set(drafts_per_segment(store, project).values()) == {1}
    assert {r.prelabel_state for r in store.list_recordings(project.id)} == {PrelabelState.DRAFTED}
    assert sorted(attempts(store, r.id) for r in recordings)[-1] == 2  # the one it held, taken again once


@pytest.mark.slow
def test_two_command_lines_at_once_share_the_work_and_draft_each_segment_once(store, settings, speech_dir):
    project = english_project(store)
    recordings = import_files(store, settings, project, speech_dir, ["en/jfk.wav", *HARVARD[:5]])
    runs = [speechlabel_process(store, settings, "prelabel", "calls") for _ in range(2)]
    results = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, results):
        assert run.returncode == 0, err
        assert "Error" not in err and "Traceback" not in err, err
    shared = sum(int(out.split("pre-labeled ")[1].split(" ")[0]) for out, _ in results)
    assert shared == len(recordings)  # each recording by one of them
    assert set(drafts_per_segment(store, project).values()) == {1}
    assert project_job(store, project.id).state == JobState.DONE


def all_segments(store, project):
    return [s for r in store.list_recordings(project.id) for s in store.list_segments(r.id)]


def test_a_job_started_with_nothing_to_do_ends_at_once(store, project):
    status = start_prelabel(store, project, SYSTEM)
    assert status.state == JobState.DONE and status.counts.recordings_total == 0
    assert wait_for_job(store, project.id, timeout=1).state == JobState.DONE


def test_a_lead_of_another_project_can_neither_start_nor_cancel(store, settings, speech_dir):
    from speechlabel.accounts import users as accounts
    from speechlabel.core.errors import Forbidden
    from speechlabel.core.models import Role

    project = english_project(store)
    english_project(store, "other")
    accounts.create_user(store, SYSTEM, "lee", "correct horse battery")
    accounts.set_role(store, SYSTEM, "lee", "other", Role.LEAD)
    lee = accounts.login(store, "lee", "correct horse battery")[1]
    with pytest.raises(Forbidden):
        start_prelabel(store, project, lee)
    with pytest.raises(Forbidden):
        cancel_prelabel(store, project, lee)
    with store.read() as connection:  # nothing was queued
        assert connection.execute(select(func.count()).select_from(schema.prelabel_work)).scalar_one() == 0
