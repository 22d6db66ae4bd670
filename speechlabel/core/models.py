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

from speechlabel.conventions import BUILTIN_SCHEMES, TagScheme, scheme_from_mapping, scheme_to_mapping
from speechlabel.core.errors import ValidationError


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
            from speechlabel.core.errors import ValidationError

            raise ValidationError(f"unknown status {value!r}; allowed: {allowed}", message_key="error.unknown_status",
                                  params={"value": value, "allowed": allowed}) from None


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
class ConventionSettings:
    """The project's transcription convention (``speechlabel.projects.conventions``).

    ``scheme`` None: chosen by the project language, ko -> KsponSpeech, else generic (projects
    from before migration 0009; new projects store their scheme). ``block_submit_on_lint_errors``:
    Save & next refuses a transcript with lint errors (warnings never block).
    """

    scheme: TagScheme | None = None
    block_submit_on_lint_errors: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A built-in scheme by name (so a fix to it reaches every project), a lead's as its mapping."""
        scheme = self.scheme
        if scheme is not None and BUILTIN_SCHEMES.get(scheme.name) == scheme:
            stored: str | dict[str, Any] | None = scheme.name
        else:
            stored = scheme_to_mapping(scheme) if scheme is not None else None
        return {"scheme": stored, "block_submit_on_lint_errors": self.block_submit_on_lint_errors}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> ConventionSettings:
        values = values or {}
        stored = values.get("scheme")
        if isinstance(stored, str):
            scheme = BUILTIN_SCHEMES.get(stored)
        elif isinstance(stored, Mapping):
            scheme = scheme_from_mapping(dict(stored))
        else:
            scheme = None
        return cls(scheme=scheme, block_submit_on_lint_errors=bool(values.get("block_submit_on_lint_errors", False)))


# The largest batch one claim may take; more is a reassignment, not a batch.
MAX_BATCH = 500


@dataclass(frozen=True)
class AssignmentSettings:
    """Per project: how much work one claim takes, how long a lease lasts, an optional cap on
    how many segments one labeler may take per day (None: no cap), and the share of segments
    that a second labeler also transcribes, independently, to measure agreement (0: none)."""

    batch_size: int = 20
    lease_minutes: float = 30.0
    daily_quota: int | None = None
    double_share: float = 0.0

    def validate(self) -> AssignmentSettings:
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or not 1 <= self.batch_size <= MAX_BATCH:
            raise ValidationError(f"batch size {self.batch_size!r} is not allowed; use 1–{MAX_BATCH} segments",
                                  message_key="error.batch_size", params={"value": repr(self.batch_size), "most": MAX_BATCH})
        if isinstance(self.lease_minutes, bool) or not isinstance(self.lease_minutes, (int, float)) \
                or not 1 <= self.lease_minutes <= 7 * 24 * 60:
            raise ValidationError(f"lease time {self.lease_minutes!r} min is not allowed; use 1 minute to 7 days",
                                  message_key="error.lease_minutes", params={"value": repr(self.lease_minutes)})
        quota = self.daily_quota
        if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota < 1):
            raise ValidationError(f"daily quota {quota!r} is not allowed; use a whole number from 1, or none",
                                  message_key="error.daily_quota", params={"value": repr(quota)})
        share = self.double_share
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ValidationError(f"double-labeling share {share!r} is not allowed; use 0 (none) to 1 (every segment)",
                                  message_key="error.double_share", params={"value": repr(share)})
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> AssignmentSettings:
        known = {key: value for key, value in (values or {}).items() if key in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class ReviewSettings:
    """Per project: the share of each labeler's submitted work that the "sample" review order
    draws, and the optional quality policy: a labeler whose defect rate (rejected / reviewed,
    once at least ``min_reviews`` of their segments were reviewed) exceeds ``defect_threshold``
    is flagged, and then ``flagged_share`` of their work goes to review instead."""

    sample_share: float = 0.1
    defect_threshold: float | None = None
    min_reviews: int = 20
    flagged_share: float = 0.5

    def validate(self) -> ReviewSettings:
        _check_share(self.sample_share, "sample share", message_key="error.sample_share")
        _check_share(self.flagged_share, "flagged share", message_key="error.flagged_share")
        if self.defect_threshold is not None:
            _check_share(self.defect_threshold, "defect threshold", message_key="error.defect_threshold")
        if isinstance(self.min_reviews, bool) or not isinstance(self.min_reviews, int) or not 1 <= self.min_reviews <= 10_000:
            raise ValidationError(f"minimum reviews {self.min_reviews!r} is not allowed; use a whole number 1–10000",
                                  message_key="error.min_reviews", params={"value": repr(self.min_reviews)})
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> ReviewSettings:
        known = {key: value for key, value in (values or {}).items() if key in cls.__dataclass_fields__}
        return cls(**known)


def _check_share(value: object, what: str, message_key: str) -> None:
    """``message_key``: the translated message for this ``what`` (its only param is ``value``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValidationError(f"{what} {value!r} is not allowed; use a number from 0 to 1", message_key=message_key,
                              params={"value": repr(value)})


class ReviewReason(str, enum.Enum):
    """Why a reviewer rejected a segment (the codes labeling companies report defects by)."""

    TEXT_MINOR = "text_minor"
    TEXT_MAJOR = "text_major"
    WRONG_SPEAKER = "wrong_speaker"
    WRONG_TAGS = "wrong_tags"
    BAD_BOUNDARIES = "bad_boundaries"
    SHOULD_BE_UNTRANSCRIBABLE = "should_be_untranscribable"

    @property
    def label(self) -> str:
        return {
            "text_minor": "Text error (minor)",
            "text_major": "Text error (major)",
            "wrong_speaker": "Wrong speaker",
            "wrong_tags": "Wrong tags",
            "bad_boundaries": "Bad boundaries",
            "should_be_untranscribable": "Should be untranscribable",
        }[self.value]


class ReviewDecision(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Review:
    """One review of one version of a segment. ``labeler`` is whose work was judged (the author
    of the text the reviewer saw), ``reason`` is set when rejected."""

    id: int
    segment_id: str
    project_id: int
    segment_version: int
    labeler: str | None
    reviewer: str
    decision: ReviewDecision
    reason: ReviewReason | None
    comment: str | None
    created_at: datetime


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
    review_settings: ReviewSettings = field(default_factory=ReviewSettings)
    convention_settings: ConventionSettings = field(default_factory=ConventionSettings)


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
class SecondLabel:
    """The independent second transcription of a double-labeled segment. ``labeler`` holds (or
    last held) the work; text, speaker, tags and the bounds it was made for are set when saved."""

    segment_id: str
    project_id: int
    picked_at: datetime
    labeler: str | None = None
    text: str | None = None
    speaker: str | None = None
    tags: tuple[str, ...] = ()
    comment: str | None = None
    start: float | None = None
    duration: float | None = None
    saved_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.saved_at is not None


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
            from speechlabel.core.errors import ValidationError

            raise ValidationError(f"unknown role {value!r}; allowed: {allowed}", message_key="error.unknown_role",
                                  params={"value": value, "allowed": allowed}) from None


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
