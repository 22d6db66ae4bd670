"""Import of real recordings in every accepted format, and of bad input that must lose nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.limits import AudioLimits
from speechlabel.audio.probe import estimate_snr_db
from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.errors import AudioDecodeError, DuplicateRecording
from speechlabel.ingest.files import import_audio, import_paths
from speechlabel.workspace.config import Settings
from tests.audio_samples import corrupt_inputs, encode_with_ffmpeg, stored_files, wav_bytes


@pytest.fixture(scope="module")
def jfk(speech_dir) -> np.ndarray:
    return load_mono_16k(speech_dir / "en" / "jfk.wav")


@pytest.mark.parametrize(
    "name, expected_rate, expected_channels",
    [
        ("en/jfk.wav", 16000, 1),
        ("en/jfk_44k_24bit_stereo.flac", 44100, 2),
        ("en/LJ002-0020.wav", 22050, 1),
        ("diarization/ami_pyannote_tst00.wav", 16000, 1),  # 32-bit float
        ("en/stereo_diarization.wav", 16000, 2),
    ],
)
def test_real_files_are_kept_and_normalised(
    store, settings, project, speech_dir, name, expected_rate, expected_channels
):
    data = (speech_dir / name).read_bytes()
    recording = import_audio(store, settings, project, data, Path(name).name)
    assert (recording.sampling_rate, len(recording.channel_ids)) == (expected_rate, expected_channels)
    assert (settings.data_dir / recording.original_path).read_bytes() == data
    normalized = sf.info(str(settings.data_dir / recording.normalized_path))
    assert (normalized.samplerate, normalized.channels) == (16000, 1)
    assert normalized.duration == pytest.approx(recording.duration, abs=0.01)
    assert store.get_recording(recording.id) == recording


@pytest.mark.parametrize(
    "container, codec, rate",
    [("mp3", "libmp3lame", 16000), ("ipod", "aac", 16000), ("webm", "libopus", 16000), ("ogg", "libopus", 16000)],
)
def test_compressed_formats_decode_to_the_same_speech(store, settings, project, jfk, container, codec, rate):
    data = encode_with_ffmpeg(jfk, rate, container, codec)
    recording = import_audio(store, settings, project, data, f"jfk.{container}")
    assert recording.duration == pytest.approx(11.0, abs=0.1)
    copy = load_mono_16k(settings.data_dir / recording.normalized_path)
    assert best_envelope_correlation(copy, jfk) > 0.95


def best_envelope_correlation(decoded: np.ndarray, original: np.ndarray) -> float:
    """Correlation of 10 ms loudness envelopes at the best lag within ±100 ms: lossy codecs may
    prepend their encoder delay (AAC priming, 64 ms here), which is not a decoding error."""

    def envelope(x):
        return np.abs(x[: 16000 * 10]).reshape(-1, 160).mean(axis=1)

    a, b = envelope(decoded), envelope(original)
    return max(float(np.corrcoef(np.roll(a, lag), b)[0, 1]) for lag in range(-10, 11))


def test_8khz_and_float_wav_are_resampled(store, settings, project, jfk):
    narrowband = soxr.resample(jfk, 16000, 8000)
    recording = import_audio(store, settings, project, wav_bytes(narrowband, 8000, "FLOAT"), "phone.wav")
    assert (recording.sampling_rate, recording.probe.subtype) == (8000, "FLOAT")
    assert sf.info(str(settings.data_dir / recording.normalized_path)).frames == pytest.approx(len(jfk), abs=16)


def test_probe_measures_levels_clipping_and_snr(store, settings, project, jfk, speech_dir):
    clean = import_audio(store, settings, project, wav_bytes(jfk, 16000), "jfk.wav").probe
    assert -20 < clean.peak_dbfs <= 0 and clean.rms_dbfs < clean.peak_dbfs
    assert clean.clipped_ratio == 0 and clean.snr_db > 20
    loud = import_audio(store, settings, project, wav_bytes(np.clip(jfk * 8, -1, 1), 16000), "loud.wav").probe
    assert loud.peak_dbfs == pytest.approx(0, abs=0.01) and loud.clipped_ratio > 0.01
    noise = load_mono_16k(speech_dir / "noise" / "speechbrain_noise5_stationary.wav")
    assert estimate_snr_db(noise) < clean.snr_db / 2


def test_duplicate_upload_is_reported_and_stored_once(store, settings, project, speech_dir):
    data = (speech_dir / "en" / "jfk.wav").read_bytes()
    first = import_audio(store, settings, project, data, "jfk.wav")
    files = stored_files(settings)
    with pytest.raises(DuplicateRecording, match=f"already in this project as recording {first.id}"):
        import_audio(store, settings, project, data, "copy of jfk.wav")
    assert stored_files(settings) == files
    assert len(store.list_recordings(project.id)) == 1


@pytest.mark.parametrize("case", ["empty", "text", "cut in its header", "zero-length wav", "header only"])
def test_bad_input_gets_a_clear_error_and_leaves_nothing(store, settings, project, speech_dir, case):
    data, message = corrupt_inputs(speech_dir)[case]
    with pytest.raises(AudioDecodeError, match=message):
        import_audio(store, settings, project, data, f"{case}.wav")
    assert stored_files(settings) == []
    assert store.list_recordings(project.id) == []


def test_audio_longer_than_the_maximum_is_refused_before_decoding(store, project, tmp_path, speech_dir):
    settings = Settings(data_dir=tmp_path / "data", audio_limits=AudioLimits(max_seconds=5.0))
    with pytest.raises(AudioDecodeError, match=r"0\.00 h long; the maximum is 0\.00 h"):
        import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    assert stored_files(settings) == []


def test_odd_names_are_labels_only(store, settings, project, speech_dir):
    data = (speech_dir / "en" / "LDC93S1.wav").read_bytes()
    recording = import_audio(store, settings, project, data, "../../etc/passwd\n 회의 녹음 (1).wav")
    assert recording.label == "../../etc/passwd 회의 녹음 (1).wav"
    for path in stored_files(settings):
        assert path.resolve().is_relative_to(settings.data_dir.resolve())
        assert path.name.startswith((recording.sha256, "rec-"))


def test_import_paths_recurses_and_reports_each_file(store, settings, project, speech_dir, tmp_path):
    folder = tmp_path / "upload" / "nested"
    folder.mkdir(parents=True)
    (folder / "a.wav").write_bytes((speech_dir / "en" / "LDC93S1.wav").read_bytes())
    (folder / "b.flac").write_bytes((speech_dir / "en" / "librispeech_2412-153948-0000.flac").read_bytes())
    (folder / "broken.wav").write_bytes(b"RIFF....WAVEfmt ")
    (folder / "notes.txt").write_text("ignored: not an audio extension")
    (tmp_path / "upload" / "again.wav").write_bytes((speech_dir / "en" / "LDC93S1.wav").read_bytes())
    report = import_paths(store, settings, project, [tmp_path / "upload", tmp_path / "missing.wav"])
    # Folder contents are taken in sorted path order, so "again.wav" comes before "nested/a.wav".
    assert sorted(r.label for r in report.imported) == ["again.wav", "b.flac"]
    assert [Path(d.source).name for d in report.duplicates] == ["a.wav"]
    assert sorted(Path(f.source).name for f in report.failures) == ["broken.wav", "missing.wav"]


def test_import_uploads_reports_each_browser_file(store, settings, project, speech_dir):
    from speechlabel.ingest.files import import_uploads

    jfk = (speech_dir / "en" / "jfk.wav").read_bytes()
    seen = []
    report = import_uploads(
        store,
        settings,
        project,
        [("jfk.wav", jfk), ("x.wav", b""), ("again.wav", jfk)],
        actor=SYSTEM,
        on_file=lambda name, index, total: seen.append((name, index, total)),
    )
    assert [r.label for r in report.imported] == ["jfk.wav"]
    assert [(f.source, "is empty" in f.message) for f in report.failures] == [("x.wav", True)]
    assert [d.source for d in report.duplicates] == ["again.wav"]
    assert seen == [("jfk.wav", 0, 3), ("x.wav", 1, 3), ("again.wav", 2, 3)]
