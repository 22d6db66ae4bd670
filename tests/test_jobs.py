"""Background pre-labeling jobs and the per-recording overview a lead sees."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.probe import level_warnings
from speechlabel.core.models import SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.jobs import JobState, PrelabelJobs
from speechlabel.projects.manage import recording_overview


def test_a_job_drafts_in_the_background_and_reports_progress(store, settings, project, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    jobs = PrelabelJobs(store, settings)
    first = jobs.start(project, SYSTEM)
    assert first.state == JobState.RUNNING
    assert jobs.start(project, SYSTEM).started_at == first.started_at  # one job per project
    final = jobs.wait(project.id, timeout=300)
    assert final.state == JobState.DONE and final.error is None
    assert final.progress.audio_seconds_done == final.progress.audio_seconds_total == 11.0
    assert final.seconds_left == 0.0
    assert {s.status for s in store.list_segments(recording.id)} == {SegmentStatus.DRAFTED}


def test_a_failing_job_says_why_and_can_be_started_again(store, settings, project, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "LDC93S1.wav").read_bytes(), "a.wav")
    normalized = settings.data_dir / recording.normalized_path
    kept = normalized.read_bytes()
    normalized.unlink()  # the audio vanished from disk under the job
    jobs = PrelabelJobs(store, settings)
    jobs.start(project, SYSTEM)
    failed = jobs.wait(project.id, timeout=120)
    assert (
        failed.state == JobState.FAILED and "16 kHz copy of recording" in failed.error and "is missing" in failed.error
    )
    normalized.write_bytes(kept)
    jobs.start(project, SYSTEM)
    assert jobs.wait(project.id, timeout=300).state == JobState.DONE


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
