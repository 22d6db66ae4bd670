"""16 kHz mono audio: load it, write it as WAV, and cut clips.

Decoding an upload lives in ``audio_decode`` (libsndfile, FFmpeg through PyAV) and turning it
into the 16 kHz mono copy, block by block, in ``normalize``.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from speechlabel.audio.pcm_wav import plain_pcm16_mono, span_bytes, span_samples

log = logging.getLogger(__name__)

# The one sample rate of the app: every normalised copy, the VAD and the engines work at 16 kHz.
# Other modules import it (segment and transcribe as SAMPLE_RATE); none states the number again.
TARGET_RATE = 16000


def load_mono_16k(path: str | os.PathLike) -> np.ndarray:
    """Decode any accepted file from disk straight to float32 16 kHz mono."""
    from speechlabel.audio.normalize import decode_mono_16k  # imported here: normalize builds on this module

    path = Path(path)
    return decode_mono_16k(path, path.name)


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
    A normalized recording is already that: its samples' bytes are copied as they are
    (``pcm_wav``: the float round trip of ``read_span`` + ``wav_bytes``, which any other layout
    takes, gives the same bytes at many times the CPU)."""
    plain = plain_pcm16_mono(path)
    if plain is None or plain.sampling_rate != TARGET_RATE:
        return wav_bytes(read_span(path, start, end))
    first, last = span_frames(start, end, plain.sampling_rate, plain.frames)
    return span_bytes(plain, first, max(first, last))


def read_span(path: str | os.PathLike, start: float, end: float) -> np.ndarray:
    """Read [start, end) seconds of a WAV without loading the rest of it (seek, not slice). A
    normalized recording's samples are read as bytes and scaled as libsndfile scales them (by
    1/32768, exact in float32): the same numbers without opening it through libsndfile."""
    plain = plain_pcm16_mono(path)
    if plain is not None:
        first, last = span_frames(start, end, plain.sampling_rate, plain.frames)
        pcm = np.frombuffer(span_samples(plain, first, max(first, last)), dtype="<i2")
        return pcm.astype(np.float32) * np.float32(1 / 32768)
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
