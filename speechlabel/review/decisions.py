"""Review: the queue of submitted work, approve and reject with a reason, and the quality policy.

Rules:
- The queue holds the project's SUBMITTED and REWORKED segments. A segment's *labeler* is the
  author of its newest revision with one of those statuses (the text the reviewer judges is
  theirs; ``updated_by`` becomes the reviewer after a decision), *submitted_at* that revision's
  time.
- Orders (the labeler and recording filters apply to each): LOW_CONFIDENCE, least confident
  first, by exp(lowest ``avg_logprob`` of the segment's drafts), segments without a draft last
  (chosen over the mean word probability: a column the database sorts 100,000 segments by
  without parsing word lists, and the stretch-level signal Whisper's decoder itself thresholds
  on); SAMPLE, a segment is in when sha256("review-sample:" + id) falls below its labeler's
  share (``sample_share``, or ``flagged_share`` when flagged; stable, and independent of the
  double-labeling pick), plus every REWORKED segment, by submission; LABELER, by labeler then
  submission; RECORDING, by recording then start time. Submission order is the order the
  submitting revisions were written.
- Reviewers and leads (and admins) review; labelers are refused. Nobody reviews their own
  labeling, and only a submitted or reworked segment can be decided.
- A decision goes through the versioned save (StaleVersion if someone saved in between), and
  writes a revision (author: the reviewer; comment: the decision, reason and comment), a
  ``reviews`` row (whose work, which version) and an audit line, in one transaction.
- A rejected segment goes back to its labeler: it is leased to them (slot 1) for
  ``REWORK_LEASE`` (7 days: rework waits for their next shift, not the 30-minute batch lease),
  so their queue hands it out first; if they no longer label in the project (no labeler or
  lead role, or a disabled account) it goes to the pool.
  Their save makes it REWORKED, which is reviewed again.
- Quality: every review counts (a segment rejected twice and then approved is 3 reviews, 2
  rejected); ``defect_rate = rejected / reviewed``. With ``ReviewSettings.defect_threshold``
  set, a labeler with at least ``min_reviews`` reviews whose rate is above the threshold is
  flagged, and the sample order then draws ``flagged_share`` of their work, not ``sample_share``.
"""

from __future__ import annotations

import enum
import logging
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from speechlabel.accounts.access import require_role
from speechlabel.core.choices import parse_choice
from speechlabel.core.errors import Forbidden, StaleVersion, ValidationError
from speechlabel.core.lifecycle import REVIEWABLE, Action, can, transition
from speechlabel.core.models import (
    Actor,
    Project,
    Recording,
    Review,
    ReviewDecision,
    ReviewReason,
    ReviewSettings,
    Role,
    Segment,
)
from speechlabel.core.project_scheme import draft_style
from speechlabel.core.segment_rules import MAX_COMMENT_CHARS, optional_text
from speechlabel.labeling.draft_view import DraftView, draft_view
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote
from speechlabel.store.reviews import SAMPLE_SCALE, Decision, QueueRow, QueueSpec, sample_bucket
from speechlabel.store.rows import utc_now

log = logging.getLogger(__name__)

# What the queue holds: the lifecycle's reviewable statuses (approve and reject accept only these).
QUEUE_STATUSES = REVIEWABLE

__all__ = [
    "CHARACTER_DIFF_LANGUAGES",
    "MAX_PAGE",
    "QUEUE_STATUSES",
    "REWORK_LEASE",
    "DiffPiece",
    "LabelerQuality",
    "ReviewContext",
    "ReviewItem",
    "ReviewOrder",
    "ReviewQuery",
    "approve",
    "bulk_approve",
    "count_to_review",
    "diff_texts",
    "in_sample",
    "labeler_quality",
    "latest_rejection",
    "next_to_review",
    "open_for_review",
    "reject",
    "review_queue",
    "update_review_settings",
]

# How long a rejected segment stays with its labeler for the rework before it returns to the pool.
REWORK_LEASE = timedelta(days=7)
# A review comment is a note, not an essay; longer ones are refused rather than cut.
# The largest queue page; the view pages through more.
MAX_PAGE = 500


class ReviewOrder(str, enum.Enum):
    """How the queue is sorted (see the module rules)."""

    LOW_CONFIDENCE = "low_confidence"
    SAMPLE = "sample"
    LABELER = "labeler"
    RECORDING = "recording"

    @classmethod
    def parse(cls, value: str | ReviewOrder) -> ReviewOrder:
        return parse_choice(cls, value, message_key="error.review_order")


