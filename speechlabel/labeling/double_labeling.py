"""Double labeling: a configured share of segments is also transcribed by a second labeler,
independently, so the project can measure how much two people agree.

Which segments: a segment is picked when its first labeling is handed out, by a hash of its id
(stable: a segment released and claimed again is picked the same way, and the share holds over
any large set). Independently: the second labeler starts from the Whisper draft, never sees the
first labeler's text, and nobody who had a hand in one labeling of a segment gets the other.
The second labeling changes no segment: its text goes to its own row (``SecondLabel``), with
the bounds it was made for. Its lease is slot 2 of the lease table and expires like any other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from speechlabel.accounts.access import require_role
from speechlabel.core.bounds import same_bounds
from speechlabel.core.models import Actor, Project, Role, SecondLabel, Segment, SegmentStatus
from speechlabel.core.segment_rules import MAX_COMMENT_CHARS, clean_tags, optional_text, required_text
from speechlabel.labeling.draft_view import DraftView
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote
from speechlabel.store.leases import SegmentAccess
from speechlabel.store.rows import utc_now

# Resolution of the pick: shares are honoured to 1 in 10,000.
_PICK_SCALE = 10_000


def picked(segment_id: str, share: float) -> bool:
    """Whether ``segment_id`` falls in the double-labeled ``share`` (0–1) of a project."""
    if share <= 0:
        return False
    bucket = int.from_bytes(hashlib.sha256(segment_id.encode()).digest()[:4], "big") % _PICK_SCALE
    return bucket < share * _PICK_SCALE


def pick(store: Store, project: Project, segments: list[Segment], now: datetime) -> int:
    """Mark the picked share of freshly handed-out segments for a second labeling."""
    share = project.assignment_settings.double_share
    chosen = [segment.id for segment in segments if picked(segment.id, share)]
    return store.pick_for_second_label(project.id, chosen, now)


def claim(
    store: Store, actor: Actor, project: Project, now: datetime, expires_at: datetime, limit: int
) -> list[Segment]:
    """Lease free second labelings to the actor (never ones they had a hand in)."""
    return store.claim_second_labels(project.id, actor.username, now, expires_at, limit)


def held(store: Store, actor: Actor, project: Project, now: datetime) -> list[Segment]:
    """The unsaved second labelings the actor holds, as stored (unmasked: for ordering only)."""
    return store.held_second_labels(project.id, actor.username, now)


def holds(store: Store, actor: Actor, segment_id: str, now: datetime | None = None) -> bool:
    """The actor holds this segment's second labeling (and not its first)."""
    return holds_in(store.segment_access(segment_id, now or utc_now()), actor)


def holds_in(access: SegmentAccess, actor: Actor) -> bool:
    """:func:`holds`, from a segment's access read by the caller."""
    second = access.second_holder
    return second is not None and second == actor.username and access.first_holder != actor.username


def masked(segment: Segment, draft: DraftView | None) -> Segment:
    """The segment as its second labeler sees it: the draft as the first labeler started from it
    (in the project's convention), no speaker or tags, so nothing of the first labeler's work shows."""
    return replace(segment, text=draft.proposed if draft else "", speaker=None, tags=(), updated_by=None)


def save(
    store: Store,
    actor: Actor,
    project: Project,
    segment_id: str,
    text: str,
    speaker: str | None,
    tags,
    comment: str | None,
) -> SecondLabel:
    """Store the actor's second transcription (once; they must hold its lease)."""
    cleaned = required_text(text, message_key="error.second_transcript_empty")
    saved = store.save_second_label(
        segment_id, actor.username, cleaned, optional_text(speaker), clean_tags(tags), optional_text(comment), utc_now()
    )
    store.delete_unsaved_edit(actor.username, segment_id)
    store.record_audit(
        AuditNote(
            actor.username,
            "second_label_saved",
            segment_id,
            project.id,
            {"text": saved.text, "speaker": saved.speaker, "tags": list(saved.tags)},
        )
    )
    return saved


def give_back(store: Store, actor: Actor, project: Project, segment_id: str, reason: str) -> None:
    """The actor hands the second labeling back (with a reason); someone else will take it."""
    why = required_text(
        reason, message_key="error.give_back_reason_empty", most=MAX_COMMENT_CHARS, too_long_key="error.reason_too_long"
    )
    store.give_back_second_label(segment_id, actor.username)
    store.record_audit(AuditNote(actor.username, "second_label_skipped", segment_id, project.id, {"reason": why}))


def second_label_of(store: Store, actor: Actor, segment_id: str) -> SecondLabel | None:
    """A segment's second labeling, for its project's reviewers and leads (None: not picked)."""
    project = store.get_project_by_id(store.get_segment_project(segment_id))
    require_role(actor, project, Role.REVIEWER, action="reading a second labeling")
    return store.get_second_label(segment_id)


@dataclass(frozen=True)
class LabelPair:
    """Both transcriptions of a double-labeled segment, for agreement. ``same_bounds`` is False
    when the segment was resized, split or merged after the second labeling was saved."""

    segment_id: str
    first_text: str
    first_by: str | None
    first_status: SegmentStatus
    second_text: str
    second_by: str
    same_bounds: bool


def label_pairs(store: Store, actor: Actor, project: Project) -> list[LabelPair]:
    """Every saved second labeling with the segment's current (first) labeling."""
    require_role(actor, project, Role.REVIEWER, action="reading double labelings")
    return [
        LabelPair(
            segment.id,
            segment.text,
            segment.updated_by,
            segment.status,
            second.text or "",
            second.labeler or "",
            same_bounds=same_bounds(segment.start, segment.duration, second.start, second.duration),
        )
        for second, segment in store.saved_second_labels(project.id)
    ]
