"""Dataclasses of the domain. Field names follow Lhotse so exports need no renaming.

A recording has ``sampling_rate, num_samples, duration, channel_ids`` (of the original file);
a segment (Lhotse: SupervisionSegment) has ``id, recording_id, start, duration, channel, text,
language, speaker, custom`` with ``end`` derived. Word alignments are ``Word(symbol, start,
duration, score)``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SegmentStatus(str, enum.Enum):
    NEW = "new"
    DRAFTED = "drafted"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REWORKED = "reworked"
    SKIPPED = "skipped"
    UNTRANSCRIBABLE = "untranscribable"

    @classmethod
    def parse(cls, value: str) -> SegmentStatus:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            from .errors import ValidationError

            raise ValidationError(f"unknown status {value!r}; allowed: {allowed}") from None


class PrelabelState(str, enum.Enum):
    """How far pre-labeling got for one recording; lets an interrupted run continue."""

    NEW = "new"
    SEGMENTED = "segmented"
    DRAFTED = "drafted"


@dataclass(frozen=True)
class Word:
    symbol: str
    start: float
    duration: float
    score: float

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class Draft:
    """What an engine proposed for one stretch of audio. Kept forever, never edited."""

    text: str
    words: tuple[Word, ...]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    language: str
    language_probability: float
    engine: str
    model: str
    options: dict[str, Any]
    id: int | None = None
    segment_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class AudioProbe:
    """Facts about an original file, measured once at import."""

    format: str
    subtype: str | None
    sampling_rate: int
    channels: int
    num_samples: int
    duration: float
    peak_dbfs: float
    rms_dbfs: float
    clipped_ratio: float
    snr_db: float | None


# Whole-segment noise/event tags a new project starts with; a lead can replace them (the AI Hub
# and KsponSpeech conventions use other names, see DESIGN.md §4).
DEFAULT_TAGS = ("noise", "music", "laughter", "cough", "crosstalk", "unintelligible")
DEFAULT_LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LabelSettings:
    """What the label page offers for one project. Checked by ``projects.validate_label_settings``.

    ``speakers`` in the order the label page shows them (number keys 1-9 pick the first nine);
    ``tags`` the noise/event tags; draft words whose score is below ``low_confidence`` are marked.
    """

    speakers: tuple[str, ...] = ()
    tags: tuple[str, ...] = DEFAULT_TAGS
    low_confidence: float = DEFAULT_LOW_CONFIDENCE

    def __post_init__(self) -> None:
        # Lists arrive from JSON and from callers; keep tuples so settings stay hashable.
        for name in ("speakers", "tags"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))

    def to_dict(self) -> dict[str, Any]:
        return {"speakers": list(self.speakers), "tags": list(self.tags), "low_confidence": self.low_confidence}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> LabelSettings:
        """Missing keys (and a missing dict: projects from before migration 0003) give defaults."""
        d = d or {}
        speakers, tags, low = d.get("speakers"), d.get("tags"), d.get("low_confidence")
        return cls(
            speakers=tuple(speakers) if speakers is not None else (),
            tags=tuple(tags) if tags is not None else DEFAULT_TAGS,
            low_confidence=low if low is not None else DEFAULT_LOW_CONFIDENCE,
        )


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    language: str | None
    segment_options: dict[str, Any]
    engine_options: dict[str, Any]
    glossary: tuple[str, ...]
    created_at: datetime
    label_settings: LabelSettings = field(default_factory=LabelSettings)


@dataclass(frozen=True)
class Recording:
    id: str
    project_id: int
    label: str
    sha256: str
    original_path: str
    normalized_path: str
    probe: AudioProbe
    prelabel_state: PrelabelState
    created_at: datetime
    segment_options: dict[str, Any] | None = None

    @property
    def sampling_rate(self) -> int:
        return self.probe.sampling_rate

    @property
    def num_samples(self) -> int:
        return self.probe.num_samples

    @property
    def duration(self) -> float:
        return self.probe.duration

    @property
    def channel_ids(self) -> list[int]:
        return list(range(self.probe.channels))


@dataclass(frozen=True)
class Segment:
    id: str
    recording_id: str
    start: float
    duration: float
    text: str
    status: SegmentStatus
    version: int
    channel: int = 0
    language: str | None = None
    speaker: str | None = None
    tags: tuple[str, ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)
    updated_by: str | None = None
    updated_at: datetime | None = None

    @property
    def end(self) -> float:
        return round(self.start + self.duration, 6)


@dataclass(frozen=True)
class SegmentEdit:
    """The fields a labeler may change in one save; ``None`` keeps the current value."""

    text: str | None = None
    speaker: str | None = None
    tags: tuple[str, ...] | None = None
    start: float | None = None
    duration: float | None = None
    status: SegmentStatus | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Revision:
    """One entry of a segment's append-only history."""

    id: int
    segment_id: str
    version: int
    author: str
    created_at: datetime
    text: str
    speaker: str | None
    tags: tuple[str, ...]
    start: float
    duration: float
    status: SegmentStatus
    comment: str | None
