"""Projects: a language, segmentation and engine settings, a glossary of domain words, and the
label settings (speakers, tags, low-confidence threshold) the label page offers."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from faster_whisper.tokenizer import _LANGUAGE_CODES as WHISPER_LANGUAGES

from speechlabel.accounts.access import require_admin, require_role
from speechlabel.audio.probe import level_warnings
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import (
    Actor,
    AssignmentSettings,
    ConventionSettings,
    LabelSettings,
    PrelabelState,
    Project,
    Recording,
    SegmentStatus,
)
from speechlabel.core.segment_rules import typed_text
from speechlabel.prelabel.engines.options import MAX_GLOSSARY_TERM_CHARS
from speechlabel.prelabel.engines.style_prompt import default_style_prompt, style_prompt_from_input
from speechlabel.prelabel.transcribe import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.conventions import default_convention_settings, validate_convention_settings
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote

MAX_NAME_LENGTH = 100
MAX_GLOSSARY_TERMS = 500
AUTO_LANGUAGE = "auto"
# Per-project engine settings; language and glossary are project fields of their own.
ENGINE_FIELDS = ("engine", "model", "compute_type", "beam_size", "device", "style_prompt")
# Label settings. Names stay short enough for a button on the label page; the label page gives
# number keys 1-9 to the first nine speakers, the rest are picked from the list.
MAX_LABEL_NAME_LENGTH = 40
MAX_SPEAKERS = 30
MAX_TAGS = 50
# Lists are typed as "A, B" (CLI) or one per line (app), so a comma cannot be part of a name.
_NAME_SEPARATORS = re.compile(r"[,\n]")


def create_project(
    store: Store,
    name: str,
    language: str | None = None,
    segment_options: SegmentOptions | None = None,
    transcribe_options: TranscribeOptions | None = None,
    glossary: tuple[str, ...] = (),
    label_settings: LabelSettings | None = None,
    *,
    actor: Actor,
    convention_settings: ConventionSettings | None = None,
    style_prompt: str | None = None,
) -> Project:
    """Create a project (admins only); ``language`` None or "auto" lets Whisper detect it per segment.
    Without ``convention_settings`` the scheme follows the language (ko: KsponSpeech, else generic).
    ``style_prompt`` as a lead types it (``style_prompt_from_input``: blank is the language's
    default, "none" is none); None keeps ``transcribe_options``' prompt, or without them takes
    the language's default."""
    require_admin(actor, "creating projects")
    name = validate_name(name, "project name")
    language = validate_language(language)
    segment_options = segment_options or SegmentOptions()
    segment_options.validate()
    engine = transcribe_options or TranscribeOptions(style_prompt=default_style_prompt(language))
    if style_prompt is not None:
        engine = replace(engine, style_prompt=style_prompt_from_input(style_prompt, language))
    engine.validate()
    engine_dict = {key: value for key, value in engine.to_dict().items() if key in ENGINE_FIELDS}
    terms = validate_glossary(glossary)
    labels = validate_label_settings(label_settings or LabelSettings())
    conventions = validate_convention_settings(convention_settings or ConventionSettings())
    if conventions.scheme is None:
        conventions = ConventionSettings(
            default_convention_settings(language).scheme, conventions.block_submit_on_lint_errors
        )
    return store.insert_project(name, language, segment_options.to_dict(), engine_dict, terms, labels, conventions)


def update_style_prompt(store: Store, actor: Actor, project: Project | str, text: str) -> Project:
    """Change the prompt the project's next drafts are decoded with (leads; as typed: blank is the
    language's default, "none" is none). Drafts already made keep theirs, in their options."""
    target = store.get_project(project) if isinstance(project, str) else project
    require_role(actor, target, action="changing the style prompt")
    prompt = style_prompt_from_input(text, target.language)
    changed = store.update_engine_options(target.id, dict(target.engine_options, style_prompt=prompt))
    store.record_audit(AuditNote(actor.username, "style_prompt", target.name, target.id, {"style_prompt": prompt}))
    return changed


def update_label_settings(store: Store, actor: Actor, project: Project | str, settings: LabelSettings) -> Project:
    """Store new label settings for an existing project (given by name or as a Project); leads only."""
    target = store.get_project(project) if isinstance(project, str) else project
    require_role(actor, target, action="changing label settings")
    return store.update_label_settings(target.id, validate_label_settings(settings))


def update_assignment_settings(
    store: Store, actor: Actor, project: Project | str, settings: AssignmentSettings
) -> Project:
    """How work is handed out (batch size, lease minutes, optional daily quota per labeler);
    a lead's decision, recorded in the audit log."""
    target = store.get_project(project) if isinstance(project, str) else project
    require_role(actor, target, action="changing how work is handed out")
    changed = store.update_assignment_settings(target.id, settings.validate())
    store.record_audit(AuditNote(actor.username, "assignment_settings", target.name, target.id, settings.to_dict()))
    return changed


