"""What every format writer is given: where to write, the choices, the audio writer, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from speechlabel.core.models import Project
from speechlabel.export.media import AudioFile, AudioWriter
from speechlabel.export.names import SafeNames
from speechlabel.export.options import ExportOptions
from speechlabel.export.select import ExportItem
from speechlabel.projects.metadata import ProjectMetadata


@dataclass
class ExportJob:
    root: Path
    """The staging folder, renamed to the output folder when everything is written."""
    project: Project
    options: ExportOptions
    audio: AudioWriter
    recording_ids: SafeNames
    segment_ids: SafeNames
    on_segment: Callable[[int], None] | None = None
    metadata: ProjectMetadata = field(default_factory=lambda: ProjectMetadata({}, {}))
    """The project's speaker and recording metadata, read once per export."""
    done: int = 0
    files: list[Path] = field(default_factory=list)
    """Manifest files written, in order (relative to ``root``)."""

    def folder(self, split: str | None) -> Path:
        """Where a split's files go: its own subfolder, or the root when not split."""
        folder = self.root / split if split else self.root
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def audio_for(self, item: ExportItem, folder: Path | None = None) -> AudioFile:
        """The item's clip, or its whole recording (``options.cut_clips`` False), under
        ``folder`` (the root unless a format needs the audio beside its manifest)."""
        folder = folder or self.root
        if self.options.cut_clips:
            return self.audio.clip(item.row, folder)
        return self.audio.recording(item.row, folder)

    def advance(self) -> None:
        self.done += 1
        if self.on_segment:
            self.on_segment(self.done)

    def wrote(self, path: Path) -> Path:
        self.files.append(path.relative_to(self.root))
        return path

    def metadata_columns(self, item: ExportItem) -> dict[str, str]:
        """The speaker's and the recording's metadata fields that are set (``core.metadata``)."""
        segment = item.row.segment
        return self.metadata.columns(segment.speaker, segment.recording_id)

    def language(self, item: ExportItem) -> str | None:
        return item.row.segment.language or self.project.language
