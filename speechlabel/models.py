"""Dataclasses of the domain. Field names follow Lhotse so exports need no renaming.

A recording has ``sampling_rate, num_samples, duration, channel_ids`` (of the original file);
a segment (Lhotse: SupervisionSegment) has ``id, recording_id, start, duration, channel, text,
language, speaker, custom`` with ``end`` derived. Word alignments are ``Word(symbol, start,
duration, score)``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .errors import ValidationError


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


# The largest batch one claim may take; more is a reassignment, not a batch.
MAX_BATCH = 500


@dataclass(frozen=True)
class AssignmentSettings:
    """Per project: how much work one claim takes, how long a lease lasts, and an optional cap
    on how many segments one labeler may take per day (None: no cap)."""

    batch_size: int = 20
    lease_minutes: float = 30.0
    daily_quota: int | None = None

    def validate(self) -> AssignmentSettings:
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or not 1 <= self.batch_size <= MAX_BATCH:
            raise ValidationError(f"batch size {self.batch_size!r} is not allowed; use 1–{MAX_BATCH} segments")
        if isinstance(self.lease_minutes, bool) or not isinstance(self.lease_minutes, (int, float)) \
                or not 1 <= self.lease_minutes <= 7 * 24 * 60:
            raise ValidationError(f"lease time {self.lease_minutes!r} min is not allowed; use 1 minute to 7 days")
        quota = self.daily_quota
        if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota < 1):
            raise ValidationError(f"daily quota {quota!r} is not allowed; use a whole number from 1, or none")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> AssignmentSettings:
        known = {key: value for key, value in (values or {}).items() if key in cls.__dataclass_fields__}
        return cls(**known)


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
    assignment_settings: AssignmentSettings = field(default_factory=AssignmentSettings)


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


class Role(str, enum.Enum):
    """A user's role in one project. A lead may do everything within the project; an admin
    (``User.is_admin``) everything everywhere."""

    LABELER = "labeler"
    REVIEWER = "reviewer"
    LEAD = "lead"

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            from .errors import ValidationError

            raise ValidationError(f"unknown role {value!r}; allowed: {allowed}") from None


@dataclass(frozen=True)
class User:
    id: int
    username: str
    is_admin: bool
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Actor:
    """The authenticated principal the domain functions receive: who, their role per project
    (project id → role), and when their session ends (None: the command line, no session)."""

    user: User
    roles: Mapping[int, Role] = field(default_factory=dict)
    session_expires_at: datetime | None = None

    def __post_init__(self) -> None:
        # An own copy: the caller's dict changing later does not change the Actor. (A plain dict,
        # not a read-only proxy, so an Actor can be pickled, e.g. into Streamlit's session state.)
        object.__setattr__(self, "roles", dict(self.roles))

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin


@dataclass(frozen=True)
class Member:
    """One user's role in one project."""

    project_id: int
    project_name: str
    user: User
    role: Role


@dataclass(frozen=True)
class UserRoles:
    """A user with their roles, by project name (only the projects the viewer may see)."""

    user: User
    roles: Mapping[str, Role] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who (``actor``: a username, "cli" or "system") did what, when.
    ``target`` is what it was done to (usually a username); ``details`` never hold a password."""

    id: int
    at: datetime
    actor: str
    action: str
    project_id: int | None
    target: str | None
    details: Mapping[str, Any] = field(default_factory=dict)
