"""Hostile and unusable audio (issue 17, points 9 and 10): refused before decoding, decoded in
bounded memory, or imported with a warning, each with a message saying what is allowed; one bad
file never stops the others. Every file here is generated, or cut from a real recording."""

from __future__ import annotations

import io
from contextlib import closing

import numpy as np
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.decode import _PyAVSource
from speechlabel.audio.limits import AudioLimits
from speechlabel.audio.normalize import DecodedFrames, mono_16k_blocks, normalize_to_wav
from speechlabel.audio.probe import LevelMeter
from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.errors import AudioDecodeError
from speechlabel.i18n import Lang, error_message
from speechlabel.ingest.files import import_audio, import_recording, import_uploads
from speechlabel.workspace.config import Settings
from tests.audio_samples import encode_with_ffmpeg, silent_flac, stored_files


def float_wav(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, subtype="FLOAT", format="WAV")
    return buffer.getvalue()


def refusal(store, settings, project, data: bytes, label: str) -> AudioDecodeError:
    with pytest.raises(AudioDecodeError) as refused:
        import_audio(store, settings, project, data, label)
    assert stored_files(settings) == [] and store.list_recordings(project.id) == []
    return refused.value


# --- point 9: declared size checked before decoding ----------------------------------------------------


def test_the_issues_384_khz_8_channel_flac_is_refused_before_decoding(store, settings, project):
    bomb = silent_flac(384_000, 8, 3)
    error = refusal(store, settings, project, bomb, "bomb.flac")
    assert str(error) == "'bomb.flac' has a sample rate of 384000 Hz; accepted: 8000 to 192000 Hz"
    assert error_message(error, Lang.KO) == "'bomb.flac'의 샘플링 레이트는 384000Hz입니다. 8000~192000Hz만 받습니다."


def test_too_many_channels_are_refused(store, settings, project):
    array = io.BytesIO()
    sf.write(array, np.zeros((1600, 40), dtype=np.int16), 16000, format="WAV")  # FLAC stops at 8 channels
    error = refusal(store, settings, project, array.getvalue(), "array.wav")
    assert str(error) == "'array.wav' has 40 channels; accepted: 1 to 32"


def declare_total_samples(flac: bytes, total: int) -> bytes:
    """``flac`` with its STREAMINFO's 36-bit total sample count replaced (what a hostile file
    can declare for free): after "fLaC", a 4-byte block header and 10 bytes of frame sizes, 64
    bits hold the rate (20), channels - 1 (3), bits - 1 (5) and the total (36)."""
    assert flac[:4] == b"fLaC"
    packed = int.from_bytes(flac[18:26], "big")
    packed = (packed & ~((1 << 36) - 1)) | total
    return flac[:18] + packed.to_bytes(8, "big") + flac[26:]


def test_a_3_9_hour_192_khz_8_channel_flac_is_refused_by_its_decoded_size(store, settings, project):
    """Under the 4 h cap and within the rate and channel limits, but 86 GB once decoded: the
    default budget (32 GB) refuses it from its header, before one sample is decoded."""
    seconds = 3.9 * 3600
    declared = declare_total_samples(silent_flac(192_000, 8, 1), int(seconds * 192_000))
    assert sf.info(io.BytesIO(declared)).duration == pytest.approx(seconds)
    error = refusal(store, settings, project, declared, "long.flac")
    assert str(error) == (
        "'long.flac' decodes to 86.3 GB (8 channels at 192000 Hz); the most one file may decode "
        "to is 32.0 GB; split it or mix it down to fewer channels"
    )
    assert error_message(error, Lang.KO).startswith("'long.flac'은(는) 디코딩하면 86.3기가바이트입니다")


