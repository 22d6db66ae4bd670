"""Run a dataset import: check who asks, find and read the dataset, then bring in each recording
with its segments, the texts as drafts.

Each recording goes in through ``ingest.import_audio`` (same checks, same duplicate detection
by content hash, same files), whose insert step is replaced by one transaction that stores the
recording with all its segments and drafts: a recording is in the project complete or not at
all, and its files are removed again when the transaction fails. Re-importing a dataset finds
every recording already there (same audio bytes) and adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from speechlabel.accounts.access import require_role
from speechlabel.core.bounds import in_ms
from speechlabel.core.errors import DuplicateRecording, SpeechLabelError, ValidationError
from speechlabel.core.models import Actor, Draft, Project, Recording
from speechlabel.ingest.datasets.aihub import read_aihub
from speechlabel.ingest.datasets.checks import check_segments, fit_to_audio
from speechlabel.ingest.datasets.detect import DatasetSource, find_dataset
from speechlabel.ingest.datasets.lhotse_reader import read_lhotse
from speechlabel.ingest.datasets.model import ImportProblem, ReadResult, SourceRecording, SourceSegment
from speechlabel.ingest.datasets.nemo import read_nemo
from speechlabel.ingest.datasets.options import DatasetKind, ImportOptions
from speechlabel.ingest.datasets.paths import relative_name
from speechlabel.ingest.datasets.subtitles import read_subtitle_folder
from speechlabel.ingest.files import ImportDuplicate, import_audio
from speechlabel.prelabel.windowing import compression_ratio
from speechlabel.store import Store
from speechlabel.store.imports import ImportedSegment
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

IMPORT_ENGINE = "import"
IMPORT_AUTHOR = "import"


@dataclass
class DatasetImportReport:
    kind: DatasetKind
    path: Path
    recordings: list[Recording] = field(default_factory=list)
    """Recordings brought in (each with at least one segment)."""
    segments: int = 0
    """Segments brought in, each drafted with the source's text."""
    duplicates: list[ImportDuplicate] = field(default_factory=list)
    """Audio files already in the project (same bytes): nothing of theirs was added again."""
    duplicate_segments: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    """Everything left out or changed, with file and line, in file and line order."""

    @property
    def skipped_segments(self) -> int:
        """Segments of the source left out for a problem (duplicates not counted)."""
        return sum(problem.segments_skipped for problem in self.problems)


def import_dataset(
    store: Store,
    settings: Settings,
    project: Project,
    path: str | Path,
    options: ImportOptions | None = None,
    on_item: Callable[[int, int], None] | None = None,
    *,
    actor: Actor,
) -> DatasetImportReport:
    """Bring the dataset at ``path`` into ``project`` for correction; leads of the project only.
    ``on_item(done, total)`` is called after each recording."""
    require_role(actor, project, action="importing a dataset")
    options = (options or ImportOptions()).validated()
    dataset = find_dataset(path, options.kind)
    read = read_dataset(dataset, options)
    report = DatasetImportReport(dataset.kind, dataset.root, problems=list(read.problems))
    for done, recording in enumerate(read.recordings, start=1):
        _import_recording(store, settings, project, recording, options, report)
        if on_item:
            on_item(done, len(read.recordings))
    report.problems.sort(key=lambda problem: (problem.source, problem.line or 0))
    log.info(
        "imported %d recordings, %d segments from %s (%s); %d duplicates, %d problems",
        len(report.recordings),
        report.segments,
        dataset.root,
        dataset.kind.value,
        len(report.duplicates),
        len(report.problems),
    )
    return report


def read_dataset(dataset: DatasetSource, options: ImportOptions) -> ReadResult:
    if dataset.kind == DatasetKind.NEMO:
        return read_nemo(dataset.manifests, dataset.root)
    if dataset.kind == DatasetKind.LHOTSE:
        return read_lhotse(dataset.pairs, dataset.root)
    if dataset.kind == DatasetKind.AIHUB:
        return read_aihub(dataset.root)
    return read_subtitle_folder(dataset.root, options.tier)


