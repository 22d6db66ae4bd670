"""The recording checks' measures (``QcMeasures``), taken block by block while a file is decoded,
beside the level probe: what it keeps is a few numbers per channel and the probe's own 20 ms
frame energies (3 MB for 4 h), whatever the file's length.

- Silence and speech: a 20 ms frame of the 16 kHz mono copy is speech when its energy is above
  a threshold set from the recording itself (``QcMeterOptions``); leading silence ends at the
  first speech frame, trailing silence starts after the last, speech is the time between.
- High band: the energy above 4 kHz of the 16 kHz copy against its whole energy, from
  Hann-windowed 512-sample spectra. A recording made at 8 kHz and upsampled has none (its copy
  keeps what the original had: below 4 kHz): JFK's clip upsampled from 8 kHz measures -87 dB
  (-92 dB at 44.1 kHz), the real wide-band speech in the shared test folder -11 to -42 dB, and
  its one telephone call (pyannote_sample.wav, an 8 kHz call stored at 16 kHz) -66 dB.
- Channel imbalance: each channel's RMS level of the original samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from speechlabel.audio.probe import LevelMeter, frame_seconds
from speechlabel.audio.samples import TARGET_RATE
from speechlabel.core.models import AudioProbe
from speechlabel.core.qc import QcMeasures

_TINY = 1e-12
_SILENT_DB = -120.0


@dataclass(frozen=True)
class QcMeterOptions:
    """How speech is told from silence, and where the high band starts.

    A frame is speech when its energy is above the highest of: ``floor_dbfs`` (quieter is
    silence in any recording), the recording's loud frames (95th percentile) less
    ``speech_drop_db``, and its noise floor (10th percentile) plus ``noise_margin_db`` (so steady
    background noise counts as silence), but never above the loud frames less ``loud_margin_db``
    (a recording that is all speech still has speech)."""

    floor_dbfs: float = -80.0
    speech_drop_db: float = 35.0
    noise_margin_db: float = 10.0
    loud_margin_db: float = 6.0
    band_edge_hz: float = 4000.0
    fft_size: int = 512
    # Spectra are taken this many frames at a time, so a block's spectra stay small.
    fft_frames_at_once: int = 256


class QcMeter(LevelMeter):
    """``LevelMeter`` (the probe) plus the recording checks' measures, from the same blocks."""

    def __init__(self, label: str, options: QcMeterOptions | None = None):
        super().__init__(label)
        self._options = options or QcMeterOptions()
        self._channel_squares: np.ndarray | None = None
        self._high = self._total = 0.0
        self._spectrum_rest = np.zeros(0, dtype=np.float32)
        size = self._options.fft_size
        self._window = np.hanning(size).astype(np.float32)
        self._high_bins = np.fft.rfftfreq(size, 1 / TARGET_RATE) >= self._options.band_edge_hz

    def add_original(self, block: np.ndarray) -> None:
        super().add_original(block)
        squares = np.array([np.dot(block[:, c], block[:, c]) for c in range(block.shape[1])], dtype=np.float64)
        self._channel_squares = squares if self._channel_squares is None else self._channel_squares + squares

    def add_mono(self, mono_16k: np.ndarray) -> None:
        super().add_mono(mono_16k)
        size = self._options.fft_size
        joined = np.concatenate([self._spectrum_rest, mono_16k]) if self._spectrum_rest.size else mono_16k
        whole = len(joined) // size * size
        step = size * self._options.fft_frames_at_once
        for start in range(0, whole, step):
            frames = joined[start : min(start + step, whole)].reshape(-1, size) * self._window
            power = np.square(np.abs(np.fft.rfft(frames, axis=1)))
            self._high += float(power[:, self._high_bins].sum())
            self._total += float(power.sum())
        self._spectrum_rest = joined[whole:].copy()

    def measures(self, probe: AudioProbe) -> QcMeasures:
        """The measures of everything added, for the file ``probe`` describes."""
        leading, trailing, speech = edge_silence(self.frame_energies(), probe.duration, self._options)
        samples = max(probe.num_samples, 1)
        squares = self._channel_squares if self._channel_squares is not None else np.zeros(probe.channels)
        return QcMeasures(
            leading_silence=leading,
            trailing_silence=trailing,
            speech=speech,
            peak_dbfs=probe.peak_dbfs,
            high_band_db=self._high_band_db(probe),
            channel_rms_dbfs=tuple(_db(float(s) / samples) for s in squares),
        )

    def _high_band_db(self, probe: AudioProbe) -> float | None:
        # At 8 kHz or less the file has no band above 4 kHz to miss: the rule does not apply.
        if probe.sampling_rate <= 2 * self._options.band_edge_hz or self._total <= _TINY:
            return None
        return _db(self._high / self._total)


def edge_silence(energies: np.ndarray, duration: float, options: QcMeterOptions) -> tuple[float, float, float]:
    """(leading silence, trailing silence, speech) in seconds from 20 ms frame energies."""
    if not len(energies):
        return round(duration, 3), round(duration, 3), 0.0
    levels = 10 * np.log10(np.maximum(energies, _TINY))
    noise, loud = (float(level) for level in np.percentile(levels, [10, 95]))
    threshold = max(loud - options.speech_drop_db, noise + options.noise_margin_db)
    threshold = max(options.floor_dbfs, min(threshold, loud - options.loud_margin_db))
    speech = np.flatnonzero(levels > threshold)
    if not len(speech):
        return round(duration, 3), round(duration, 3), 0.0
    frame = frame_seconds()
    start, end = float(speech[0] * frame), float((speech[-1] + 1) * frame)
    return round(start, 3), round(max(0.0, duration - end), 3), round(end - start, 3)


def _db(power: float) -> float:
    """A power ratio in dB, at least -120 (digital silence)."""
    return round(max(_SILENT_DB, 10 * float(np.log10(max(power, _TINY * _TINY)))), 2)
