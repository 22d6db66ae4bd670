"""Clips cut on the server: sample-accurate spans of a real recording, refused when out of range."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from speechlabel.audio.samples import load_mono_16k, read_span, span_wav, wav_bytes
from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.core.models import Segment, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.labeling.clips import MAX_CLIP_SECONDS, cut_clip, parse_seconds, segment_clip


@pytest.fixture
def jfk(store, settings, project, speech_dir):
    return import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")


def test_a_clip_is_exactly_the_requested_sub_second_span(store, settings, jfk):
    clip = cut_clip(store, settings, jfk.id, 1.234, 2.5)
    samples, rate = sf.read(io.BytesIO(clip.wav), dtype="float32")
    assert rate == 16000 and len(samples) == round(2.5 * 16000) - round(1.234 * 16000)
    whole = load_mono_16k(settings.data_dir / jfk.normalized_path)
    expected = whole[round(1.234 * 16000) : round(2.5 * 16000)]
    assert np.max(np.abs(samples - expected)) < 1e-4  # 16-bit PCM rounding only


def test_a_clip_copies_a_normalized_recordings_samples_and_converts_any_other_wav(settings, jfk, tmp_path):
    normalized = settings.data_dir / jfk.normalized_path
    # The copy of the 16 kHz mono PCM samples is byte for byte what the float round trip wrote.
    assert span_wav(normalized, 1.234, 7.5) == wav_bytes(read_span(normalized, 1.234, 7.5))
    assert span_wav(normalized, 10.9, 11.0) == wav_bytes(read_span(normalized, 10.9, 11.0))  # to the last sample
    # Another 16 kHz WAV (here stereo floats) goes through the float path: mixed down, 16-bit PCM.
    stereo = tmp_path / "stereo.wav"
    sf.write(stereo, np.stack([np.linspace(-1, 1, 16000), np.zeros(16000)], axis=1), 16000, subtype="FLOAT")
    assert span_wav(stereo, 0.25, 0.5) == wav_bytes(read_span(stereo, 0.25, 0.5))


@pytest.mark.parametrize(
    "start, end, message",
    [
        (-0.5, 1.0, "outside the recording; allowed: 0–11.000"),
        (10.0, 12.0, "outside the recording"),
        (2.0, 2.0, "is empty"),
    ],
)
def test_spans_outside_the_recording_are_refused(store, settings, jfk, start, end, message):
    with pytest.raises(ValidationError, match=message):
        cut_clip(store, settings, jfk.id, start, end)


def test_unknown_recordings_and_bad_times_are_clear_errors(store, settings, jfk):
    with pytest.raises(NotFound):
        cut_clip(store, settings, "rec-nope", 0, 1)
    with pytest.raises(ValidationError, match="start='abc' is not a time"):
        parse_seconds("abc", "start")
    with pytest.raises(ValidationError, match="end=None is not a time"):
        parse_seconds(None, "end")
    with pytest.raises(ValidationError, match="not a time"):
        parse_seconds("inf", "end")


def test_a_segment_clip_adds_context_inside_the_recording():
    segment = Segment("rec-1-a", "rec-1", 0.4, 2.0, "", SegmentStatus.DRAFTED, 2)
    span = segment_clip(segment, recording_duration=3.0, context=1.0)
    assert (span.start, span.end, span.lead_in) == (0.0, 3.0, 0.4)
    assert span.url == "/clip/rec-1.wav?start=0.000&end=3.000"
    assert segment_clip(segment, 3.0).url == "/clip/rec-1.wav?start=0.400&end=2.400"
    with pytest.raises(ValidationError, match="context 9 is not allowed"):
        segment_clip(segment, 3.0, context=9)
    assert MAX_CLIP_SECONDS >= 30  # the longest segment (max_duration 30 s on the form) plus context fits