@dataclass(frozen=True)
class ReviewQuery:
    """Which queue page: ``order``, optional filters (a labeler, a recording; they apply to
    every order), and ``offset``/``limit`` (1–500)."""

    order: ReviewOrder = ReviewOrder.LOW_CONFIDENCE
    labeler: str | None = None
    recording_id: str | None = None
    offset: int = 0
    limit: int = 50

    def validate(self) -> ReviewQuery:
        order = ReviewOrder.parse(self.order)
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValidationError(message_key="error.page_offset", params={"offset": repr(self.offset)})
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_PAGE:
            raise ValidationError(message_key="error.page_size", params={"limit": repr(self.limit), "most": MAX_PAGE})
        labeler = (self.labeler or "").strip() or None
        recording = (self.recording_id or "").strip() or None
        return replace(self, order=order, labeler=labeler, recording_id=recording)


@dataclass(frozen=True)
class ReviewItem:
    """One queue line. ``confidence`` is exp(lowest ``avg_logprob`` of the segment's drafts):
    Whisper's own per-stretch confidence, the signal its decoder thresholds on (None: no draft)."""

    segment: Segment
    labeler: str | None
    confidence: float | None
    submitted_at: datetime | None


def review_queue(store: Store, actor: Actor, project: Project, query: ReviewQuery = ReviewQuery()) -> list[ReviewItem]:
    """One page of the project's review queue (see the module rules); reviewers and leads.
    The reviewer's own work is listed too (they cannot decide it: ``next_to_review`` skips it)."""
    require_role(actor, project, Role.REVIEWER, action="reviewing")
    query = query.validate()
    rows = store.page_review_queue(_spec(store, project, query), query.offset, query.limit)
    return [_item(row) for row in rows]


def count_to_review(store: Store, actor: Actor, project: Project, query: ReviewQuery | None = None) -> int:
    """How many segments the queue holds (with ``query``'s order and filters: the sample order
    counts only the sample)."""
    require_role(actor, project, Role.REVIEWER, action="reviewing")
    query = (query or ReviewQuery()).validate()
    return store.count_review_queue(_spec(store, project, query))


def next_to_review(
    store: Store, actor: Actor, project: Project, query: ReviewQuery, after: str | None = None
) -> Segment | None:
    """The segment to review after ``after`` in the query's order (wrapping round; also after
    ``after`` has just been decided and left the queue), skipping the actor's own labeling;
    None when nothing is left for them."""
    require_role(actor, project, Role.REVIEWER, action="reviewing")
    query = query.validate()
    return store.next_in_review_queue(_spec(store, project, query), after, not_labeled_by=actor.username)


def in_sample(segment_id: str, share: float) -> bool:
    """Whether a segment falls in a labeler's sampled ``share`` (stable: a hash of its id)."""
    return share > 0 and sample_bucket(segment_id) < share * SAMPLE_SCALE


def _spec(store: Store, project: Project, query: ReviewQuery) -> QueueSpec:
    settings = project.review_settings
    flagged: frozenset[str] = frozenset()
    if query.order == ReviewOrder.SAMPLE and settings.defect_threshold is not None:
        flagged = frozenset(q.labeler for q in _quality(store, project) if q.flagged)
    return QueueSpec(
        project_id=project.id,
        order=query.order.value,
        labeler=query.labeler,
        recording_id=query.recording_id,
        sample_share=settings.sample_share,
        flagged=flagged,
        flagged_share=settings.flagged_share,
    )


def _item(row: QueueRow) -> ReviewItem:
    confidence = math.exp(row.min_logprob) if row.min_logprob is not None else None
    return ReviewItem(row.segment, row.labeler, confidence, row.submitted_at)


# --- draft against final ----------------------------------------------------------------------

