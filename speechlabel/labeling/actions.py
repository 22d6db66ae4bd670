"""The actions of the label page, one function each; the page only collects input and calls them.

Each takes the signed-in ``Actor`` and checks first what they may do: a labeler works only on
segments leased to them (``assignment``), a lead on anything in their projects, a reviewer may
read but not label. A segment the actor may not open is refused exactly like one that does not
exist (``NoSuchSegment``), so ids cannot be probed and neither its project nor its holder shows.
Anything that changes a segment takes the version the editor read and goes through the store's
versioned update: if someone saved in between, StaleVersion names them and nothing is
overwritten. A rejected text save is kept as the author's unsaved edit, so neither text is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from speechlabel.accounts.access import require_role, require_signed_in, role_in
from speechlabel.core.bounds import in_ms
from speechlabel.core.errors import Forbidden, MergedAway, NoSuchSegment, NotFound, StaleVersion, ValidationError
from speechlabel.core.labor import Labor
from speechlabel.core.lifecycle import TO_DO, Action, transition
from speechlabel.core.models import Actor, Project, Recording, Review, Role, Segment, SegmentEdit, SegmentStatus
from speechlabel.core.project_scheme import draft_style
from speechlabel.core.segment_rules import (
    MAX_COMMENT_CHARS,
    UnsavedEdit,
    clean_tags,
    kept_text,
    optional_text,
    required_text,
)
from speechlabel.labeling import assignment, double_labeling
from speechlabel.labeling.draft_view import DraftView, draft_view
from speechlabel.labeling.labor import blank_if_from_scratch, labor_record, without_draft
from speechlabel.projects.commands import check_saveable
from speechlabel.store import Store
from speechlabel.store.labeling import SegmentMerge
from speechlabel.store.leases import SegmentAccess
from speechlabel.store.rows import utc_now

log = logging.getLogger(__name__)

# What the queue offers (and leases hand out): the lifecycle's to-do statuses.
TODO_STATUSES = TO_DO
# A page of the list view; more than this is slow to render and nobody reads it at once.
MAX_PAGE = 500

__all__ = [
    "MAX_PAGE",
    "TODO_STATUSES",
    "LabelContext",
    "SegmentMerge",
    "UnsavedEdit",
    "discard_unsaved_edit",
    "keep_unsaved_edit",
    "list_recording_segments",
    "mark_untranscribable",
    "merge_with_next",
    "my_work",
    "next_segment",
    "nudge",
    "open_segment",
    "previous_segment",
    "readable_project",
    "readable_segment",
    "save_and_next",
    "skip",
    "submit",
    "split",
    "unsaved_edit",
]


def next_segment(store: Store, actor: Actor, project: Project, after: str | None = None) -> Segment | None:
    """The actor's next segment after ``after``: their leased batch first, then a new batch from
    the pool; None when there is nothing left for them."""
    return assignment.next_for(store, actor, project, after=after)


def my_work(store: Store, actor: Actor, project: Project) -> list[Segment]:
    """The segments the actor holds (their batch), done or not, and their open second
    labelings (showing the draft, not the first labeler's text), in recording and time order."""
    require_role(actor, project, Role.LABELER, action="labeling")
    now = utc_now()
    first = [
        blank_if_from_scratch(project, segment)
        for segment in store.active_leased_segments(project.id, actor.username, None, now)
    ]
    second = [
        _as_second_labeler_sees(store, project, segment) for segment in double_labeling.held(store, actor, project, now)
    ]
    return sorted(first + second, key=lambda segment: (segment.recording_id, segment.start, segment.id))


def _as_second_labeler_sees(store: Store, project: Project, segment: Segment) -> Segment:
    draft = draft_view(
        store.list_drafts(segment.id), segment, project.label_settings.low_confidence, draft_style(project)
    )
    return double_labeling.masked(segment, None if without_draft(project, segment.id) else draft)


@dataclass(frozen=True)
class LabelContext:
    """Everything the label page shows of one segment, read in one call."""

    project: Project
    segment: Segment
    recording: Recording
    draft: DraftView | None
    unsaved: UnsavedEdit | None
    position: int  # segments of the recording before this one
    recording_segments: int
    second_labeling: bool = False  # the actor's independent second labeling: the draft, not the first text
    rejection: Review | None = None  # why a reviewer sent a REJECTED segment back (its latest rejection)

    @property
    def conflicting_edit(self) -> bool:
        """The user's unsaved edit was typed over a version someone else has since replaced. A
        second labeling never conflicts: it is the holder's alone and does not change the segment."""
        return (
            not self.second_labeling and self.unsaved is not None and self.unsaved.base_version != self.segment.version
        )


def open_segment(store: Store, actor: Actor, segment_id: str) -> LabelContext:
    """The segment, its recording, its draft words (flagged below the project's low-confidence
    threshold), the actor's unsaved edit of it and, for a segment a reviewer rejected, the
    reason and comment (not for a second labeling: that is independent of the first's review).
    Reads one segment's rows only."""
    allowed = _readable(store, actor, segment_id)
    segment, second = allowed.segment, allowed.second
    project = allowed.project
    draft = draft_view(
        store.list_drafts(segment_id), segment, project.label_settings.low_confidence, draft_style(project)
    )
    rejected = segment.status == SegmentStatus.REJECTED and not second
    position, recording_segments = store.place_in_recording(segment)
    return LabelContext(
        project=allowed.project,
        segment=double_labeling.masked(segment, draft) if second else segment,
        recording=store.get_recording(segment.recording_id),
        draft=draft,
        unsaved=store.get_unsaved_edit(actor.username, segment_id),
        position=position,
        recording_segments=recording_segments,
        second_labeling=second,
        rejection=store.latest_rejection(segment_id) if rejected else None,
    )


def previous_segment(store: Store, actor: Actor, segment_id: str) -> Segment | None:
    """Where "previous" goes: for a labeler the one before in their own work, for a lead the one
    before in the recording (any status)."""
    project = _may_read(store, actor, segment_id)
    if role_in(actor, project.id) == Role.LABELER:
        mine = [segment.id for segment in my_work(store, actor, project)]
        at = mine.index(segment_id) if segment_id in mine else 0
        return store.get_segment(mine[at - 1]) if at > 0 else None
    return store.neighbour_segment(segment_id, after=False)


def count_todo(store: Store, project_id: int) -> int:
    """Segments of the project still to do (one grouped count, not a list of recordings)."""
    by_status = store.count_segments_by_status(project_id)
    return sum(by_status.get(status, 0) for status in TODO_STATUSES)


def list_recording_segments(
    store: Store, actor: Actor, recording_id: str, offset: int = 0, limit: int = 50
) -> list[Segment]:
    """One page of a recording's segments in time order (reviewers and leads: labelers see
    only their own work, ``my_work``)."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError(message_key="error.page_offset", params={"offset": repr(offset)})
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(message_key="error.page_size", params={"limit": repr(limit), "most": MAX_PAGE})
    recording = store.get_recording(recording_id)  # an unknown id is a NotFound, not an empty page
    require_role(
        actor, store.get_project_by_id(recording.project_id), Role.REVIEWER, action="listing a whole recording"
    )
    return store.page_recording_segments(recording_id, offset, limit)


def save_and_next(
    store: Store,
    actor: Actor,
    segment_id: str,
    expected_version: int,
    text: str,
    speaker: str | None,
    tags,
    comment: str | None,
) -> tuple[Segment, Segment | None]:
    """:func:`submit`, then the actor's next segment (None when all are done)."""
    saved, project = submit(store, actor, segment_id, expected_version, text, speaker, tags, comment)
    return saved, next_segment(store, actor, project, after=segment_id)


def submit(
    store: Store,
    actor: Actor,
    segment_id: str,
    expected_version: int,
    text: str,
    speaker: str | None,
    tags,
    comment: str | None,
    tab: str | None = None,
    labor: Labor | None = None,
) -> tuple[Segment, Project]:
    """Submit the transcript; the saved segment and its project. When the project blocks submits
    on lint errors, a transcript with any is refused (LintRejected, nothing saved). A segment a
    reviewer rejected (or its rework, saved again) becomes REWORKED, so it is reviewed again; any
    other becomes SUBMITTED. For the actor's second labeling of a segment, the text is stored as
    that (the segment stays as its first labeler left it) and the masked segment is returned.
    Text for a segment a merge absorbed is kept for the merged segment instead (MergedAway)."""
    try:
        access = _access(store, actor, segment_id)
    except NoSuchSegment:
        _keep_for_merged(store, actor, segment_id, text, speaker, tags, tab)
        raise
    if double_labeling.holds_in(access, actor):
        project = store.get_project_by_id(access.project_id)
        check_saveable(project, text.strip() if isinstance(text, str) else text)
        double_labeling.save(store, actor, project, segment_id, text, speaker, tags, comment)
        record = labor_record(project, actor, access.segment, labor, second_labeling=True)
        if record is not None:
            store.record_labor(record)
        assignment.keep_working(store, actor, project, held_until=access.held_until(actor.username))
        return _as_second_labeler_sees(store, project, store.get_segment(segment_id)), project
    allowed = _editable(store, actor, access)
    project = allowed.project
    author = actor.username
    cleaned = required_text(text, message_key="error.transcript_empty")
    check_saveable(project, cleaned)  # lint errors (if the project blocks on them), or not a command
    # Read with the rights above: if the segment changed since, the versioned save below refuses.
    # A rejected segment (or its rework, saved again) becomes REWORKED, any other SUBMITTED.
    status = transition(Action.SUBMIT, segment_id, allowed.segment.status)
    edit = SegmentEdit(
        text=cleaned,
        speaker=optional_text(speaker),
        tags=clean_tags(tags),
        status=status,
        comment=optional_text(comment),
    )
    try:
        record = labor_record(project, actor, allowed.segment, labor)
        saved = store.save_labeled(segment_id, expected_version, edit, author, tab, labor=record)
    except StaleVersion as stale:
        # Keep what this author typed on the server: the other save wins the row, not the words.
        keep_unsaved_edit(store, actor, segment_id, expected_version, cleaned, edit.speaker, edit.tags, tab)
        stale.kept_for = segment_id
        raise
    assignment.keep_working(store, actor, project, held_until=access.held_until(actor.username))
    return saved, project


def skip(
    store: Store, actor: Actor, segment_id: str, expected_version: int, reason: str, labor: Labor | None = None
) -> Segment:
    """Set a segment aside (status skipped); the reason goes into the revision comment. A second
    labeling is handed back instead, for another labeler (the segment is unchanged)."""
    access = _access(store, actor, segment_id)
    if double_labeling.holds_in(access, actor):
        project = store.get_project_by_id(access.project_id)
        double_labeling.give_back(store, actor, project, segment_id, reason)
        return store.get_segment(segment_id)
    return _set_aside(store, actor, access, expected_version, reason, Action.SKIP, labor)


def mark_untranscribable(
    store: Store, actor: Actor, segment_id: str, expected_version: int, reason: str, labor: Labor | None = None
) -> Segment:
    """Mark a segment as impossible to transcribe (noise, no speech, unintelligible) with a reason."""
    access = _access(store, actor, segment_id)
    return _set_aside(store, actor, access, expected_version, reason, Action.MARK_UNTRANSCRIBABLE, labor)


def _set_aside(
    store: Store,
    actor: Actor,
    access: SegmentAccess,
    expected_version: int,
    reason: str,
    action: Action,
    labor: Labor | None = None,
) -> Segment:
    allowed = _editable(store, actor, access)
    project, segment_id = allowed.project, access.segment.id
    status = transition(action, segment_id, allowed.segment.status)
    why = required_text(
        reason,
        message_key="error.skip_reason_empty"
        if status == SegmentStatus.SKIPPED
        else "error.untranscribable_reason_empty",
        most=MAX_COMMENT_CHARS,
        too_long_key="error.reason_too_long",
    )
    edit = SegmentEdit(status=status, comment=why)
    record = labor_record(project, actor, allowed.segment, labor)
    saved = store.save_labeled(segment_id, expected_version, edit, actor.username, labor=record)
    assignment.keep_working(store, actor, project, held_until=access.held_until(actor.username))
    return saved


def nudge(
    store: Store, actor: Actor, segment_id: str, expected_version: int, start_delta: float, end_delta: float
) -> Segment:
    """Move a segment's start and end by the given seconds (negative = earlier)."""
    _may_edit(store, actor, segment_id)
    check_seconds(start_delta, message_key="error.start_change_not_seconds")
    check_seconds(end_delta, message_key="error.end_change_not_seconds")
    segment = store.get_segment(segment_id)
    start = in_ms(segment.start + start_delta)
    end = in_ms(segment.end + end_delta)
    return store.resize_segment(segment_id, expected_version, start, end, actor.username)


def set_bounds(store: Store, actor: Actor, segment_id: str, expected_version: int, start: float, end: float) -> Segment:
    """Give a segment new start and end times (seconds in the recording), as the waveform's
    drag does; the same checks and versioned save as :func:`nudge`."""
    _may_edit(store, actor, segment_id)
    check_seconds(start, message_key="error.start_not_seconds")
    check_seconds(end, message_key="error.end_not_seconds")
    return store.resize_segment(segment_id, expected_version, in_ms(start), in_ms(end), actor.username)


def readable_project(store: Store, actor: Actor, segment_id: str) -> Project:
    """The project of a segment the actor may open (see :func:`open_segment`)."""
    return _may_read(store, actor, segment_id)


def readable_segment(store: Store, actor: Actor, segment_id: str) -> Segment:
    """A segment the actor may open (see :func:`open_segment`), without its label context."""
    return _readable(store, actor, segment_id).segment


def split(
    store: Store,
    actor: Actor,
    segment_id: str,
    expected_version: int,
    at_time: float,
    word_index: int,
    text: str | None = None,
) -> tuple[Segment, Segment]:
    """Cut a segment at ``at_time`` (seconds in the recording) and its text before word
    ``word_index``; the first part keeps the id, the second is a new segment, and each gets its
    part of the drafts (``draft_cut``). ``text`` is what the labeler has in the box (cut instead
    of the saved text, so their typing goes along)."""
    project = _may_edit(store, actor, segment_id)
    check_seconds(at_time, message_key="error.split_time_not_seconds")
    first, second = store.split_segment(
        segment_id, expected_version, in_ms(at_time), word_index, actor.username, None if text is None else text.strip()
    )
    assignment.take_over(store, actor, second.id, project)  # the new part stays in the splitter's work
    return first, second


def merge_with_next(
    store: Store,
    actor: Actor,
    segment_id: str,
    expected_version: int,
    next_expected_version: int,
    next_segment_id: str | None = None,
    text: str | None = None,
) -> Segment:
    """Join a segment with the one after it (texts joined, and drafts of the same engine and
    model, so a split followed by a merge gives the draft back); pass ``next_segment_id`` (what the
    editor showed) to refuse the merge if the layout changed since, and ``text`` (what the
    labeler has in the box) to join that instead of the saved text."""
    _may_edit(store, actor, segment_id)
    following = store.neighbour_segment(segment_id, after=True)
    if following is not None:
        try:
            _may_edit(store, actor, following.id)  # a labeler cannot absorb someone else's segment
        except NoSuchSegment:  # said without its holder
            raise Forbidden(message_key="error.merge_next_not_yours", params={"segment": segment_id}) from None
    return store.merge_with_next_segment(
        segment_id,
        expected_version,
        next_expected_version,
        actor.username,
        next_segment_id,
        None if text is None else text.strip(),
    )


def keep_unsaved_edit(
    store: Store,
    actor: Actor,
    segment_id: str,
    base_version: int,
    text: str,
    speaker: str | None,
    tags,
    tab: str | None = None,
) -> UnsavedEdit:
    """Remember what the actor is typing in a segment, replacing their previous unsaved edit.
    Text for a segment a merge absorbed is kept for the merged segment instead (MergedAway)."""
    try:
        _may_read(store, actor, segment_id)
    except NoSuchSegment:
        _keep_for_merged(store, actor, segment_id, text, speaker, tags, tab)
        raise
    edit = UnsavedEdit(
        actor.username,
        segment_id,
        base_version,
        kept_text(text),
        optional_text(speaker),
        clean_tags(tags),
        utc_now(),
        tab,
    )
    return store.put_unsaved_edit(edit)


def _keep_for_merged(
    store: Store, actor: Actor, segment_id: str, text: str, speaker: str | None, tags, tab: str | None
) -> None:
    """Text arriving for a segment that is gone: if a merge absorbed it into a segment the actor
    may open, keep the text there as their text against the merge (``store.keep_for_merged``)
    and raise MergedAway, which names that segment. Returns, having kept nothing, otherwise (no
    merge absorbed it, or the merged segment is not the actor's): the caller's NoSuchSegment
    stands, the answer for any id the actor may not open."""
    survivor = store.absorbed_into(segment_id)
    if survivor is None:
        return
    try:
        _access(store, actor, survivor)
        kept = kept_text(text)
        store.keep_for_merged(
            actor.username, segment_id, survivor, kept, optional_text(speaker), clean_tags(tags), tab, utc_now()
        )
    except (NoSuchSegment, NotFound):  # not the actor's, or merged on meanwhile (the next try finds where)
        return
    raise MergedAway(segment_id, survivor)


def unsaved_edit(store: Store, actor: Actor, segment_id: str) -> UnsavedEdit | None:
    return store.get_unsaved_edit(actor.username, segment_id)


def discard_unsaved_edit(store: Store, actor: Actor, segment_id: str) -> bool:
    """Forget the actor's unsaved edit; True if there was one."""
    return store.delete_unsaved_edit(actor.username, segment_id)


def _may_read(store: Store, actor: Actor, segment_id: str) -> Project:
    """Reviewers and leads read any segment of their projects; a labeler only their own work
    (their first or their second labelings)."""
    return _readable(store, actor, segment_id).project


@dataclass(frozen=True)
class _Allowed:
    """A segment the actor may open or change, as stored, with its project; read in two queries."""

    project: Project
    segment: Segment
    second: bool  # the actor's own second labeling of it


def _readable(store: Store, actor: Actor, segment_id: str) -> _Allowed:
    """:func:`_may_read`, with the segment and whether it is the actor's second labeling."""
    access = _access(store, actor, segment_id)
    project = store.get_project_by_id(access.project_id)
    require_role(actor, project, Role.LABELER, Role.REVIEWER, action="opening a segment")
    return _Allowed(project, access.segment, double_labeling.holds_in(access, actor))


def _may_edit(store: Store, actor: Actor, segment_id: str) -> Project:
    """Leads change any segment of their projects; a labeler only segments leased to them. The
    holder of a second labeling changes its text only, never the segment (bounds, status)."""
    return _editable(store, actor, _access(store, actor, segment_id)).project


def _editable(store: Store, actor: Actor, access: SegmentAccess) -> _Allowed:
    """:func:`_may_edit` of a segment's access that :func:`_access` gave (one the actor may see):
    what is refused now is refused in words, since the actor may see the segment."""
    project = store.get_project_by_id(access.project_id)
    require_role(actor, project, Role.LABELER, action="labeling")
    if double_labeling.holds_in(access, actor):
        raise Forbidden(message_key="error.second_labeling_text_only", params={"segment": access.segment.id})
    return _Allowed(project, access.segment, second=False)


def _access(store: Store, actor: Actor, segment_id: str) -> SegmentAccess:
    """The segment's access (one query), if the actor may see it: a reviewer or lead of its
    project, or a labeler holding it (its labeling or its second labeling). Else NoSuchSegment,
    the answer an unknown id gets, so the refusal says nothing of the segment."""
    actor = require_signed_in(actor)
    try:
        access = store.segment_access(segment_id, utc_now())
    except NotFound:
        raise NoSuchSegment(segment_id) from None
    if not _may_see(access, actor):
        raise NoSuchSegment(segment_id)
    return access


def _may_see(access: SegmentAccess, actor: Actor) -> bool:
    role = role_in(actor, access.project_id)
    if role == Role.LABELER:
        return access.first_holder == actor.username or double_labeling.holds_in(access, actor)
    return role is not None


def check_seconds(value: float, message_key: str) -> None:
    """``message_key``: the message naming what ``value`` is (its only param is ``value``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValidationError(message_key=message_key, params={"value": repr(value)})
