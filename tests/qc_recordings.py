"""Recordings for the recording-check tests, made from the real speech in ../shared/speech: padded
with silence or real noise, cut into the speech, scaled, upsampled from 8 kHz, and stereo with one
channel scaled. Each is written as a WAV file (16-bit unless said) and its path returned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr


def read(path: Path) -> tuple[np.ndarray, int]:
    samples, rate = sf.read(path, dtype="float32", always_2d=False)
    return samples, rate


def write(path: Path, samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, rate, subtype=subtype)
    return path


def padded(source: Path, target: Path, seconds: float, noise: np.ndarray | None = None) -> Path:
    """``source`` with ``seconds`` of digital silence (or of ``noise``) before and after."""
    samples, rate = read(source)
    count = round(seconds * rate)
    pad = np.zeros(count, dtype=np.float32) if noise is None else noise[:count]
    after = np.zeros(count, dtype=np.float32) if noise is None else noise[count : 2 * count]
    return write(target, np.concatenate([pad, samples, after]), rate)


def cut(source: Path, target: Path, start: float, end: float | None = None) -> Path:
    samples, rate = read(source)
    return write(target, samples[round(start * rate) : None if end is None else round(end * rate)], rate)


def scaled(source: Path, target: Path, factor: float) -> Path:
    samples, rate = read(source)
    return write(target, samples * np.float32(factor), rate, subtype="FLOAT")


def upsampled_from_8k(source: Path, target: Path, rate: int = 16000) -> Path:
    """What a recording made at 8 kHz and stored at ``rate`` holds: nothing above 4 kHz."""
    samples, source_rate = read(source)
    narrow = soxr.resample(samples, source_rate, 8000)
    return write(target, soxr.resample(narrow, 8000, rate), rate)


def stereo(source: Path, target: Path, right_gain: float) -> Path:
    """``source`` on both channels, the right one scaled by ``right_gain``."""
    samples, rate = read(source)
    return write(target, np.stack([samples, samples * np.float32(right_gain)], axis=1), rate)
