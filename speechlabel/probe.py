"""Level measurements taken once at import: peak, RMS, clipping and an SNR estimate."""

from __future__ import annotations

import numpy as np

from .audio import TARGET_RATE, DecodedAudio
from .models import AudioProbe

# A sample this close to full scale counts as clipped (16-bit full scale is 32767/32768).
CLIP_LEVEL = 0.999
_SILENCE_DBFS = -120.0
_FRAME_SECONDS = 0.02


def probe(decoded: DecodedAudio, mono_16k: np.ndarray) -> AudioProbe:
    """Measure the original samples (peak, clipping) and the normalised copy (RMS, SNR)."""
    samples = decoded.samples
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    clipped = float(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL)) / max(samples.size, 1)
    return AudioProbe(
        format=decoded.format,
        subtype=decoded.subtype,
        sampling_rate=decoded.sampling_rate,
        channels=decoded.channels,
        num_samples=decoded.num_samples,
        duration=round(decoded.duration, 6),
        peak_dbfs=_dbfs(peak),
        rms_dbfs=_dbfs(float(np.sqrt(np.mean(np.square(mono_16k, dtype=np.float64))))),
        clipped_ratio=clipped,
        snr_db=estimate_snr_db(mono_16k),
    )


def estimate_snr_db(mono_16k: np.ndarray) -> float | None:
    """Energy-percentile SNR: loud frames (90th pct.) over the noise floor (10th pct.).

    A rough figure, but enough to flag recordings where speech barely rises above the noise;
    it needs no model and is fast on hours of audio. None for clips under half a second.
    """
    frame = int(_FRAME_SECONDS * TARGET_RATE)
    count = len(mono_16k) // frame
    if count < 25:
        return None
    energies = np.mean(np.square(mono_16k[: count * frame].reshape(count, frame), dtype=np.float64), axis=1)
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