def _import_recording(
    store: Store,
    settings: Settings,
    project: Project,
    source: SourceRecording,
    options: ImportOptions,
    report: DatasetImportReport,
) -> None:
    if source.error:
        count = len(source.segments)
        report.problems.append(
            ImportProblem(source.source, source.line, f"{source.error}; {_not_imported(count)} ({source.lines})", count)
        )
        return
    usable, problems = check_segments(source.segments)
    report.problems.extend(problems)
    if not usable:
        return
    writer = _RecordingWriter(store, project, source, usable, options.end_tolerance)
    try:
        import_audio(store, settings, project, source.audio, source.label, insert=writer.insert)
    except DuplicateRecording as duplicate:
        audio = relative_name(source.audio, report.path)
        report.duplicates.append(ImportDuplicate(audio, duplicate.existing_id, str(duplicate)))
        report.duplicate_segments += len(usable)
        return
    except (SpeechLabelError, OSError) as error:
        report.problems.extend(writer.problems)
        left = len(usable) - len(writer.problems)
        lost = _not_imported(left) if left else "it was not imported"
        report.problems.append(
            ImportProblem(source.source, source.line, f"audio {source.label!r}: {error}; {lost}", left)
        )
        return
    report.problems.extend(writer.problems)
    assert writer.stored is not None  # import_audio ran writer.insert, or raised
    report.recordings.append(writer.stored)
    report.segments += writer.segments
    _store_metadata(store, project, source, writer.stored)


def _store_metadata(store: Store, project: Project, source: SourceRecording, stored: Recording) -> None:
    """The metadata the source gives, kept: a speaker's only when it says something (an import
    must not wipe what a lead set for a speaker the source knows nothing of)."""
    if source.metadata is not None and source.metadata.values():
        store.set_recording_metadata(stored.id, source.metadata)
    for name, metadata in source.speakers.items():
        if metadata.values():
            store.set_speaker_metadata(project.id, name, metadata)


class _RecordingWriter:
    """The insert step of ``import_audio`` for one recording: once the audio is decoded (its
    duration known), fit the segments to it and store recording, segments and drafts together."""

    def __init__(
        self, store: Store, project: Project, source: SourceRecording, usable: list[SourceSegment], tolerance: float
    ) -> None:
        self._store, self._project, self._source = store, project, source
        self._usable, self._tolerance = usable, tolerance
        self.problems: list[ImportProblem] = []
        self.stored: Recording | None = None
        self.segments = 0

    def insert(self, recording: Recording) -> None:
        fitted, self.problems = fit_to_audio(self._usable, recording.duration, self._tolerance)
        if not fitted:
            raise ValidationError(message_key="error.dataset_no_segment_fits")
        model, language = self._source.model, self._project.language
        segments = [
            ImportedSegment(s.start, in_ms(s.end - s.start), s.speaker, imported_draft(s, model, language))
            for s in fitted
        ]
        self.stored = self._store.insert_imported_recording(
            recording, segments, IMPORT_AUTHOR, {"imported_from": model}
        )
        self.segments = len(segments)


def imported_draft(segment: SourceSegment, model: str, project_language: str | None) -> Draft:
    """The source's text as a draft, shaped like a Whisper draft: engine "import", the source
    format as the model, the source's word timings if it has them. The scores say "certain"
    (log-probability 0, no-speech 0): the text is a transcript, not a guess, and the label page
    must not flag every word of it."""
    language = segment.language or project_language or ""
    options = {"source": segment.source, "line": segment.line}
    if segment.source_id:
        options["id"] = segment.source_id
    return Draft(
        text=segment.text,
        words=segment.words,
        avg_logprob=0.0,
        no_speech_prob=0.0,
        compression_ratio=compression_ratio(segment.text),
        language=language,
        language_probability=1.0 if language else 0.0,
        engine=IMPORT_ENGINE,
        model=model,
        options=options,
    )


def _not_imported(count: int) -> str:
    return "its segment was not imported" if count == 1 else f"its {count} segments were not imported"
