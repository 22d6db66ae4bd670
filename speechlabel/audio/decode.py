"""Decode any audio we accept in blocks: its header first, then float32 blocks of all channels.

libsndfile is tried first (WAV, FLAC, OGG, MP3; exact for 24-bit and float WAV); FFmpeg through
PyAV takes what it does not know (M4A/AAC, WebM/Opus, ...). Both are wheels on PyPI, so no
ffmpeg program is needed. Nothing here holds more than one block: a caller that mixes down and
resamples each block (speechlabel.audio.normalize) keeps memory bounded whatever the file's length.
A file given by its path, or as an open file (a browser upload), is read as the decoder goes,
never whole.

A decoder that fails after some audio does not raise: it ends the blocks and says why in
``stopped_by`` (a truncated or damaged file), so the audio before the damage can still be used.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import numpy as np
import soundfile as sf

from speechlabel.audio.limits import AudioHeader
from speechlabel.core.errors import AudioDecodeError

FORMATS = "WAV, FLAC, OGG, MP3, M4A/AAC, WebM/Opus"
_ACCEPTED = f"accepted: {FORMATS}"
# libsndfile's note on a WAV whose header declares more data than the file holds:
# "data : 352000 (should be 175961)", the declared byte count first.
_LIBSNDFILE_SHORT_DATA = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
# Raw streams with no index: FFmpeg estimates their duration from the bit rate.
_ESTIMATED_DURATION_FORMATS = {"aac", "mp3"}


# What audio is read from: a whole file's bytes, its path, or an open binary file that can seek
# (Streamlit's UploadedFile). Always the whole file, from its first byte.
AudioData = bytes | str | os.PathLike[str] | BinaryIO


@contextmanager
def open_binary(data: AudioData) -> Iterator[BinaryIO]:
    """``data`` as a binary file at its first byte; a file this opens is closed again, an open
    file given is left open (its owner closes it)."""
    if isinstance(data, bytes):
        yield io.BytesIO(data)  # shares the bytes: no copy
    elif isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as handle:
            yield handle
    else:
        data.seek(0)
        yield data


class AudioSource:
    """An opened file (``open_audio``): ``header``, then ``blocks(frames)``; ``stopped_by`` is
    the decoder's reason when it stopped before the end."""

    header: AudioHeader
    stopped_by: str | None = None

    def blocks(self, frames: int) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def nothing_decoded(self, label: str) -> AudioDecodeError:
        """The error for a file that gave no samples at all."""
        if self.stopped_by is None:
            return AudioDecodeError(message_key="error.audio_no_samples", params={"label": label})
        return self._unusable(label)

    def _unusable(self, label: str) -> AudioDecodeError:
        return _unreadable(label)


@contextmanager
def open_audio(data: AudioData, label: str) -> Iterator[AudioSource]:
    """Open a file for decoding; raise AudioDecodeError saying what is wrong."""
    with open_binary(data) as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            raise AudioDecodeError(message_key="error.audio_empty", params={"label": label})
        handle.seek(0)
        try:
            source: AudioSource = _SoundfileSource(handle, label)
        except _NotForThisDecoder:
            handle.seek(0)
            source = _PyAVSource(handle, label)
        try:
            yield source
        finally:
            source.close()


class _NotForThisDecoder(Exception):
    """libsndfile does not know the format; let FFmpeg try."""


class _SoundfileSource(AudioSource):
    def __init__(self, binary: BinaryIO, label: str):
        try:
            self._file = sf.SoundFile(binary)
        except sf.LibsndfileError as error:
            if "Format not recognised" in str(error) or "unknown format" in str(error).lower():
                raise _NotForThisDecoder() from error
            reason = _libsndfile_reason(error)
            raise AudioDecodeError(
                message_key="error.audio_damaged", params={"label": label, "reason": reason}
            ) from error
        handle = self._file
        declared = handle.frames / handle.samplerate if handle.samplerate else None
        short = _LIBSNDFILE_SHORT_DATA.search(handle.extra_info or "")
        if short and declared is not None and int(short.group(2)) > 0:
            declared *= int(short.group(1)) / int(short.group(2))
        if short:
            self.stopped_by = "the header declares more audio than the file holds"
        self.header = AudioHeader(handle.format, handle.subtype, int(handle.samplerate), int(handle.channels), declared)

    def blocks(self, frames: int) -> Iterator[np.ndarray]:
        # Reads of at most 16k frames: libsndfile drops a whole read that meets damage, so
        # smaller reads keep more of the audio before it.
        frames = min(frames, 1 << 14)
        while True:
            try:
                block = self._file.read(frames, dtype="float32", always_2d=True)
            except sf.LibsndfileError as error:
                self.stopped_by = _libsndfile_reason(error)
                return
            if not len(block):
                return
            yield block

    def close(self) -> None:
        self._file.close()

    def _unusable(self, label: str) -> AudioDecodeError:
        reason = self.stopped_by or "unreadable"
        return AudioDecodeError(message_key="error.audio_corrupt", params={"label": label, "reason": reason})


def _libsndfile_reason(error: Exception) -> str:
    return str(error).split(":")[-1].strip() or "unreadable"


class _PyAVSource(AudioSource):
    def __init__(self, binary: BinaryIO, label: str):
        import av  # imported lazily: most uploads are WAV or FLAC

        self._av = av
        try:
            self._container = av.open(binary, mode="r")
        except (av.error.FFmpegError, ValueError, IndexError) as error:
            raise _unreadable(label) from error
        if not self._container.streams.audio:
            self._container.close()
            raise AudioDecodeError(message_key="error.audio_no_stream", params={"label": label, "formats": FORMATS})
        self._label = label
        self._stream = stream = self._container.streams.audio[0]
        context = stream.codec_context
        estimated = self._container.format.name in _ESTIMATED_DURATION_FORMATS
        self.header = AudioHeader(
            self._container.format.name.upper(),
            context.name,
            int(context.sample_rate or 0),
            int(context.channels or 0),
            _declared_seconds(self._container, stream),
            exact_length=not estimated,
        )

    def blocks(self, frames: int) -> Iterator[np.ndarray]:
        av, channels = self._av, self.header.channels
        # Fixed output format, layout and rate: a stream that changes them midway still gives
        # blocks of one shape.
        resampler = av.AudioResampler(
            format="flt",
            layout=self._stream.layout.name if self._stream.layout else None,
            rate=self.header.sampling_rate,
        )
        pending: list[np.ndarray] = []
        held = 0
        try:
            for frame in self._container.decode(self._stream):
                for out in resampler.resample(frame):
                    pending.append(out.to_ndarray().reshape(-1, channels))
                    held += pending[-1].shape[0]
                if held >= frames:
                    yield np.concatenate(pending)
                    pending, held = [], 0
            pending.extend(out.to_ndarray().reshape(-1, channels) for out in resampler.resample(None))
        except (av.error.FFmpegError, ValueError) as error:
            self.stopped_by = str(error) or type(error).__name__
        if pending:
            yield np.concatenate(pending)

    def close(self) -> None:
        self._container.close()


def _unreadable(label: str) -> AudioDecodeError:
    return AudioDecodeError(message_key="error.audio_unreadable", params={"label": label, "formats": FORMATS})


def _declared_seconds(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # FFmpeg's AV_TIME_BASE
    return None
