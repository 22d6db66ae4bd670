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
from typing import TYPE_CHECKING, Any

from speechlabel.core import project_settings
from speechlabel.core.choices import parse_choice
from speechlabel.core.commands import CommandSettings
from speechlabel.core.project_settings import MAX_BATCH  # noqa: F401 — read from here by the benches
from speechlabel.core.qc import QcRules, RecordingQc
from speechlabel.i18n.labels import labeled

if TYPE_CHECKING:  # the conventions package (the linter, scheme files) only where a scheme is read or written
    from speechlabel.conventions import TagScheme


@labeled("status")
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
    # Routing (speechlabel.routing) judged the draft right with the project's target precision:
    # it left the labeling queue without a person's pass (provenance in ``segment_routes``).
    AUTO_ACCEPTED = "auto_accepted"

    @classmethod
    def parse(cls, value: str) -> SegmentStatus:
        return parse_choice(cls, value, message_key="error.unknown_status")


@labeled("prelabel_state")
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
        from speechlabel.conventions import BUILTIN_SCHEMES, scheme_to_mapping

        scheme = self.scheme
        if scheme is not None and BUILTIN_SCHEMES.get(scheme.name) == scheme:
            stored: str | dict[str, Any] | None = scheme.name
        else:
            stored = scheme_to_mapping(scheme) if scheme is not None else None
        return {"scheme": stored, "block_submit_on_lint_errors": self.block_submit_on_lint_errors}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> ConventionSettings:
        from speechlabel.conventions import BUILTIN_SCHEMES, scheme_from_mapping

        values = values or {}
        stored = values.get("scheme")
        if isinstance(stored, str):
            scheme = BUILTIN_SCHEMES.get(stored)
        elif isinstance(stored, Mapping):
            scheme = scheme_from_mapping(dict(stored))
        else:
            scheme = None
        return cls(scheme=scheme, block_submit_on_lint_errors=bool(values.get("block_submit_on_lint_errors", False)))


_WORK = project_settings.by_name(project_settings.ASSIGNMENT)
_REVIEW = project_settings.by_name(project_settings.REVIEW)


@dataclass(frozen=True)
class AssignmentSettings:
    """Per project: how much work one claim takes, how long a lease lasts, an optional cap on
    how many segments one labeler may take per day (None: no cap), and the share of segments
    that a second labeler also transcribes, independently, to measure agreement (0: none), and
    the share labeled from scratch, without the draft, to measure what the drafts save
    (``core.labor.from_scratch``; default 2 %).
    Defaults, allowed values, command-line options and form fields: ``project_settings``."""

    batch_size: int = _WORK["batch_size"].default
    lease_minutes: float = _WORK["lease_minutes"].default
    daily_quota: int | None = _WORK["daily_quota"].default
    double_share: float = _WORK["double_share"].default
    from_scratch_share: float = _WORK["from_scratch_share"].default

    def validate(self) -> AssignmentSettings:
        project_settings.check_all(self, project_settings.ASSIGNMENT)
        return self

    def to_dict(self) -> dict[str, Any]:
        return project_settings.stored(self, project_settings.ASSIGNMENT)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> AssignmentSettings:
        return cls(**project_settings.from_stored(values, project_settings.ASSIGNMENT))


@dataclass(frozen=True)
class ReviewSettings:
    """Per project: the share of each labeler's submitted work that the "sample" review order
    draws, and the optional quality policy: a labeler whose defect rate (rejected / reviewed,
    once at least ``min_reviews`` of their segments were reviewed) exceeds ``defect_threshold``
    is flagged, and then ``flagged_share`` of their work goes to review instead. Defaults,
    allowed values, command-line options and form fields: ``project_settings``."""

    sample_share: float = _REVIEW["sample_share"].default
    defect_threshold: float | None = _REVIEW["defect_threshold"].default
    min_reviews: int = _REVIEW["min_reviews"].default
    flagged_share: float = _REVIEW["flagged_share"].default

    def validate(self) -> ReviewSettings:
        project_settings.check_all(self, project_settings.REVIEW)
        return self

    def to_dict(self) -> dict[str, Any]:
        return project_settings.stored(self, project_settings.REVIEW)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> ReviewSettings:
        return cls(**project_settings.from_stored(values, project_settings.REVIEW))


@labeled("reason")
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


@labeled("decision")
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
    qc_rules: QcRules = field(default_factory=QcRules)
    # Free conversation, or a command project with its closed vocabulary (core/commands.py).
    command_settings: CommandSettings = field(default_factory=CommandSettings)


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
    # The recording checks' measures and the rules it broke (its flags); None: imported before
    # migration 0016_qc.
    qc: RecordingQc | None = None

    @property
    def qc_flags(self) -> tuple:
        return self.qc.failures if self.qc is not None else ()

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


@labeled("role")
class Role(str, enum.Enum):
    """A user's role in one project. A lead may do everything within the project; an admin
    (``User.is_admin``) everything everywhere."""

    LABELER = "labeler"
    REVIEWER = "reviewer"
    LEAD = "lead"

    @classmethod
    def parse(cls, value: str) -> Role:
        return parse_choice(cls, value, message_key="error.unknown_role")


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
