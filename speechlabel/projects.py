"""Projects: a language, segmentation and engine settings, and a glossary of domain words."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from faster_whisper.tokenizer import _LANGUAGE_CODES as WHISPER_LANGUAGES

from .errors import ValidationError
from .models import PrelabelState, Project, Recording, SegmentStatus
from .probe import level_warnings
from .segment import SegmentOptions
from .store import Store
from .transcribe import TranscribeOptions

MAX_NAME_LENGTH = 100
MAX_GLOSSARY_TERMS = 500
AUTO_LANGUAGE = "auto"
# Per-project engine settings; language and glossary are project fields of their own.
ENGINE_FIELDS = ("model", "compute_type", "beam_size")


def create_project(
    store: Store,
    name: str,
    language: str | None = None,
    segment_options: SegmentOptions | None = None,
    transcribe_options: TranscribeOptions | None = None,
    glossary: tuple[str, ...] = (),
) -> Project:
    """Create a project; ``language`` None or "auto" lets Whisper detect it per segment."""
    name = validate_name(name, "project name")
    language = validate_language(language)
    segment_options = segment_options or SegmentOptions()
    segment_options.validate()
    engine = transcribe_options or TranscribeOptions()
    engine.validate()
    engine_dict = {key: value for key, value in engine.to_dict().items() if key in ENGINE_FIELDS}
    terms = validate_glossary(glossary)
    return store.insert_project(name, language, segment_options.to_dict(), engine_dict, terms)


def segment_options_for(project: Project) -> SegmentOptions:
    return SegmentOptions.from_dict(project.segment_options)


def transcribe_options_for(project: Project) -> TranscribeOptions:
    return TranscribeOptions.from_dict(
        dict(project.engine_options, language=project.language, glossary=tuple(project.glossary))
    )


def validate_name(value: str, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(f"{what} is empty; give 1 to {MAX_NAME_LENGTH} characters")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(f"{what} has {len(cleaned)} characters; at most {MAX_NAME_LENGTH} are allowed")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise ValidationError(f"{what} {cleaned!r} contains control characters; use printable text")
    return cleaned


def validate_language(language: str | None) -> str | None:
    if language is None or language.strip().lower() in ("", AUTO_LANGUAGE):
        return None
    code = language.strip().lower()
    if code not in WHISPER_LANGUAGES:
        raise ValidationError(
            f"unknown language {language!r}; use a Whisper language code such as ko, en, ja, zh, or 'auto'"
        )
    return code


def validate_glossary(terms: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(term.strip() for term in terms if term and term.strip()))
    if len(cleaned) > MAX_GLOSSARY_TERMS:
        raise ValidationError(f"the glossary has {len(cleaned)} terms; at most {MAX_GLOSSARY_TERMS} are allowed")
    return cleaned


def read_glossary(path: str | Path) -> tuple[str, ...]:
    """One term per line; blank lines and lines starting with '#' are ignored."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"glossary file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise ValidationError(f"glossary file {str(path)!r} is not UTF-8 text; save it as UTF-8") from None
    lines = (line.strip() for line in text.splitlines())
    return validate_glossary([line for line in lines if line and not line.startswith("#")])


@dataclass(frozen=True)
class ProjectStatus:
    project: Project
    recordings: int
    recordings_pending: int
    audio_seconds: float
    segments_by_status: dict[SegmentStatus, int]

    @property
    def segments(self) -> int:
        return sum(self.segments_by_status.values())


def project_status(store: Store, project: Project) -> ProjectStatus:
    recordings = store.list_recordings(project.id)
    return ProjectStatus(
        project=project,
        recordings=len(recordings),
        recordings_pending=sum(r.prelabel_state != PrelabelState.DRAFTED for r in recordings),
        audio_seconds=sum(r.duration for r in recordings),
        segments_by_status=store.count_segments_by_status(project.id),
    )


@dataclass(frozen=True)
class RecordingOverview:
    recording: Recording
    warnings: tuple[str, ...]
    segments_by_status: dict[SegmentStatus, int]


def recording_overview(store: Store, project: Project) -> list[RecordingOverview]:
    """Each recording with its level warnings and segment counts, in two queries."""
    counts = store.count_segments_by_recording(project.id)
    return [
        RecordingOverview(recording, tuple(level_warnings(recording.probe)), counts.get(recording.id, {}))
        for recording in store.list_recordings(project.id)
    ]
