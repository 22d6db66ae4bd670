"""The actions of the label page, one function each; the page only collects input and calls them.

Anything that changes a segment takes the version the editor read and goes through the store's
versioned update: if someone saved in between, StaleVersion names them and nothing is
overwritten. A rejected text save is kept as the author's unsaved edit, so neither text is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .draft_view import DraftView, draft_view
from .errors import StaleVersion, ValidationError
from .labeling_rules import (
    TIME_DECIMALS,
    UnsavedEdit,
    clean_tags,
    optional_text,
    required_text,
)
from .models import Recording, Segment, SegmentEdit, SegmentStatus
from .store import Store
from .store.labeling import SegmentMerge
from .store.rows import utc_now

log = logging.getLogger(__name__)

# What the queue offers: not yet done, or sent back by a reviewer.
TODO_STATUSES = (SegmentStatus.DRAFTED, SegmentStatus.NEW, SegmentStatus.IN_PROGRESS, SegmentStatus.REJECTED)
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
    "next_segment",
    "nudge",
    "open_segment",
    "previous_segment",
    "save_and_next",
    "skip",
    "split",
    "unsaved_edit",
]


def next_segment(store: Store, project_id: int, after: str | None = None) -> Segment | None:
    """The next segment to label after ``after`` (by recording, then start), wrapping around to
    earlier ones still to do; None when the project has nothing left to do."""
    return store.next_todo_segment(project_id, TODO_STATUSES, after)


@dataclass(frozen=True)
class LabelContext:
    """Everything the label page shows of one segment, read in one call."""

    segment: Segment
    recording: Recording
    draft: DraftView | None
    unsaved: UnsavedEdit | None
    position: int  # segments of the recording before this one
    recording_segments: int

    @property
    def conflicting_edit(self) -> bool:
        """The user's unsaved edit was typed over a version someone else has since replaced."""
        return self.unsaved is not None and self.unsaved.base_version != self.segment.version


def open_segment(store: Store, user: str, segment_id: str, low_confidence: float) -> LabelContext:
    """The segment, its recording, its draft words (flagged below ``low_confidence``) and the
    user's unsaved edit of it. Reads one segment's rows only, however large the project."""
    segment = store.get_segment(segment_id)
    return LabelContext(
        segment=segment,
        recording=store.get_recording(segment.recording_id),
        draft=draft_view(store.list_drafts(segment_id), segment, low_confidence),
        unsaved=store.get_unsaved_edit(_author(user), segment_id),
        position=store.segment_position(segment_id),
        recording_segments=store.count_recording_segments(segment.recording_id),
    )


def previous_segment(store: Store, segment_id: str) -> Segment | None:
    """The segment before this one in its recording (any status): where "previous" goes."""
    return store.neighbour_segment(segment_id, after=False)


def count_todo(store: Store, project_id: int) -> int:
    """Segments of the project still to do (one grouped count, not a list of recordings)."""
    by_status = store.count_segments_by_status(project_id)
    return sum(by_status.get(status, 0) for status in TODO_STATUSES)


