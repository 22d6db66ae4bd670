"""Turn an uploaded file into the 16 kHz mono copy labeling uses, in bounded memory.

The header is checked against ``AudioLimits`` before any sample is decoded; then each block is
measured (peak, clipping, non-finite samples, and the recording checks' measures), mixed down, resampled with soxr's streaming
resampler (the same output as resampling the whole signal at once) and written out, so memory
holds a block or two whatever the file's length or channel count. Decoding that stops early is
reported as a ``Truncation`` (the audio before it is kept), not hidden.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from speechlabel.audio.decode import AudioData, AudioSource, open_audio
from speechlabel.audio.limits import AudioLimits, check_header, refuse_too_long, refuse_too_short
from speechlabel.audio.probe import LevelMeter
from speechlabel.audio.qc_meter import QcMeter
from speechlabel.audio.samples import TARGET_RATE
from speechlabel.core.models import AudioProbe
from speechlabel.core.qc import QcMeasures

# Decoding that delivers less than this share of the declared duration met a truncated or
# damaged file (encoders round a container's duration by a frame or two).
_MIN_DECODED_SHARE = 0.98


@dataclass(frozen=True)
class Truncation:
    """Less audio decoded than the file declares, or the decoder stopped with an error."""

    declared_seconds: float | None
    decoded_seconds: float
    reason: str | None


@dataclass(frozen=True)
class Normalized:
    probe: AudioProbe
    truncation: Truncation | None
    measures: QcMeasures  # for the project's recording checks


def check_importable(data: AudioData, label: str, limits: AudioLimits) -> None:
    """Refuse from its header alone a file ``normalize_to_wav`` would refuse before decoding
    (not audio, or breaking ``limits``): an import then copies nothing of it."""
    with open_audio(data, label) as source:
        check_header(source.header, limits, label)


def normalize_to_wav(data: AudioData, label: str, limits: AudioLimits, target: Path) -> Normalized:
    """Decode ``data`` into a 16-bit 16 kHz mono WAV at ``target``, written under a hidden
    ``.tmp-`` name and renamed at the end (removed again on any failure)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".wav")
    try:
        with (
            open_audio(data, label) as source,
            os.fdopen(fd, "wb") as handle,
            sf.SoundFile(handle, "w", TARGET_RATE, 1, subtype="PCM_16", format="WAV") as out,
        ):
            meter = QcMeter(label)
            decoded = DecodedFrames()
            for mono in mono_16k_blocks(source, label, limits, meter, decoded):
                out.write(np.clip(mono, -1.0, 1.0))
            probe = meter.probe(source.header, decoded.frames)
            normalized = Normalized(probe, _truncation(source, decoded.frames), meter.measures(probe))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return normalized


def decode_mono_16k(data: AudioData, label: str, limits: AudioLimits | None = None) -> np.ndarray:
    """The whole file as float32 16 kHz mono in memory (for files known to be short)."""
    with open_audio(data, label) as source:
        blocks = list(mono_16k_blocks(source, label, limits or AudioLimits(), LevelMeter(label), DecodedFrames()))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


@dataclass
class DecodedFrames:
    frames: int = 0


def mono_16k_blocks(
    source: AudioSource, label: str, limits: AudioLimits, meter: LevelMeter, decoded: DecodedFrames
) -> Iterator[np.ndarray]:
    """Check the header, then yield the file as 16 kHz mono blocks, measuring each on the way;
    ``decoded.frames`` counts the file's own frames. Refuses what breaks ``limits``."""
    header = source.header
    check_header(header, limits, label)
    most_frames = limits.max_seconds * header.sampling_rate
    resampler = None
    if header.sampling_rate != TARGET_RATE:
        resampler = soxr.ResampleStream(header.sampling_rate, TARGET_RATE, 1, dtype="float32", quality="HQ")
    for block in source.blocks(limits.block_frames(header.channels)):
        meter.add_original(block)
        decoded.frames += len(block)
        if decoded.frames > most_frames:  # the header understated the length
            refuse_too_long(decoded.frames / header.sampling_rate, label, limits)
        mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float64).astype(np.float32)
        yield from _measured(resampler.resample_chunk(mono) if resampler else mono, meter)
    if resampler is not None:
        yield from _measured(resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True), meter)
    if decoded.frames == 0:
        raise source.nothing_decoded(label)
    refuse_too_short(decoded.frames / header.sampling_rate, label, limits)


def _measured(mono_16k: np.ndarray, meter: LevelMeter) -> Iterator[np.ndarray]:
    if len(mono_16k):
        meter.add_mono(mono_16k)
        yield mono_16k


def _truncation(source: AudioSource, frames: int) -> Truncation | None:
    header = source.header
    decoded = frames / header.sampling_rate
    declared = header.declared_seconds
    short = header.exact_length and declared is not None and decoded < declared * _MIN_DECODED_SHARE
    if source.stopped_by is None and not short:
        return None
    return Truncation(round(declared, 2) if declared is not None else None, round(decoded, 2), source.stopped_by)