# Written without spaces between words (Thai, Chinese, Japanese, ...), or with spaces whose
# placement varies between writers (Korean eojeol): compared by characters.
CHARACTER_DIFF_LANGUAGES = frozenset({"ko", "ja", "zh", "th", "lo", "km", "my", "bo", "yue"})
# Unicode script names (from character names) of those scripts, for a segment of unknown language.
_CHARACTER_SCRIPTS = ("HANGUL", "CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


@dataclass(frozen=True)
class DiffPiece:
    """One stretch of the draft -> final comparison; ``op`` is "equal", "insert" (only in the
    final), "delete" (only in the draft) or "replace". Joining every piece's ``draft`` gives the
    draft and every ``final`` the final (runs of whitespace as one space), so a view renders
    the pieces in order and marks the ones that are not "equal"."""

    op: str
    draft: str
    final: str


def diff_texts(draft: str, final: str, language: str | None) -> tuple[DiffPiece, ...]:
    """The differences between the draft and the final text: by words (spaces are tokens of
    their own, so a changed word is marked without its neighbours) for space-delimited
    languages, by characters for ``CHARACTER_DIFF_LANGUAGES`` ("ko", "ko-KR", ...). With no
    language, the text's script decides."""
    draft, final = " ".join(draft.split()), " ".join(final.split())
    if _by_characters(language, draft + final):
        old, new = list(draft), list(final)
    else:
        old, new = re.findall(r"\S+| ", draft), re.findall(r"\S+| ", final)
    # autojunk off: in long texts it would treat spaces (and common characters) as noise.
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return tuple(
        DiffPiece(op, "".join(old[i1:i2]), "".join(new[j1:j2])) for op, i1, i2, j1, j2 in matcher.get_opcodes()
    )


def _by_characters(language: str | None, text: str) -> bool:
    if language:
        return re.split(r"[-_]", language.strip().lower())[0] in CHARACTER_DIFF_LANGUAGES
    letters = [char for char in text if char.isalpha()]
    scripted = sum(unicodedata.name(char, "").startswith(_CHARACTER_SCRIPTS) for char in letters)
    return bool(letters) and scripted * 2 > len(letters)


# --- one segment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewContext:
    """What the review page shows of one segment: the draft and final text with their
    differences (``diff``), whose work it is, and its earlier reviews, oldest first."""

    segment: Segment
    recording: Recording
    draft: DraftView | None
    labeler: str | None
    diff: tuple[DiffPiece, ...]
    reviews: tuple[Review, ...]
    submitted_at: datetime | None = None

    def decidable_by(self, actor: Actor) -> bool:
        """A reviewer or lead may approve or reject it now: its status allows it and it is not
        their work (the view's hint; ``approve`` and ``reject`` check again)."""
        return can(Action.APPROVE, self.segment.status) and self.labeler != actor.username


def open_for_review(store: Store, actor: Actor, segment_id: str) -> ReviewContext:
    """Everything the reviewer needs for one segment of their project (any status: a decided
    segment can be looked at again)."""
    project = _project_of(store, actor, segment_id)
    segment = store.get_segment(segment_id)
    draft = draft_view(
        store.list_drafts(segment_id), segment, project.label_settings.low_confidence, draft_style(project)
    )
    labeler, submitted_at = store.labeler_of_record(segment_id)
    language = segment.language or project.language
    return ReviewContext(
        segment=segment,
        recording=store.get_recording(segment.recording_id),
        draft=draft,
        labeler=labeler,
        diff=diff_texts(draft.proposed if draft else "", segment.text, language),
        reviews=tuple(store.list_reviews(segment_id)),
        submitted_at=submitted_at,
    )


def approve(store: Store, actor: Actor, segment_id: str, expected_version: int, comment: str | None = None) -> Segment:
    """Accept the labeler's work as it is at ``expected_version``; status APPROVED."""
    project, labeler = _decidable(store, actor, segment_id, expected_version, Action.APPROVE)
    note = _comment(comment)
    decision = Decision(
        segment_id,
        expected_version,
        project.id,
        actor.username,
        labeler,
        ReviewDecision.APPROVED,
        None,
        note,
        _revision_comment("approved", None, note),
    )
    saved, _ = store.record_decision(decision)
    return saved


def reject(
    store: Store,
    actor: Actor,
    segment_id: str,
    expected_version: int,
    reason: ReviewReason | str,
    comment: str | None = None,
) -> Segment:
    """Send the work back with a reason code (``ReviewReason`` or its value) and an optional
    comment; status REJECTED, leased back to its labeler (see the module rules)."""
    why = _reason(reason)
    project, labeler = _decidable(store, actor, segment_id, expected_version, Action.REJECT)
    note = _comment(comment)
    now = utc_now()
    back_to = labeler if _still_labels(store, project, labeler) else None
    decision = Decision(
        segment_id,
        expected_version,
        project.id,
        actor.username,
        labeler,
        ReviewDecision.REJECTED,
        why,
        note,
        _revision_comment("rejected", why, note),
        return_to=back_to,
        return_until=now + REWORK_LEASE if back_to else None,
    )
    saved, _ = store.record_decision(decision)
    if back_to is None:
        log.info(
            "rejected segment %s returns to the pool: %r no longer labels in %r", segment_id, labeler, project.name
        )
    return saved


def bulk_approve(
    store: Store,
    actor: Actor,
    project: Project,
    labeler: str,
    recording_id: str | None = None,
    comment: str | None = None,
) -> int:
    """A lead approves every submitted or reworked segment of one (trusted) labeler, optionally
    of one recording only, each with its revision and review row; returns how many."""
    require_role(actor, project, action="approving in bulk")
    who = (labeler or "").strip()
    if not who:
        raise ValidationError(message_key="error.bulk_needs_labeler")
    if who == actor.username:
        raise Forbidden(message_key="error.self_review_bulk")
    if recording_id is not None and store.get_recording(recording_id).project_id != project.id:
        raise ValidationError(
            message_key="error.recording_elsewhere", params={"recording": recording_id, "project": project.name}
        )
    note = _comment(comment)
    spec = QueueSpec(project_id=project.id, labeler=who, recording_id=recording_id)
    return store.approve_all_of(spec, actor.username, note, _revision_comment("approved in bulk", None, note))


def latest_rejection(store: Store, actor: Actor, segment_id: str) -> Review | None:
    """The segment's most recent rejection (None: never rejected). Reviewers and leads read
    any; a labeler only one of their own work or of a segment they hold."""
    project = store.get_project_by_id(store.get_segment_project(segment_id))
    require_role(actor, project, Role.LABELER, Role.REVIEWER, action="reading a review")
    rejection = store.latest_rejection(segment_id)
    if actor.is_admin or actor.roles.get(project.id) != Role.LABELER:
        return rejection
    lease = store.lease_of(segment_id, utc_now())
    if (rejection is not None and rejection.labeler == actor.username) or (lease and lease.username == actor.username):
        return rejection
    raise Forbidden(message_key="error.review_not_yours", params={"segment": segment_id})


def _project_of(store: Store, actor: Actor, segment_id: str) -> Project:
    project = store.get_project_by_id(store.get_segment_project(segment_id))
    require_role(actor, project, Role.REVIEWER, action="reviewing")
    return project


def _decidable(
    store: Store, actor: Actor, segment_id: str, expected_version: int, action: Action
) -> tuple[Project, str | None]:
    """The checks before a decision (``action``: approve or reject), version first (a stale
    reviewer hears "reload", not a status error about a change they never saw), then the
    lifecycle's. Returns the project and the labeler."""
    project = _project_of(store, actor, segment_id)
    segment = store.get_segment(segment_id)
    if segment.version != expected_version:
        raise StaleVersion(segment_id, expected_version, segment.version, segment.updated_by)
    transition(action, segment_id, segment.status)
    labeler, _ = store.labeler_of_record(segment_id)
    if labeler == actor.username:
        raise Forbidden(message_key="error.self_review")
    return project, labeler


def _reason(reason: ReviewReason | str) -> ReviewReason:
    return parse_choice(ReviewReason, reason, message_key="error.review_reason")


def _comment(comment: str | None) -> str | None:
    return optional_text(comment, MAX_COMMENT_CHARS)


def _revision_comment(what: str, reason: ReviewReason | None, comment: str | None) -> str:
    """The revision's comment: "rejected: Text error (minor) — the comment"."""
    parts = [part for part in (reason.label if reason else None, comment) if part]
    return f"{what}: {' — '.join(parts)}" if parts else what


def _still_labels(store: Store, project: Project, username: str | None) -> bool:
    if username is None:
        return False
    roles = {m.user.username: m.role for m in store.list_memberships([project.id]) if not m.user.disabled}
    return roles.get(username) in (Role.LABELER, Role.LEAD)


# --- settings and quality ---------------------------------------------------------------------


def update_review_settings(store: Store, actor: Actor, project: Project, settings: ReviewSettings) -> Project:
    """A lead sets the sample share and the quality policy; recorded in the audit log."""
    require_role(actor, project, action="changing the review settings")
    changed = store.update_review_settings(project.id, settings.validate())
    store.record_audit(AuditNote(actor.username, "review_settings", project.name, project.id, settings.to_dict()))
    return changed


@dataclass(frozen=True)
class LabelerQuality:
    """One labeler's review record. ``defect_rate`` is rejected / reviewed (None: not reviewed)."""

    labeler: str
    reviewed: int
    rejected: int
    defect_rate: float | None
    flagged: bool


def labeler_quality(store: Store, actor: Actor, project: Project) -> list[LabelerQuality]:
    """Every reviewed labeler of the project with their defect rate and whether the quality
    policy flags them (see the module rules), by name; for reviewers and leads."""
    require_role(actor, project, Role.REVIEWER, action="reading labeler quality")
    return _quality(store, project)


def _quality(store: Store, project: Project) -> list[LabelerQuality]:
    settings = project.review_settings
    return [
        LabelerQuality(
            c.labeler,
            c.reviewed,
            c.rejected,
            c.rejected / c.reviewed if c.reviewed else None,
            _flagged(settings, c.reviewed, c.rejected),
        )
        for c in store.review_counts_by_labeler(project.id)
    ]


def _flagged(settings: ReviewSettings, reviewed: int, rejected: int) -> bool:
    threshold = settings.defect_threshold
    return threshold is not None and reviewed >= settings.min_reviews and rejected / reviewed > threshold