def validate_label_settings(settings: LabelSettings) -> LabelSettings:
    """The settings cleaned (names stripped, blanks dropped), or ValidationError for the first
    thing that breaks a rule."""
    return LabelSettings(
        speakers=_validate_names(settings.speakers, "speaker", MAX_SPEAKERS),
        tags=_validate_names(settings.tags, "tag", MAX_TAGS),
        low_confidence=_validate_threshold(settings.low_confidence),
    )


def split_names(text: str) -> tuple[str, ...]:
    """Names typed comma-separated or one per line; blanks dropped (validation does the rest)."""
    return tuple(part.strip() for part in _NAME_SEPARATORS.split(text or "") if part.strip())


def _validate_names(names: tuple[str, ...], what: str, limit: int) -> tuple[str, ...]:
    if isinstance(names, str):  # a tuple of letters would pass every other check
        raise ValidationError(message_key="error.names_not_list", params={"what": what, "names": names})
    cleaned: list[str] = []
    seen: dict[str, str] = {}
    for raw in names:
        name = _clean_label_name(raw, what)
        if not name:
            continue
        # Refused rather than dropped: dropping would shift the speakers' number keys unnoticed.
        key = name.casefold()
        if key in seen:
            raise ValidationError(
                message_key="error.name_twice",
                params={"what": what, "first": seen[key], "name": name},
            )
        seen[key] = name
        cleaned.append(name)
    if len(cleaned) > limit:
        raise ValidationError(
            message_key="error.too_many_names", params={"what": what, "count": len(cleaned), "limit": limit}
        )
    return tuple(cleaned)


def _clean_label_name(raw: object, what: str) -> str:
    if not isinstance(raw, str):
        raise ValidationError(message_key="error.name_not_text", params={"what": what, "raw": raw})
    # NFC: the same Korean name typed on macOS (decomposed) and Windows must compare equal.
    name = unicodedata.normalize("NFC", raw.strip())
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError(message_key="error.name_control", params={"what": what, "name": name})
    if "," in name:
        raise ValidationError(message_key="error.name_comma", params={"what": what, "name": name})
    if len(name) > MAX_LABEL_NAME_LENGTH:
        raise ValidationError(
            message_key="error.name_too_long",
            params={"what": what, "name": name, "length": len(name), "limit": MAX_LABEL_NAME_LENGTH},
        )
    return name


def _validate_threshold(value: object) -> float:
    # bool is an int to Python, but True as a threshold is a mistake, not 1.0.
    # Compared by Real's own < and <= (typeshed gives numbers.Real no >= for 0.0 <= value).
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or math.isnan(value)
        or value < 0.0
        or not value <= 1.0
    ):
        raise ValidationError(
            message_key="error.threshold",
            params={"value": value},
        )
    return float(value)


def validate_name(value: str, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(message_key="error.name_empty", params={"what": what, "limit": MAX_NAME_LENGTH})
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(
            message_key="error.name_too_long",
            params={"what": what, "name": cleaned, "length": len(cleaned), "limit": MAX_NAME_LENGTH},
        )
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise ValidationError(message_key="error.name_control", params={"what": what, "name": cleaned})
    return cleaned


def validate_language(language: str | None) -> str | None:
    if language is None or language.strip().lower() in ("", AUTO_LANGUAGE):
        return None
    code = language.strip().lower()
    if code not in WHISPER_LANGUAGES:
        raise ValidationError(
            message_key="error.unknown_language",
            params={"language": language},
        )
    return code


def validate_glossary(terms: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The terms as typed text (``segment_rules.typed_text``, like a transcript or a tag): stripped,
    a tab or line break a space, refused with a control character or past MAX_GLOSSARY_TERM_CHARS
    (the engines' limit, checked here when the project is made, not when pre-labeling starts);
    blank terms and repeats left out."""
    cleaned = tuple(dict.fromkeys(term for term in map(_glossary_term, enumerate(terms, start=1)) if term))
    if len(cleaned) > MAX_GLOSSARY_TERMS:
        raise ValidationError(
            message_key="error.glossary_too_many", params={"count": len(cleaned), "most": MAX_GLOSSARY_TERMS}
        )
    return cleaned


def _glossary_term(numbered: tuple[int, str]) -> str:
    number, term = numbered
    if not term:
        return ""
    return typed_text(
        term,
        MAX_GLOSSARY_TERM_CHARS,
        too_long_key="error.glossary_term_too_long",
        control_key="error.glossary_term_control",
        where={"number": number},  # which term: a glossary may have hundreds
    )


def read_glossary(path: str | Path) -> tuple[str, ...]:
    """One term per line; blank lines and lines starting with '#' are ignored."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(message_key="error.glossary_file_missing", params={"path": str(path)}) from None
    except UnicodeDecodeError:
        raise ValidationError(message_key="error.glossary_file_not_utf8", params={"path": str(path)}) from None
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
