"""Pre-labeling real recordings with the real bundled model, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.metrics import word_error_rate
from speechlabel.core.models import PrelabelState, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.pipeline import PRELABEL_AUTHOR, prelabel_project, prelabel_recording
from speechlabel.prelabel.project_options import segment_options_for, transcribe_options_for
from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine
from speechlabel.projects.manage import create_project


class StopAfter:
    """The real engine, interrupted after ``limit`` windows, as a killed process would be."""

    def __init__(self, engine, limit: int):
        self.engine, self.limit, self.calls = engine, limit, 0
        self.name, self.model = engine.name, engine.model

    def transcribe_window(self, samples, spans, options, offset=0.0):
        if self.calls == self.limit:
            raise KeyboardInterrupt("simulated interruption")
        self.calls += 1
        return self.engine.transcribe_window(samples, spans, options, offset)


class KeepWindows:
    """The real engine, keeping the start, end and samples of every window it is given."""

    def __init__(self, engine):
        self.engine, self.windows = engine, []
        self.name, self.model = engine.name, engine.model

    def transcribe_window(self, samples, spans, options, offset=0.0):
        self.windows.append((offset, offset + spans[-1][1], samples.copy()))
        return self.engine.transcribe_window(samples, spans, options, offset)


def import_file(store, settings, project, speech_dir, name):
    return import_audio(store, settings, project, (speech_dir / name).read_bytes(), name.split("/")[-1])


def test_jfk_is_segmented_and_drafted_word_for_word(store, settings, speech_dir):
    project = create_project(store, "jfk", language="en", glossary=("Americans",), actor=SYSTEM)
    recording = import_file(store, settings, project, speech_dir, "en/jfk.wav")
    progress = []
    report = prelabel_project(store, settings, project, on_progress=progress.append)
    segments = store.list_segments(recording.id)
    assert report.segments_drafted == len(segments) >= 1
    assert all(s.status == SegmentStatus.DRAFTED and s.updated_by == PRELABEL_AUTHOR for s in segments)
    reference = (speech_dir / "en" / "jfk.txt").read_text().strip()
    assert word_error_rate(reference, " ".join(s.text for s in segments)) == 0
    for segment in segments:
        draft = store.latest_draft(segment.id)
        assert draft.model == "base" and draft.language == "en"
        assert list(draft.options["glossary"]) == ["Americans"]
        assert all(segment.start - 0.05 <= w.start <= w.end <= segment.end + 0.05 for w in draft.words)
        assert all(0 <= w.score <= 1 for w in draft.words)
    assert store.get_recording(recording.id).prelabel_state == PrelabelState.DRAFTED
    assert progress[-1].audio_seconds_done == pytest.approx(11.0) and progress[-1].recordings_done == 1


def test_an_interrupted_run_continues_where_it_stopped(store, settings, speech_dir):
    project = create_project(store, "resume", language="en", transcribe_options=None, actor=SYSTEM)
    import_file(store, settings, project, speech_dir, "diarization/pyannote_sample.wav")
    import_file(store, settings, project, speech_dir, "en/LDC93S1.wav")
    engine = get_engine(transcribe_options_for(project))
    with pytest.raises(KeyboardInterrupt):
        prelabel_project(store, settings, project, engine=StopAfter(engine, 1))
    first_pass = [
        store.latest_draft(s.id) for r in store.list_recordings(project.id) for s in store.list_segments(r.id)
    ]
    drafted_before = sum(draft is not None for draft in first_pass)
    assert 0 < drafted_before < len(first_pass)  # the 30 s call needs two 28 s windows

    report = prelabel_project(store, settings, project)
    segments = [s for r in store.list_recordings(project.id) for s in store.list_segments(r.id)]
    assert report.segments_drafted == len(segments) - drafted_before
    assert all(s.status == SegmentStatus.DRAFTED and s.version == 2 for s in segments)
    # Each segment has exactly one draft: nothing was drafted twice.
    for segment in segments:
        assert [r.comment for r in store.list_revisions(segment.id)] == ["segmented", "draft"]
    assert prelabel_project(store, settings, project).segments_drafted == 0


def test_each_window_read_from_disk_is_that_span_of_the_whole_recording(store, settings, speech_dir):
    """The pipeline reads a window's samples from the 16 kHz copy by span: the same samples it
    used to slice from the whole recording in memory."""
    tiny = TranscribeOptions(model="tiny.en")
    project = create_project(store, "windows", language="en", transcribe_options=tiny, actor=SYSTEM)
    recording = import_file(store, settings, project, speech_dir, "diarization/pyannote_sample.wav")
    options = replace(transcribe_options_for(project), window_seconds=8.0)  # several windows
    engine = KeepWindows(get_engine(options))
    drafted = prelabel_recording(store, settings, recording, segment_options_for(project), options, engine)
    assert drafted == len(store.list_segments(recording.id)) and len(engine.windows) >= 3
    whole, rate = sf.read(settings.data_dir / recording.normalized_path, dtype="float32")
    for start, end, samples in engine.windows:
        assert samples.dtype == np.float32
        np.testing.assert_array_equal(samples, whole[int(round(start * rate)) : int(round(end * rate))])


def test_noise_only_recording_gets_no_invented_text(store, settings, speech_dir, project):
    recording = import_file(store, settings, project, speech_dir, "noise/speechbrain_noise5_stationary.wav")
    prelabel_project(store, settings, project)
    segments = store.list_segments(recording.id)
    assert sum(s.duration for s in segments) <= 2.0
    assert all(len(s.text.split()) <= 3 for s in segments)


@pytest.mark.slow
def test_window_drafts_match_per_segment_drafts_on_a_real_call(speech_dir):
    """Drafting the 30 s call's segments in shared windows is as accurate as one by one, and
    every word lands inside its own segment."""
    from speechlabel.audio.samples import load_mono_16k
    from speechlabel.prelabel.vad import segment_speech

    samples = load_mono_16k(speech_dir / "diarization" / "pyannote_sample.wav")
    spans = [(s.start, s.end) for s in segment_speech(samples)]
    options = TranscribeOptions(language="en")
    engine = get_engine(options)
    reference = (speech_dir / "diarization" / "pyannote_sample.txt").read_text()
    window = samples[: int(spans[-1][1] * 16000)]
    windowed = engine.transcribe_window(window, spans, options)
    alone = [engine.transcribe(samples[int(a * 16000) : int(b * 16000)], options, offset=a) for a, b in spans]
    assert len(windowed) == len(spans)
    windowed_wer = word_error_rate(reference, " ".join(d.text for d in windowed))
    alone_wer = word_error_rate(reference, " ".join(d.text for d in alone))
    assert windowed_wer <= alone_wer + 0.02, (windowed_wer, alone_wer)
    for (start, end), draft in zip(spans, windowed):
        assert draft.text, f"segment {start}-{end} lost its words"
        assert all(start <= w.start <= w.end <= end for w in draft.words)
        assert draft.options["window_seconds"] == 28.0
