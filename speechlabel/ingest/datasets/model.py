"""What the readers hand to the importer: recordings to bring in, each with its segments, and
the problems found on the way (file and line, so a user can fix the source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from speechlabel.core.metadata import RecordingMetadata, SpeakerMetadata
from speechlabel.core.models import Word


@dataclass(frozen=True)
class ImportProblem:
    """Something in the dataset that could not be imported as it is."""

    source: str
    """The file the problem is in (a manifest, a sidecar, an audio file), relative to the dataset."""
    line: int | None
    """1-based line in ``source``; None when it concerns the whole file."""
    message: str
    """What was wrong and what is allowed."""
    segments_skipped: int = 0
    """Segments of the source left out because of it (0: a warning, the segment went in)."""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceSegment:
    """One utterance as the source gives it, in its audio file's timeline (seconds)."""

    source: str
    line: int
    start: float
    end: float
    text: str
    speaker: str | None = None
    language: str | None = None
    words: tuple[Word, ...] = ()
    source_id: str | None = None
    """The source's own id for the utterance, kept in the draft's options for tracing back."""


@dataclass
class SourceRecording:
    """One audio file and the segments the source gives for it."""

    audio: Path
    """Where the audio file is (absolute); checked by the reader, read by the importer."""
    label: str
    """The name the recording gets in the project (the audio path as the source wrote it, or
    the name the source gives the recording)."""
    source: str
    """The file that named the audio (manifest or sidecar), for problems about the recording."""
    line: int | None
    model: str
    """The draft model: the source's format ("nemo", "lhotse", "srt", "vtt", "textgrid")."""
    segments: list[SourceSegment] = field(default_factory=list)
    error: str | None = None
    """Why the audio cannot be used (missing, outside the dataset); the recording is then skipped."""
    metadata: RecordingMetadata | None = None
    """How the recording was made, when the source says (AI Hub labels); stored with it."""
    speakers: dict[str, SpeakerMetadata] = field(default_factory=dict)
    """What the source says of its speakers, by name (AI Hub labels); stored for the project."""

    @property
    def lines(self) -> str:
        """The source lines of the segments, for messages: "line 3", "lines 3–40", or with the file
        when they are in another one (Lhotse: "supervisions.jsonl lines 3–40")."""
        numbers = sorted(segment.line for segment in self.segments)
        if not numbers:
            return "no lines"
        lines = f"line {numbers[0]}" if numbers[0] == numbers[-1] else f"lines {numbers[0]}–{numbers[-1]}"
        elsewhere = {segment.source for segment in self.segments} - {self.source}
        return f"{', '.join(sorted(elsewhere))} {lines}" if elsewhere else lines


@dataclass
class ReadResult:
    recordings: list[SourceRecording] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, source: str, line: int | None, message: str, segments_skipped: int = 0) -> None:
        self.problems.append(ImportProblem(source, line, message, segments_skipped))
