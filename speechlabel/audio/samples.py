"""16 kHz mono audio: load it, write it as WAV, and cut clips.

Decoding an upload lives in ``audio_decode`` (libsndfile, FFmpeg through PyAV) and turning it
into the 16 kHz mono copy, block by block, in ``normalize``.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import wave
from pathlib import Path

import numpy as np
import soundfile as sf

log = logging.getLogger(__name__)

# The one sample rate of the app: every normalised copy, the VAD and the engines work at 16 kHz.
# Other modules import it (segment and transcribe as SAMPLE_RATE); none states the number again.
TARGET_RATE = 16000


def load_mono_16k(path: str | os.PathLike) -> np.ndarray:
    """Decode any accepted file from disk straight to float32 16 kHz mono."""
    from speechlabel.audio.normalize import decode_mono_16k  # imported here: normalize builds on this module

    path = Path(path)
    return decode_mono_16k(path.read_bytes(), path.name)


def write_wav(path: str | os.PathLike, samples: np.ndarray, rate: int = TARGET_RATE) -> None:
    """Write 16-bit PCM WAV atomically: a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as handle:
            sf.write(handle, np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def wav_bytes(samples: np.ndarray, rate: int = TARGET_RATE) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16", format="WAV")
    return buffer.getvalue()


def span_wav(path: str | os.PathLike, start: float, end: float) -> bytes:
    """[start, end) seconds of a 16 kHz WAV as a mono 16-bit PCM WAV (what the clip route serves).
    A normalized recording is already that: its samples are copied as they are (the float
    round trip of ``read_span`` + ``wav_bytes``, which any other layout takes, gives the same
    bytes at 20× the CPU)."""
    with sf.SoundFile(str(path)) as handle:
        if (handle.samplerate, handle.channels, handle.subtype) != (TARGET_RATE, 1, "PCM_16"):
            return wav_bytes(read_span(path, start, end))
        first, last = span_frames(start, end, handle.samplerate, handle.frames)
        handle.seek(min(first, handle.frames))
        samples = handle.read(max(0, last - first), dtype="int16")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(TARGET_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def read_span(path: str | os.PathLike, start: float, end: float) -> np.ndarray:
    """Read [start, end) seconds of a WAV without loading the rest of it (seek, not slice)."""
    with sf.SoundFile(str(path)) as handle:
        first, last = span_frames(start, end, handle.samplerate, handle.frames)
        if last <= first:
            return np.zeros(0, dtype=np.float32)
        handle.seek(first)
        frames = handle.read(last - first, dtype="float32", always_2d=True)
    return frames[:, 0] if frames.shape[1] == 1 else frames.mean(axis=1).astype(np.float32)


def span_frames(start: float, end: float, rate: int, frames: int) -> tuple[int, int]:
    """The samples ``[first, last)`` that [start, end) seconds cover in a file of ``frames``
    samples (nearest sample; empty when ``last <= first``). Every cut uses this rounding, so
    clips cut by different paths hold the same samples."""
    return max(0, round(start * rate)), min(frames, round(end * rate))
