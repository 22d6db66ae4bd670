"""The audio of an export: clips cut per segment, or whole recordings, at the chosen rate.

Everything is read from the normalized 16 kHz mono copy each recording has in the data
folder (sample-exact seeks, see ``audio.read_span``); other rates are resampled with soxr.
At 16 kHz a clip of a plain 16-bit PCM source is its bytes copied behind a WAV header
(``pcm_wav``: the same file the decode/encode round trip gives, at the speed of a file copy);
that is what makes exporting 50,000 clips disk-bound instead of CPU-bound (bench/export.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from speechlabel.audio.pcm_wav import PcmWav, plain_pcm16_mono, write_span
from speechlabel.audio.samples import TARGET_RATE, read_span, span_frames, write_wav
from speechlabel.export.names import SafeNames
from speechlabel.store import ExportRow


@dataclass(frozen=True)
class AudioFile:
    """A WAV written into the export: its path relative to the folder it was asked for."""

    path: str
    sampling_rate: int
    num_samples: int

    @property
    def duration(self) -> float:
        return self.num_samples / self.sampling_rate


class AudioWriter:
    """Writes clips and recordings under an export folder, each recording at most once per
    folder. ``recording_ids`` and ``segment_ids`` make the file names (never labels)."""

    def __init__(self, data_dir: Path, rate: int, recording_ids: SafeNames, segment_ids: SafeNames) -> None:
        self._data_dir = data_dir
        self._rate = rate
        self._recording_ids = recording_ids
        self._segment_ids = segment_ids
        self._recordings: dict[tuple[Path, str], AudioFile] = {}
        self._folders: set[Path] = set()
        self._source: tuple[str, PcmWav | None] | None = None
        """The last clip's source and its layout: rows come in recording order."""

    def clip(self, row: ExportRow, folder: Path) -> AudioFile:
        """``audio/<recording>/<segment>.wav`` under ``folder``: the segment alone."""
        segment = row.segment
        relative = f"audio/{self._recording_ids(segment.recording_id)}/{self._segment_ids(segment.id)}.wav"
        target = folder / relative
        self._make_folder(target.parent)
        source = self._plain_source(row.normalized_path) if self._rate == TARGET_RATE else None
        if source is not None and source.sampling_rate == self._rate:
            first, last = span_frames(segment.start, segment.end, source.sampling_rate, source.frames)
            return AudioFile(relative, self._rate, write_span(source, first, last, target))
        samples = self._resampled(read_span(self._data_dir / row.normalized_path, segment.start, segment.end))
        write_wav(target, samples, self._rate)
        return AudioFile(relative, self._rate, int(samples.shape[0]))

    def samples(self, row: ExportRow) -> np.ndarray:
        """The segment's samples at the export's rate (float32), for formats that reshape clips."""
        segment = row.segment
        return self._resampled(read_span(self._data_dir / row.normalized_path, segment.start, segment.end))

    @property
    def rate(self) -> int:
        return self._rate

    def _make_folder(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def _plain_source(self, normalized_path: str) -> PcmWav | None:
        if self._source is None or self._source[0] != normalized_path:
            self._source = (normalized_path, plain_pcm16_mono(self._data_dir / normalized_path))
        return self._source[1]

    def recording(self, row: ExportRow, folder: Path) -> AudioFile:
        """``recordings/<recording>.wav`` under ``folder``: the whole recording (written once)."""
        key = (folder, row.segment.recording_id)
        if key not in self._recordings:
            relative = f"recordings/{self._recording_ids(row.segment.recording_id)}.wav"
            self._recordings[key] = self._write_recording(
                self._data_dir / row.normalized_path, folder / relative, relative
            )
        return self._recordings[key]

    def _write_recording(self, source: Path, target: Path, relative: str) -> AudioFile:
        target.parent.mkdir(parents=True, exist_ok=True)
        if self._rate == TARGET_RATE:
            shutil.copyfile(source, target)
            return AudioFile(relative, TARGET_RATE, sf.info(str(target)).frames)
        samples, _ = sf.read(str(source), dtype="float32", always_2d=True)
        resampled = self._resampled(samples.mean(axis=1).astype(np.float32))
        write_wav(target, resampled, self._rate)
        return AudioFile(relative, self._rate, int(resampled.shape[0]))

    def _resampled(self, samples: np.ndarray) -> np.ndarray:
        if self._rate == TARGET_RATE or samples.size == 0:
            return samples
        return soxr.resample(samples, TARGET_RATE, self._rate, quality="HQ").astype(np.float32)
