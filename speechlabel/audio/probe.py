"""Level measurements taken once at import: peak, RMS, clipping and an SNR estimate."""

from __future__ import annotations

import math

import numpy as np

from speechlabel.audio.limits import AudioHeader
from speechlabel.audio.samples import TARGET_RATE
from speechlabel.core.errors import AudioDecodeError
from speechlabel.core.models import AudioProbe

# A sample this close to full scale counts as clipped (16-bit full scale is 32767/32768).
CLIP_LEVEL = 0.999
_SILENCE_DBFS = -120.0
_FRAME = int(0.02 * TARGET_RATE)  # SNR frames of 20 ms


class LevelMeter:
    """Peak and clipping of the original samples, RMS and SNR of the 16 kHz mono copy, measured
    block by block as a file is decoded (only 20 ms frame energies are kept: 3 MB for 4 h)."""

    def __init__(self, label: str):
        self._label = label
        self._peak = 0.0
        self._clipped = self._samples = 0
        self._sum_squares = 0.0
        self._mono_samples = 0
        self._energies: list[np.ndarray] = []
        self._rest = np.zeros(0, dtype=np.float32)

    def add_original(self, block: np.ndarray) -> None:
        """Measure a block of the file's own samples; refuse NaN or infinite ones."""
        magnitude = np.abs(block)
        peak = float(magnitude.max()) if magnitude.size else 0.0
        if not math.isfinite(peak):  # max() propagates NaN and inf
            raise AudioDecodeError(message_key="error.audio_not_finite", params={"label": self._label})
        self._peak = max(self._peak, peak)
        self._clipped += int(np.count_nonzero(magnitude >= CLIP_LEVEL))
        self._samples += magnitude.size

    def add_mono(self, mono_16k: np.ndarray) -> None:
        self._sum_squares += float(np.dot(mono_16k.astype(np.float64), mono_16k))
        self._mono_samples += mono_16k.size
        joined = np.concatenate([self._rest, mono_16k]) if self._rest.size else mono_16k
        whole = len(joined) // _FRAME * _FRAME
        if whole:
            self._energies.append(_frame_energies(joined[:whole]))
        self._rest = joined[whole:].copy()

    def frame_energies(self) -> np.ndarray:
        """The mean square of each whole 20 ms frame of the 16 kHz mono copy so far."""
        return np.concatenate(self._energies) if self._energies else np.zeros(0)

    def probe(self, header: AudioHeader, num_samples: int) -> AudioProbe:
        rms = math.sqrt(self._sum_squares / self._mono_samples) if self._mono_samples else 0.0
        energies = self.frame_energies()
        return AudioProbe(
            format=header.format,
            subtype=header.subtype,
            sampling_rate=header.sampling_rate,
            channels=header.channels,
            num_samples=num_samples,
            duration=round(num_samples / header.sampling_rate, 6),
            peak_dbfs=_dbfs(self._peak),
            rms_dbfs=_dbfs(rms),
            clipped_ratio=self._clipped / max(self._samples, 1),
            snr_db=_snr_db(energies),
        )


def frame_seconds() -> float:
    """The length of the frames ``LevelMeter.frame_energies`` gives."""
    return _FRAME / TARGET_RATE


def estimate_snr_db(mono_16k: np.ndarray) -> float | None:
    """Energy-percentile SNR: loud frames (90th pct.) over the noise floor (10th pct.).

    A rough figure, but enough to flag recordings where speech barely rises above the noise;
    it needs no model and is fast on hours of audio. None for clips under half a second.
    """
    count = len(mono_16k) // _FRAME
    return _snr_db(_frame_energies(mono_16k[: count * _FRAME]))


def _frame_energies(mono_16k: np.ndarray) -> np.ndarray:
    return np.mean(np.square(mono_16k.reshape(-1, _FRAME), dtype=np.float64), axis=1)


def _snr_db(energies: np.ndarray) -> float | None:
    if len(energies) < 25:
        return None
    noise, signal = np.percentile(energies, [10, 90])
    if signal <= 0:
        return None
    return round(float(10 * np.log10(signal / max(noise, 1e-12))), 2)


def _dbfs(amplitude: float) -> float:
    if amplitude <= 0:
        return _SILENCE_DBFS
    return round(max(_SILENCE_DBFS, 20 * float(np.log10(amplitude))), 2)


# Thresholds for the warnings a lead sees per recording. Clipping above 0.1 % of samples is
# audible distortion; a peak below -30 dBFS means a badly set gain; under 10 dB SNR Whisper's
# drafts degrade sharply and labelers need to know the audio is hard.
CLIPPING_WARNING_RATIO = 0.001
QUIET_WARNING_DBFS = -30.0
NOISY_WARNING_SNR_DB = 10.0


def level_warnings(probe_result: AudioProbe) -> list[str]:
    """Plain-language warnings about a recording's levels; empty when it looks fine."""
    warnings = []
    if probe_result.clipped_ratio > CLIPPING_WARNING_RATIO:
        warnings.append(f"clipped ({probe_result.clipped_ratio:.2%} of samples at full scale)")
    if probe_result.peak_dbfs < QUIET_WARNING_DBFS:
        warnings.append(f"quiet (peak {probe_result.peak_dbfs:.0f} dBFS)")
    if probe_result.snr_db is not None and probe_result.snr_db < NOISY_WARNING_SNR_DB:
        warnings.append(f"noisy (SNR about {probe_result.snr_db:.0f} dB)")
    return warnings
