"""The app's pre-labeling (queued, drafted by a worker process) and the per-recording overview a lead sees."""

from __future__ import annotations

import io
import os
import socket
from dataclasses import replace

import numpy as np
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.probe import level_warnings
from speechlabel.core.models import SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.jobs import JobState
from speechlabel.prelabel.local_worker import PrelabelJobs
from speechlabel.prelabel.worker import Worker, WorkerOptions
from speechlabel.projects.manage import recording_overview


def test_pre_label_queues_and_a_worker_process_drafts_outside_the_server(store, settings, project, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    jobs = PrelabelJobs(store, settings)
    try:
        first = jobs.start(project, SYSTEM)
        assert first.state == JobState.RUNNING and first.counts.queued == 1
        assert jobs.drafters().started_here
        assert jobs.start(project, SYSTEM).job_id == first.job_id  # one job per project
        final = jobs.wait(project.id, timeout=300)
        assert final.state == JobState.DONE and final.failures == ()
        assert final.progress.audio_seconds_done == final.progress.audio_seconds_total == 11.0
        assert final.seconds_left == 0.0
        assert {s.status for s in store.list_segments(recording.id)} == {SegmentStatus.DRAFTED}
        (runner,) = jobs.drafters().runners  # the worker that drafted it: another process, still up
        assert runner.pid != os.getpid() and runner.host == socket.gethostname()
    finally:
        jobs.stop_local_worker()
    assert jobs.drafters().runners == ()  # stopped: it unregistered


def test_with_the_local_worker_off_the_job_waits_for_a_worker_elsewhere(store, settings, project, speech_dir):
    import_audio(store, settings, project, (speech_dir / "en" / "LDC93S1.wav").read_bytes(), "a.wav")
    jobs = PrelabelJobs(store, replace(settings, local_worker=False))
    status = jobs.start(project, SYSTEM)
    drafters = jobs.drafters()
    assert drafters.local_worker_off and not drafters.started_here and drafters.runners == ()
    assert jobs.wait(project.id, timeout=1).counts.queued == 1  # nobody drafts it here
    Worker(store, settings, WorkerOptions(job_id=status.job_id)).run()  # "a worker elsewhere"
    assert jobs.status(project.id).state == JobState.DONE


def test_overview_lists_warnings_and_segments_per_recording(store, settings, project, speech_dir):
    speech, rate = sf.read(str(speech_dir / "en" / "jfk.wav"), dtype="float32")
    loud = io.BytesIO()
    sf.write(loud, np.clip(speech * 8, -1, 1), rate, format="WAV", subtype="PCM_16")
    clipped = import_audio(store, settings, project, loud.getvalue(), "loud.wav")
    clean = import_audio(store, settings, project, (speech_dir / "en" / "LDC93S1.wav").read_bytes(), "clean.wav")
    store.replace_segments(clean.id, project.id, [(0.1, 1.0), (1.2, 2.5)], {}, "prelabel")
    overview = {row.recording.label: row for row in recording_overview(store, project)}
    assert overview["loud.wav"].warnings[0].startswith("clipped")
    assert overview["clean.wav"].warnings == ()
    assert overview["clean.wav"].segments_by_status == {SegmentStatus.NEW: 2}
    assert overview["loud.wav"].segments_by_status == {}
    assert clipped.id == overview["loud.wav"].recording.id


def test_level_warnings_name_quiet_and_noisy_audio(store, settings, project, speech_dir):
    speech, rate = sf.read(str(speech_dir / "en" / "jfk.wav"), dtype="float32")
    quiet = io.BytesIO()
    sf.write(quiet, speech * 0.01, rate, format="WAV", subtype="FLOAT")
    probe = import_audio(store, settings, project, quiet.getvalue(), "quiet.wav").probe
    assert any(w.startswith("quiet") for w in level_warnings(probe))
    noise = import_audio(
        store, settings, project, (speech_dir / "noise" / "speechbrain_noise5_stationary.wav").read_bytes(), "noise.wav"
    )
    assert any(w.startswith("noisy") for w in level_warnings(noise.probe))
