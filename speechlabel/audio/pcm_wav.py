"""Spans of 16-bit PCM WAV files copied as bytes, without decoding.

Every recording's normalized copy is a plain 16-bit PCM mono WAV (``audio.write_wav``), and
libsndfile's float round trip of 16-bit samples is exact (it scales by 32768 both ways). So a
16 kHz clip cut by decoding the span to float and encoding it again holds exactly the bytes that
lie between the span's first and last sample in the source: copying those bytes behind a
canonical 44-byte header gives the same file, byte for byte, without numpy, libsndfile or a
Python loop in the data path. Anything else (float, 24-bit, several channels, odd chunk
layouts) is reported as not plain, and the caller decodes it instead.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

_RIFF = struct.Struct("<4sI4s")
_CHUNK = struct.Struct("<4sI")
_FMT = struct.Struct("<HHIIHH")
_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")
_PCM = 1
_SAMPLE_BYTES = 2
_MAX_HEADER_SCAN = 1 << 16  # chunks before ``data`` (LIST, PEAK, ...) are small; give up beyond


@dataclass(frozen=True)
class PcmWav:
    """Where the samples of a 16-bit PCM mono WAV lie in its file."""

    path: Path
    sampling_rate: int
    data_offset: int
    frames: int


def plain_pcm16_mono(path: str | os.PathLike) -> PcmWav | None:
    """The layout of ``path`` if it is a 16-bit PCM mono WAV whose data chunk is complete;
    None for any other file (the caller then decodes it)."""
    with open(path, "rb") as handle:
        head = handle.read(_MAX_HEADER_SCAN)
        size = os.fstat(handle.fileno()).st_size
    if len(head) < _RIFF.size:
        return None
    riff, _, wave = _RIFF.unpack_from(head)
    if riff != b"RIFF" or wave != b"WAVE":
        return None
    rate, position = None, _RIFF.size
    while position + _CHUNK.size <= len(head):
        name, length = _CHUNK.unpack_from(head, position)
        body = position + _CHUNK.size
        if name == b"fmt ":
            rate = _plain_format_rate(head[body : body + length])
            if rate is None:
                return None
        elif name == b"data":
            if rate is None or body + length > size:  # no format yet, or truncated
                return None
            return PcmWav(Path(path), rate, body, length // _SAMPLE_BYTES)
        position = body + length + (length & 1)  # chunks are padded to even sizes
    return None


def _plain_format_rate(fmt: bytes) -> int | None:
    if len(fmt) < _FMT.size:
        return None
    tag, channels, rate, byte_rate, block_align, bits = _FMT.unpack_from(fmt)
    plain = (tag, channels, bits, block_align) == (_PCM, 1, 16, _SAMPLE_BYTES) and byte_rate == rate * _SAMPLE_BYTES
    return rate if plain else None


def wav_header(frames: int, rate: int) -> bytes:
    """The canonical 44-byte header of a 16-bit PCM mono WAV (as libsndfile writes it)."""
    data = frames * _SAMPLE_BYTES
    return _HEADER.pack(
        b"RIFF", 36 + data, b"WAVE", b"fmt ", 16, _PCM, 1, rate, rate * _SAMPLE_BYTES, _SAMPLE_BYTES, 16, b"data", data
    )


def write_span(source: PcmWav, first: int, last: int, target: Path) -> int:
    """Write samples ``[first, last)`` of ``source`` as a WAV at ``target`` (replaced if it
    exists; not atomic: callers write into a staging folder). Returns the samples written."""
    first, last = max(0, first), min(source.frames, last)
    frames = max(0, last - first)
    src = os.open(source.path, os.O_RDONLY)
    try:
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            _write_all(out, wav_header(frames, source.sampling_rate))
            _copy_range(src, out, source.data_offset + first * _SAMPLE_BYTES, frames * _SAMPLE_BYTES)
        finally:
            os.close(out)
    finally:
        os.close(src)
    return frames


def span_bytes(source: PcmWav, first: int, last: int) -> bytes:
    """Samples ``[first, last)`` of ``source`` as a WAV file's bytes (the clip route's answer)."""
    samples = span_samples(source, first, last)
    return wav_header(len(samples) // _SAMPLE_BYTES, source.sampling_rate) + samples


def span_samples(source: PcmWav, first: int, last: int) -> bytes:
    """The bytes of samples ``[first, last)`` of ``source`` (16-bit little-endian, as stored)."""
    first, last = max(0, first), min(source.frames, last)
    frames = max(0, last - first)
    src = os.open(source.path, os.O_RDONLY)
    try:
        return _pread_exactly(src, frames * _SAMPLE_BYTES, source.data_offset + first * _SAMPLE_BYTES)
    finally:
        os.close(src)


def _copy_range(src: int, out: int, offset: int, count: int) -> None:
    """``count`` bytes of ``src`` from ``offset`` appended to ``out``: in the kernel where it can
    (``copy_file_range``), else through a buffer."""
    while count > 0:
        try:
            copied = os.copy_file_range(src, out, count, offset)
        except (AttributeError, OSError):  # not Linux, an old kernel, or a file system without it
            _write_all(out, _pread_exactly(src, count, offset))
            return
        if copied == 0:
            raise OSError(f"the source ended {count} bytes early at offset {offset}")
        offset += copied
        count -= copied


def _pread_exactly(fd: int, count: int, offset: int) -> bytes:
    chunks = []
    while count > 0:
        chunk = os.pread(fd, count, offset)
        if not chunk:
            raise OSError(f"the source ended {count} bytes early at offset {offset}")
        chunks.append(chunk)
        offset += len(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
