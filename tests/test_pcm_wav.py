"""Clips copied as bytes (pcm_wav) are the very files the decode/encode path writes."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.pcm_wav import plain_pcm16_mono, wav_header, write_span
from speechlabel.audio.samples import (
    load_mono_16k,
    read_span,
    span_frames,
    span_wav,
    wav_bytes,
    write_wav,
)
from speechlabel.export import ExportOptions, export_dataset
from speechlabel.ingest.files import import_audio

# (start, end) in seconds: whole samples, between samples, the very start, past the end, empty,
# reversed, and a span ending on the last sample of the 30 s call.
SPANS = [
    (6.69, 7.12),
    (8.3203, 10.02031),
    (0.0, 0.5),
    (29.5, 31.0),
    (3.0, 3.0),
    (5.0, 4.0),
    (29.99, 30.0),
    (0.00003, 0.00009),
]


@pytest.fixture
def normalized(speech_dir, tmp_path):
    """A real call as the import stores it: 16 kHz mono 16-bit WAV."""
    path = tmp_path / "normalized.wav"
    write_wav(path, load_mono_16k(speech_dir / "diarization" / "pyannote_sample.wav"))
    return path


@pytest.mark.parametrize(("start", "end"), SPANS)
def test_a_span_copied_as_bytes_is_the_file_decoding_and_encoding_writes(normalized, tmp_path, start, end):
    source = plain_pcm16_mono(normalized)
    assert source is not None and (source.sampling_rate, source.frames) == (16000, sf.info(str(normalized)).frames)
    first, last = span_frames(start, end, source.sampling_rate, source.frames)
    frames = write_span(source, first, last, tmp_path / "clip.wav")
    expected = wav_bytes(read_span(normalized, start, end))
    assert (tmp_path / "clip.wav").read_bytes() == expected
    assert frames == (len(expected) - 44) // 2


@pytest.mark.parametrize(("start", "end"), SPANS)
def test_the_clip_routes_bytes_are_the_file_decoding_and_encoding_writes(normalized, start, end):
    assert span_wav(normalized, start, end) == wav_bytes(read_span(normalized, start, end))


@pytest.mark.parametrize(("start", "end"), SPANS)
def test_a_span_read_as_bytes_holds_the_numbers_libsndfile_reads(normalized, start, end):
    whole, rate = sf.read(str(normalized), dtype="float32")
    first, last = span_frames(start, end, rate, whole.shape[0])
    read = read_span(normalized, start, end)
    assert read.dtype == np.float32 and np.array_equal(read, whole[first : max(first, last)])


def test_a_chunk_before_the_samples_is_skipped(normalized, tmp_path):
    samples, _ = sf.read(str(normalized), dtype="int16")
    tagged = tmp_path / "tagged.wav"
    with sf.SoundFile(str(tagged), "w", 16000, 1, "PCM_16", format="WAV") as handle:
        handle.title = "call 01"  # libsndfile writes a LIST chunk between fmt and data
        handle.write(samples)
    source = plain_pcm16_mono(tagged)
    assert source is not None and source.data_offset > 44 and source.frames == samples.shape[0]
    write_span(source, 1000, 2500, tmp_path / "clip.wav")
    assert (tmp_path / "clip.wav").read_bytes() == wav_header(1500, 16000) + samples[1000:2500].tobytes()


def test_anything_but_a_complete_16_bit_mono_wav_is_left_to_the_decoder(speech_dir, normalized, tmp_path):
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(normalized.read_bytes()[:-1000])
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not a wav at all, but long enough to hold a header")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for path in (
        speech_dir / "diarization" / "ami_pyannote_tst00.wav",  # 32-bit float
        speech_dir / "en" / "stereo_diarization.wav",  # two channels
        speech_dir / "en" / "jfk_44k_24bit_stereo.flac",
        truncated,
        not_audio,
        empty,
    ):
        assert plain_pcm16_mono(path) is None, path.name


def test_exported_clips_are_byte_identical_and_a_float_source_is_decoded(
    store, settings, project, speech_dir, tmp_path
):
    bounds = [(0.5, 2.25), (6.69, 7.12), (8.3203, 10.02031), (28.9, 30.0)]
    recordings = []
    for name in ("diarization/pyannote_sample.wav", "en/jfk.wav"):
        recording = import_audio(store, settings, project, (speech_dir / name).read_bytes(), name)
        store.replace_segments(recording.id, project.id, bounds if "pyannote" in name else bounds[:2], {}, "prelabel")
        recordings.append(recording)
    # A normalized copy written as float (as an older version might have): not plain, so decoded.
    jfk = settings.data_dir / recordings[1].normalized_path
    samples, _ = sf.read(str(jfk), dtype="float32")
    sf.write(str(jfk), samples, 16000, subtype="FLOAT")
    assert plain_pcm16_mono(jfk) is None
    export_dataset(
        store, settings, project, tmp_path / "out", ExportOptions(format="nemo", statuses=None), actor=SYSTEM
    )
    clips = 0
    for recording in recordings:
        normalized = settings.data_dir / recording.normalized_path
        for segment in store.list_segments(recording.id):
            clip = tmp_path / "out" / "audio" / recording.id / f"{segment.id}.wav"
            assert clip.read_bytes() == wav_bytes(read_span(normalized, segment.start, segment.end)), segment
            clips += 1
    assert clips == 6