def test_the_decoding_budget_is_an_option(store, project, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", audio_limits=AudioLimits(max_decoded_bytes=10 * 10**9))
    declared = declare_total_samples(silent_flac(96_000, 8, 1), 2 * 3600 * 96_000)  # 2 h: 22.1 GB
    error = refusal(store, settings, project, declared, "wide.flac")
    assert str(error) == (
        "'wide.flac' decodes to 22.1 GB (8 channels at 96000 Hz); the most one file may decode "
        "to is 10.0 GB; split it or mix it down to fewer channels"
    )


def test_a_header_that_understates_the_length_is_caught_while_decoding():
    """Two chained Ogg streams: FFmpeg declares the last one's 10 s but decodes all 12 s. The
    maximum holds for what is decoded, not only for what a header says."""
    noise = np.random.default_rng(0).uniform(-0.1, 0.1, 16000 * 2).astype(np.float32)

    def ogg(seconds: int) -> bytes:
        buffer = io.BytesIO()
        sf.write(buffer, np.tile(noise, seconds // 2), 16000, format="OGG", subtype="VORBIS")
        return buffer.getvalue()

    source = _PyAVSource(io.BytesIO(ogg(2) + ogg(10)), "chained.ogg")
    assert source.header.declared_seconds == pytest.approx(10.0)
    limits = AudioLimits(max_seconds=11.0)
    with closing(source), pytest.raises(AudioDecodeError) as refused:
        list(mono_16k_blocks(source, "chained.ogg", limits, LevelMeter("chained.ogg"), DecodedFrames()))
    assert str(refused.value).startswith("'chained.ogg' is 0.00 h long; the maximum is 0.00 h")


def test_blocks_give_the_same_copy_and_figures_as_one_pass(tmp_path, speech_dir):
    """Tiny blocks (a 64 kB budget) and the default give the same 16 kHz copy and probe: the
    streaming resampler and the block-wise meters change nothing."""
    data = (speech_dir / "en" / "jfk_44k_24bit_stereo.flac").read_bytes()
    results = []
    for budget in (64 * 1024, AudioLimits().memory_budget_bytes):
        target = tmp_path / f"{budget}.wav"
        normalized = normalize_to_wav(data, "jfk.flac", AudioLimits(memory_budget_bytes=budget), target)
        results.append((normalized.probe, target.read_bytes()))
    (small_probe, small), (big_probe, big) = results
    assert small_probe == big_probe and small == big
    assert small_probe.duration == pytest.approx(11.0, abs=0.01) and small_probe.channels == 2
    assert AudioLimits(memory_budget_bytes=64 * 1024).block_frames(2) < 11 * 44100 / 10  # really many blocks


def test_one_refused_file_does_not_stop_the_batch(store, settings, project, speech_dir):
    jfk = (speech_dir / "en" / "jfk.wav").read_bytes()
    report = import_uploads(
        store, settings, project, [("bomb.flac", silent_flac(384_000, 8, 1)), ("jfk.wav", jfk)], actor=SYSTEM
    )
    assert [r.label for r in report.imported] == ["jfk.wav"]
    assert [(f.source, f.error.message_key) for f in report.failures] == [("bomb.flac", "error.audio_sample_rate")]


# --- point 10: audio that is not speech-usable ---------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_refused(store, settings, project, bad):
    samples = np.full(16000, 0.1, dtype=np.float32)
    samples[8000] = bad
    error = refusal(store, settings, project, float_wav(samples, 16000), "nan.wav")
    assert str(error).startswith("'nan.wav' holds samples that are not numbers (NaN or infinite); accepted: finite")
    assert "무한대" in error_message(error, Lang.KO)


def test_a_1_hz_wav_is_refused(store, settings, project):
    error = refusal(store, settings, project, float_wav(np.zeros(10, dtype=np.float32), 1), "slow.wav")
    assert str(error) == "'slow.wav' has a sample rate of 1 Hz; accepted: 8000 to 192000 Hz"


def test_a_1_sample_file_is_refused(store, settings, project):
    error = refusal(store, settings, project, float_wav(np.full(1, 0.5, dtype=np.float32), 16000), "blip.wav")
    assert str(error) == "'blip.wav' holds 0.000 s of audio; the least a recording may hold is 0.1 s"
    assert (
        error_message(error, Lang.KO) == "'blip.wav'에 든 오디오는 0.000초입니다. 녹음은 최소 0.1초 이상이어야 합니다."
    )


def test_a_tenth_of_a_second_is_enough(store, settings, project):
    recording = import_audio(store, settings, project, float_wav(np.full(1600, 0.1, dtype=np.float32), 16000), "a.wav")
    assert recording.duration == pytest.approx(0.1)


def truncated_inputs(speech_dir) -> dict[str, bytes]:
    jfk = load_mono_16k(speech_dir / "en" / "jfk.wav")
    mp3 = encode_with_ffmpeg(jfk, 16000, "mp3", "libmp3lame")
    wav = (speech_dir / "en" / "jfk.wav").read_bytes()
    flac = (speech_dir / "en" / "jfk_44k_24bit_stereo.flac").read_bytes()
    return {"mp3": mp3[: len(mp3) // 2], "wav": wav[: len(wav) // 2], "flac": flac[: len(flac) // 2]}


@pytest.mark.parametrize("kind", ["mp3", "wav", "flac"])
def test_a_truncated_file_is_imported_with_a_warning(store, settings, project, speech_dir, kind):
    data = truncated_inputs(speech_dir)[kind]
    imported = import_recording(store, settings, project, data, f"cut.{kind}")
    (warning,) = imported.warnings
    assert warning.message_key == "warning.audio_short"
    assert warning.params["declared"] == "11.00"
    assert 5.0 < float(warning.params["decoded"]) < 6.0
    assert imported.recording.duration == pytest.approx(float(warning.params["decoded"]), abs=0.01)
    assert warning.message.startswith(f"'cut.{kind}' is truncated: it declares 11.00 s but only the first ")


def test_complete_files_have_no_warning(store, settings, project, speech_dir):
    jfk = load_mono_16k(speech_dir / "en" / "jfk.wav")
    for name, data in [
        ("jfk.mp3", encode_with_ffmpeg(jfk, 16000, "mp3", "libmp3lame")),
        ("jfk.wav", (speech_dir / "en" / "jfk.wav").read_bytes()),
        ("jfk.m4a", encode_with_ffmpeg(jfk, 16000, "ipod", "aac")),
    ]:
        assert import_recording(store, settings, project, data, name).warnings == ()


def test_the_batch_report_carries_the_warning(store, settings, project, speech_dir):
    data = truncated_inputs(speech_dir)["mp3"]
    report = import_uploads(store, settings, project, [("cut.mp3", data)], actor=SYSTEM)
    assert [r.label for r in report.imported] == ["cut.mp3"]
    assert [(w.source, w.message_key) for w in report.warnings] == [("cut.mp3", "warning.audio_short")]


def test_settings_read_the_maximum_length_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHLABEL_MAX_AUDIO_SECONDS", "60")
    assert Settings.from_env(tmp_path).audio_limits == AudioLimits(max_seconds=60.0)
