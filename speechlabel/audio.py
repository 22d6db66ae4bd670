"""Decode any audio we accept, normalise it to 16 kHz mono, and cut clips.

Decoding tries libsndfile first (WAV, FLAC, OGG, MP3; exact for 24-bit and float WAV) and falls
back to FFmpeg through PyAV (M4A/AAC, WebM/Opus, anything else FFmpeg knows). Both decoders are
wheels on PyPI, so no ffmpeg program is needed.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from .errors import AudioDecodeError

log = logging.getLogger(__name__)

TARGET_RATE = 16000
# A decoder that delivers less than this share of the duration its container declares has
# met a truncated or damaged file.
_MIN_DECODED_SHARE = 0.98


@dataclass(frozen=True)
class DecodedAudio:
    """Samples as float32 in [-1, 1], shape (frames, channels), at the file's own rate."""

    samples: np.ndarray
    sampling_rate: int
    format: str
    subtype: str | None

    @property
    def num_samples(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return self.num_samples / self.sampling_rate


def decode_bytes(data: bytes, label: str = "audio") -> DecodedAudio:
    """Decode a whole file held in memory; raise AudioDecodeError saying what is wrong."""
    if not data:
        raise AudioDecodeError(f"{label!r} is empty (0 bytes); upload a non-empty audio file",
                               message_key="error.audio_empty", params={"label": label})
    try:
        decoded = _decode_with_soundfile(data, label)
    except _NotForThisDecoder:
        decoded = _decode_with_av(data, label)
    if decoded.num_samples == 0:
        raise AudioDecodeError(f"{label!r} holds no audio samples (zero length)",
                               message_key="error.audio_no_samples", params={"label": label})
    return decoded


def decode_file(path: str | os.PathLike) -> DecodedAudio:
    path = Path(path)
    return decode_bytes(path.read_bytes(), label=path.name)


def to_mono_16k(decoded: DecodedAudio) -> np.ndarray:
    """Average the channels and resample to 16 kHz with a high-quality filter (soxr)."""
    mono = decoded.samples.mean(axis=1, dtype=np.float64).astype(np.float32)
    if decoded.sampling_rate == TARGET_RATE:
        return mono
    return soxr.resample(mono, decoded.sampling_rate, TARGET_RATE, quality="HQ").astype(np.float32)


def load_mono_16k(path: str | os.PathLike) -> np.ndarray:
    """Decode any accepted file from disk straight to float32 16 kHz mono."""
    return to_mono_16k(decode_file(path))


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


class _NotForThisDecoder(Exception):
    """libsndfile does not know the format; let FFmpeg try."""


_LIBSNDFILE_SHORT_DATA = re.compile(r"^data\s*:\s*\d+\s*\(should be \d+\)", re.MULTILINE)


def _decode_with_soundfile(data: bytes, label: str) -> DecodedAudio:
    try:
        info = sf.info(io.BytesIO(data))
    except sf.LibsndfileError as error:
        if "Format not recognised" in str(error) or "unknown format" in str(error).lower():
            raise _NotForThisDecoder() from error
        reason = _libsndfile_reason(error)
        raise AudioDecodeError(f"{label!r} is damaged: {reason}",
                               message_key="error.audio_damaged", params={"label": label, "reason": reason}) from error
    if _LIBSNDFILE_SHORT_DATA.search(info.extra_info or ""):
        raise AudioDecodeError(
            f"{label!r} is truncated: its header declares more audio than the file holds; "
            "upload the complete file",
            message_key="error.audio_truncated_header", params={"label": label},
        )
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except sf.LibsndfileError as error:
        reason = _libsndfile_reason(error)
        raise AudioDecodeError(
            f"{label!r} is truncated or corrupt ({reason}); upload the complete file",
            message_key="error.audio_corrupt", params={"label": label, "reason": reason},
        ) from error
    return DecodedAudio(samples, int(rate), info.format, info.subtype)


def _libsndfile_reason(error: Exception) -> str:
    return str(error).split(":")[-1].strip() or "unreadable"


def _decode_with_av(data: bytes, label: str) -> DecodedAudio:
    import av  # imported lazily: most uploads are WAV or FLAC

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioDecodeError(f"{label!r} has no audio stream; {_ACCEPTED}",
                                       message_key="error.audio_no_stream",
                                       params={"label": label, "formats": _FORMATS})
            stream = container.streams.audio[0]
            declared = _declared_seconds(container, stream)
            chunks, rate = _decode_av_stream(container, stream)
            format_name = container.format.name
            codec = stream.codec_context.name
    except AudioDecodeError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError) as error:
        raise AudioDecodeError(f"{label!r} is not audio we can read; {_ACCEPTED}",
                               message_key="error.audio_unreadable",
                               params={"label": label, "formats": _FORMATS}) from error
    if not chunks:
        raise AudioDecodeError(f"{label!r} holds no audio samples (zero length)",
                               message_key="error.audio_no_samples", params={"label": label})
    samples = np.concatenate(chunks, axis=0)
    if declared and samples.shape[0] / rate < declared * _MIN_DECODED_SHARE:
        seconds = {"declared": f"{declared:.2f}", "decoded": f"{samples.shape[0] / rate:.2f}"}
        raise AudioDecodeError(
            f"{label!r} is truncated: it declares {seconds['declared']} s but only "
            f"{seconds['decoded']} s could be decoded; upload the complete file",
            message_key="error.audio_truncated", params={"label": label, **seconds},
        )
    return DecodedAudio(samples, rate, format_name.upper(), codec)


_FORMATS = "WAV, FLAC, OGG, MP3, M4A/AAC, WebM/Opus"
_ACCEPTED = f"accepted: {_FORMATS}"


def _decode_av_stream(container, stream) -> tuple[list[np.ndarray], int]:
    import av

    channels = stream.codec_context.channels or 1
    resampler = av.AudioResampler(format="flt", layout=stream.layout.name if stream.layout else None)
    chunks: list[np.ndarray] = []
    rate = stream.codec_context.sample_rate
    for frame in container.decode(stream):
        for out in resampler.resample(frame):
            chunks.append(out.to_ndarray().reshape(-1, channels))
            rate = out.sample_rate
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1, channels))
    return chunks, int(rate)


# Raw streams with no index: FFmpeg estimates their duration from the bit rate, so a shortfall
# says nothing about truncation.
_ESTIMATED_DURATION_FORMATS = {"aac", "mp3"}


def _declared_seconds(container, stream) -> float | None:
    if container.format.name in _ESTIMATED_DURATION_FORMATS:
        return None
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # FFmpeg's AV_TIME_BASE
    return None


def declared_duration(data: bytes) -> float | None:
    """The duration a file's header declares, read without decoding; None when unknown.

    Lets an import refuse a 10-hour file before spending minutes and gigabytes decoding it.
    """
    try:
        return float(sf.info(io.BytesIO(data)).duration)
    except sf.LibsndfileError:
        pass
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            return container.duration / 1_000_000 if container.duration else None
    except (av.error.FFmpegError, ValueError, IndexError):
        return None