def list_recording_segments(store: Store, recording_id: str, offset: int = 0, limit: int = 50) -> list[Segment]:
    """One page of a recording's segments in time order."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError(f"offset {offset!r} is not allowed; use a whole number from 0")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"page size {limit!r} is not allowed; use 1–{MAX_PAGE}")
    store.get_recording(recording_id)  # an unknown id is a NotFound, not an empty page
    return store.page_recording_segments(recording_id, offset, limit)


def save_and_next(
    store: Store, segment_id: str, expected_version: int, text: str, speaker: str | None,
    tags, comment: str | None, author: str,
) -> tuple[Segment, Segment | None]:
    """Submit the transcript and return the next segment to do (None when all are done)."""
    author = _author(author)
    cleaned = required_text(text, "the transcript", "type what is said, or use skip / mark untranscribable")
    edit = SegmentEdit(text=cleaned, speaker=optional_text(speaker), tags=clean_tags(tags),
                       status=SegmentStatus.SUBMITTED, comment=optional_text(comment))
    try:
        saved = store.save_labeled(segment_id, expected_version, edit, author)
    except StaleVersion:
        # Keep what this author typed on the server: the other save wins the row, not the words.
        keep_unsaved_edit(store, author, segment_id, expected_version, cleaned, edit.speaker, edit.tags)
        raise
    return saved, next_segment(store, _project_of(store, saved), after=saved.id)


def skip(store: Store, segment_id: str, expected_version: int, reason: str, author: str) -> Segment:
    """Set a segment aside (status skipped); the reason goes into the revision comment."""
    return _set_aside(store, segment_id, expected_version, reason, author, SegmentStatus.SKIPPED)


def mark_untranscribable(store: Store, segment_id: str, expected_version: int, reason: str, author: str) -> Segment:
    """Mark a segment as impossible to transcribe (noise, no speech, unintelligible) with a reason."""
    return _set_aside(store, segment_id, expected_version, reason, author, SegmentStatus.UNTRANSCRIBABLE)


def _set_aside(store: Store, segment_id: str, expected_version: int, reason: str, author: str,
               status: SegmentStatus) -> Segment:
    author = _author(author)
    why = required_text(reason, f"the reason to mark it {status.value}",
                        "say why, e.g. 'music only' or 'another language'")
    return store.save_labeled(segment_id, expected_version, SegmentEdit(status=status, comment=why), author)


def nudge(store: Store, segment_id: str, expected_version: int, start_delta: float, end_delta: float,
          author: str) -> Segment:
    """Move a segment's start and end by the given seconds (negative = earlier)."""
    author = _author(author)
    for name, value in (("start change", start_delta), ("end change", end_delta)):
        _check_seconds(name, value)
    segment = store.get_segment(segment_id)
    start = round(segment.start + start_delta, TIME_DECIMALS)
    end = round(segment.end + end_delta, TIME_DECIMALS)
    return store.resize_segment(segment_id, expected_version, start, end, author)


def split(store: Store, segment_id: str, expected_version: int, at_time: float, word_index: int,
          author: str, text: str | None = None) -> tuple[Segment, Segment]:
    """Cut a segment at ``at_time`` (seconds in the recording) and its text before word
    ``word_index``; the first part keeps the id, the second is a new segment. ``text`` is what
    the labeler has in the box (cut instead of the saved text, so their typing goes along)."""
    author = _author(author)
    _check_seconds("split time", at_time)
    return store.split_segment(segment_id, expected_version, round(at_time, TIME_DECIMALS), word_index, author,
                               None if text is None else text.strip())


def merge_with_next(store: Store, segment_id: str, expected_version: int, next_expected_version: int,
                    author: str, next_segment_id: str | None = None, text: str | None = None) -> Segment:
    """Join a segment with the one after it (texts joined); pass ``next_segment_id`` (what the
    editor showed) to refuse the merge if the layout changed since, and ``text`` (what the
    labeler has in the box) to join that instead of the saved text."""
    author = _author(author)
    return store.merge_with_next_segment(segment_id, expected_version, next_expected_version, author,
                                         next_segment_id, None if text is None else text.strip())


def keep_unsaved_edit(store: Store, user: str, segment_id: str, base_version: int, text: str,
                      speaker: str | None, tags) -> UnsavedEdit:
    """Remember what ``user`` is typing in a segment, replacing their previous unsaved edit."""
    edit = UnsavedEdit(_author(user), segment_id, base_version, text or "", optional_text(speaker),
                       clean_tags(tags), utc_now())
    return store.put_unsaved_edit(edit)


def unsaved_edit(store: Store, user: str, segment_id: str) -> UnsavedEdit | None:
    return store.get_unsaved_edit(user, segment_id)


def discard_unsaved_edit(store: Store, user: str, segment_id: str) -> bool:
    """Forget the user's unsaved edit; True if there was one."""
    return store.delete_unsaved_edit(user, segment_id)


def _author(name: str) -> str:
    return required_text(name, "the user name", "sign in with a name so the history can say who changed what")


def _check_seconds(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValidationError(f"{name} {value!r} is not a number of seconds; give a number such as 0.05")


def _project_of(store: Store, segment: Segment) -> int:
    return store.get_recording(segment.recording_id).project_id
