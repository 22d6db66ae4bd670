"""Audio the tests upload, made in memory (FFmpeg-encoded, WAV, FLAC silence, damaged files), and
what an import left in the data folder."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import soundfile as sf

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
