"""Audio the tests upload, made in memory (FFmpeg-encoded, WAV, FLAC silence, damaged files), and
what an import left in the data folder."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import soundfile as sf
import soxr

from speechlabel.audio.samples import TARGET_RATE, load_mono_16k
from speechlabel.workspace.config import Settings


def encode_with_ffmpeg(samples: np.ndarray, rate: int, container: str, codec: str) -> bytes:
    """Encode mono float samples with PyAV's bundled FFmpeg (no ffmpeg program needed)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(codec, rate=48000 if codec == "libopus" else rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16)[None, :], format="s16", layout="mono")
        frame.sample_rate = rate
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout="mono", rate=stream.codec_context.sample_rate
        )
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, subtype=subtype, format="WAV")
    return buffer.getvalue()


def silent_flac(rate: int, channels: int, seconds: float) -> bytes:
    """Silence in FLAC, written a second at a time (a few kB whatever the length)."""
    buffer = io.BytesIO()
    second = np.zeros((rate, channels), dtype=np.int16)
    with sf.SoundFile(buffer, "w", rate, channels, format="FLAC", subtype="PCM_16") as out:
        for _ in range(int(seconds)):
            out.write(second)
    return buffer.getvalue()


def write_long_speech(path: Path, speech_dir: Path, seconds: float, rate: int = 44100, channels: int = 2) -> None:
    """Real speech for ``seconds`` as a 16-bit WAV at ``rate`` with ``channels``: every
    ``en/*.wav`` in turn, a quarter second apart (about 2 minutes), again and again, each channel
    a little quieter than the one before. Written a pass at a time, so hours of it take the
    memory of one pass."""
    gap = np.zeros(TARGET_RATE // 4, dtype=np.float32)
    one_pass = np.concatenate(
        [part for wav in sorted((speech_dir / "en").glob("*.wav")) for part in (load_mono_16k(wav), gap)]
    )
    at_rate = soxr.resample(one_pass, TARGET_RATE, rate) if rate != TARGET_RATE else one_pass
    pcm = (np.clip(np.stack([at_rate * 0.9**channel for channel in range(channels)], axis=1), -1, 1) * 32767).astype(
        np.int16
    )
    frames = int(seconds * rate)
    with sf.SoundFile(path, "w", rate, channels, subtype="PCM_16", format="WAV") as out:
        while frames > 0:
            out.write(pcm[:frames])
            frames -= len(pcm)


def corrupt_inputs(speech_dir) -> dict[str, tuple[bytes, str]]:
    wav = (speech_dir / "en" / "jfk.wav").read_bytes()
    flac = (speech_dir / "en" / "jfk_44k_24bit_stereo.flac").read_bytes()
    return {
        "empty": (b"", "is empty"),
        "text": ("这不是音频 — not audio at all\n".encode() * 50, "not audio we can read"),
        "cut in its header": (flac[:200], "is damaged"),
        "zero-length wav": (wav_bytes(np.zeros(0, dtype=np.float32), 16000), "no audio samples"),
        "header only": (wav[:44], "damaged"),
    }


def stored_files(settings: Settings) -> list[Path]:
    audio = settings.data_dir / "audio"
    return sorted(p for p in audio.rglob("*") if p.is_file()) if audio.exists() else []
