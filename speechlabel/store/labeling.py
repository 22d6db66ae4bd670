"""Queries of the label page: the work queue, paged lists, versioned edits that change a
segment's bounds or split/merge it (each one transaction), and server-side unsaved edits.

Every change goes through ``_versioned_update``: one ``UPDATE ... WHERE version = ?`` decides,
a revision is appended, and in the same transaction the saver's unsaved edit of that segment is
dropped (when the change saved their text) or moved onto the new version (when it only changed
bounds or status, which their typing does not conflict with). A stale editor gets StaleVersion
(naming who saved) and nothing is overwritten.
Changes that depend on neighbouring segments first lock the recording row (PostgreSQL; SQLite's
BEGIN IMMEDIATE already serialises writers) so two labelers cannot move into the same gap.
A split gives each half its part of the segment's drafts and a merge joins them (``draft_cut``),
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, tuple_, update

from speechlabel.core.bounds import in_ms
from speechlabel.core.draft_cut import current_drafts, cut_draft, join_drafts
from speechlabel.core.errors import Conflict, NotFound, StaleVersion, ValidationError
from speechlabel.core.labor import LaborRecord
from speechlabel.core.lifecycle import merged_status
from speechlabel.core.models import Draft, Segment, SegmentEdit
from speechlabel.core.segment_rules import Neighbours, UnsavedEdit, check_bounds, check_split_time, split_words
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.labor import insert_labor
from speechlabel.store.rows import as_utc, draft_from_row, draft_to_row, segment_from_row, utc_now
from speechlabel.store.segments import _edit_values, _load_segment, _revision_row, new_segment_id, versioned_update

_segments = schema.segments
_revisions = schema.revisions
_drafts = schema.drafts
_unsaved = schema.unsaved_edits
_merges = schema.segment_merges
_labor = schema.labor


@dataclass(frozen=True)
class SegmentMerge:
    """One merge: which segment was absorbed, its last state, and which history rows it brought."""

    segment_id: str
    absorbed_id: str
    absorbed_version: int
    absorbed_text: str
    absorbed_start: float
    absorbed_duration: float
    revision_ids: tuple[int, ...]
    draft_ids: tuple[int, ...]
    author: str
    created_at: datetime


# Built once: read on many label loop request (a statement built per call costs more than the query).
# A card reads these for every segment it shows: built once (see store/leases.py).
_SPANS_IN = (
    select(_segments.c.id, _segments.c.start, _segments.c.duration)
    .where(
        _segments.c.recording_id == bindparam("recording_id"),
        _segments.c.start < bindparam("end"),
        _segments.c.start + _segments.c.duration > bindparam("start"),
    )
    .order_by(_segments.c.start, _segments.c.id)
)
_PLACE = select(
    func.count().filter(
        tuple_(_segments.c.start, _segments.c.id)
        < tuple_(bindparam("start", type_=_segments.c.start.type), bindparam("segment_id", type_=_segments.c.id.type))
    ),
    func.count(),
).where(_segments.c.recording_id == bindparam("recording_id"))
# Every save runs it (built once: see store/leases.py).
_SAVED_OVER = delete(_unsaved).where(
    _unsaved.c.user == bindparam("user"),
    _unsaved.c.segment_id == bindparam("segment_id"),
    or_(_unsaved.c.tab.is_(None), _unsaved.c.tab == bindparam("tab"), _unsaved.c.text == bindparam("saved_text")),
)
_UNSAVED_EDIT = select(_unsaved).where(
    _unsaved.c.user == bindparam("user"), _unsaved.c.segment_id == bindparam("segment_id")
)
_ABSORBED = (
    select(_merges).where(_merges.c.absorbed_id == bindparam("absorbed_id")).order_by(_merges.c.id.desc()).limit(1)
)
_in_recording = select(_segments).where(_segments.c.recording_id == bindparam("recording_id"))
_key = tuple_(_segments.c.start, _segments.c.id)
_mine = tuple_(bindparam("start"), bindparam("segment_id"))
_NEXT = _in_recording.where(_key > _mine).order_by(_segments.c.start, _segments.c.id).limit(1)
_PREVIOUS = _in_recording.where(_key < _mine).order_by(_segments.c.start.desc(), _segments.c.id.desc()).limit(1)


class LabelingQueries(StoreBase):
    def page_recording_segments(self, recording_id: str, offset: int, limit: int) -> list[Segment]:
        query = (
            select(_segments)
            .where(_segments.c.recording_id == recording_id)
            .order_by(_segments.c.start, _segments.c.id)
            .offset(offset)
            .limit(limit)
        )
        with self.read() as connection:
            return [segment_from_row(row) for row in connection.execute(query)]

    def segment_spans_in(self, recording_id: str, start: float, end: float) -> list[tuple[str, float, float]]:
        """(id, start, end) of the segments of a recording that overlap ``start..end`` seconds,
        in time order: what a waveform window draws (their columns only, not whole rows)."""
        values = {"recording_id": recording_id, "start": start, "end": end}
        with self.read() as connection:
            rows = connection.execute(_SPANS_IN, values)
            return [(row.id, row.start, row.start + row.duration) for row in rows]  # Segment.end

    def neighbour_segment(self, segment_id: str, after: bool) -> Segment | None:
        """The segment just after (or before) this one in its recording, whatever its status."""
        with self.read() as connection:
            return _neighbour(connection, _load_segment(connection, segment_id), after=after)

    def neighbour_of(self, segment: Segment, after: bool) -> Segment | None:
        """:meth:`neighbour_segment` of a segment already read."""
        with self.read() as connection:
            return _neighbour(connection, segment, after=after)

    def place_in_recording(self, segment: Segment) -> tuple[int, int]:
        """How many segments of its recording come before this one (its row in the list view),
        and how many the recording has: one query."""
        values = {"recording_id": segment.recording_id, "start": segment.start, "segment_id": segment.id}
        with self.read() as connection:
            position, count = connection.execute(_PLACE, values).one()
        return position, count

    def save_labeled(
        self,
        segment_id: str,
        expected_version: int,
        edit: SegmentEdit,
        author: str,
        tab: str | None = None,
        labor: LaborRecord | None = None,
    ) -> Segment:
        """Like ``save_segment``, and the author's unsaved edit of the segment goes with it (see
        ``_drop_unsaved`` for one kept by another of their tabs). ``labor``: the save's telemetry,
        kept beside the revision it makes (its audio seconds: the segment's duration now)."""
        with self.write() as connection:
            row = _versioned_update(
                connection,
                segment_id,
                expected_version,
                _edit_values(edit),
                author,
                edit.comment,
                saves_text=edit.text is not None,
                tab=tab,
            )
            if labor is not None:
                revision = connection.execute(
                    select(func.max(_revisions.c.id)).where(
                        _revisions.c.segment_id == segment_id, _revisions.c.version == row.version
                    )
                ).scalar_one()
                insert_labor(connection, replace(labor, audio_seconds=row.duration), revision, row.updated_at)
        return segment_from_row(row)

    def resize_segment(self, segment_id: str, expected_version: int, start: float, end: float, author: str) -> Segment:
        with self.write() as connection:
            segment = _load_expected(connection, segment_id, expected_version)
            duration = _lock_recording(connection, segment.recording_id)
            check_bounds(start, end, _neighbours(connection, segment, duration))
            values = {"start": start, "duration": in_ms(end - start)}
            comment = f"bounds {segment.start:.3f}–{segment.end:.3f} s → {start:.3f}–{end:.3f} s"
            row = _versioned_update(connection, segment_id, expected_version, values, author, comment, saves_text=False)
        return segment_from_row(row)

    def split_segment(
        self,
        segment_id: str,
        expected_version: int,
        at_time: float,
        word_index: int,
        author: str,
        text: str | None = None,
    ) -> tuple[Segment, Segment]:
        """First part keeps the id (new version), the second is a new segment, each with its part
        of the segment's drafts; one transaction. ``text`` (what the editor holds) is cut
        instead of the saved text when given."""
        with self.write() as connection:
            segment = _load_expected(connection, segment_id, expected_version)
            _lock_recording(connection, segment.recording_id)
            check_split_time(at_time, segment.start, segment.end)
            cut_text = segment.text if text is None else text
            first_text, second_text = split_words(cut_text, word_index)
            second = _second_part_row(connection, segment, at_time, second_text, author)
            connection.execute(insert(_segments).values(**second))
            _split_drafts(connection, segment_id, second["id"], at_time, cut_text.split(), word_index)
            connection.execute(
                insert(_revisions).values(
                    **_revision_row(second, author, second["updated_at"], f"split from {segment_id} at {at_time:.3f} s")
                )
            )
            values = {"duration": in_ms(at_time - segment.start), "text": first_text}
            comment = f"split at {at_time:.3f} s; the second part is {second['id']}"
            row = _versioned_update(connection, segment_id, expected_version, values, author, comment)
            second_segment = _load_segment(connection, second["id"])
        return segment_from_row(row), second_segment

    def merge_with_next_segment(
        self,
        segment_id: str,
        expected_version: int,
        next_expected_version: int,
        author: str,
        next_segment_id: str | None = None,
        text: str | None = None,
    ) -> Segment:
        """Join a segment with the next one of its recording; the next row is removed and its
        revisions and drafts move to the survivor, listed in ``segment_merges``, and the drafts
        of one engine and model on both sides are joined into a new one; one transaction.
        ``text`` (what the editor holds for the first segment) replaces its saved text when given."""
        with self.write() as connection:
            first = _load_expected(connection, segment_id, expected_version)
            _lock_recording(connection, first.recording_id)
            second = _neighbour(connection, first, after=True)
            second = _check_next(first, second, next_segment_id, next_expected_version)
            joined = _joined_drafts(connection, first, second)
            own = (first.text if text is None else text).strip()  # the survivor's part of the joined text
            _carry_unsaved(connection, first, second)
            _absorb(connection, first, second, author, own)
            _insert_drafts(connection, first.id, joined)
            values = _merged_values(replace(first, text=own), second)
            comment = f"merged with {second.id} (version {second.version}), which followed it"
            row = _versioned_update(connection, segment_id, expected_version, values, author, comment)
        return segment_from_row(row)

    def absorbed_into(self, segment_id: str) -> str | None:
        """The segment that holds ``segment_id`` since a merge absorbed it (through later merges
        too: each passes the logs of what it absorbed on to its survivor); None if no merge did."""
        with self.read() as connection:
            row = connection.execute(_ABSORBED, {"absorbed_id": segment_id}).first()
        return None if row is None else row.segment_id

    def keep_for_merged(
        self,
        user: str,
        absorbed_id: str,
        survivor_id: str,
        text: str,
        speaker: str | None,
        tags: tuple[str, ...],
        tab: str | None,
        at: datetime,
    ) -> UnsavedEdit:
        """Text ``user`` typed for ``absorbed_id``, arriving after a merge absorbed it into
        ``survivor_id``: kept as their unsaved edit of the survivor, after their own text of it
        (their unsaved edit, else the survivor's own text before the merge), on a version before
        the merge, so their next open shows it as a conflict with the merge, as when it arrives
        before (``_carry_unsaved``). A later copy of that text replaces the earlier one instead of
        being added again. NotFound when ``absorbed_id`` is no longer held by ``survivor_id``."""
        with self.write() as connection:
            log = connection.execute(_ABSORBED, {"absorbed_id": absorbed_id}).first()
            if log is None or log.segment_id != survivor_id:
                raise NotFound(message_key="error.no_segment", params={"segment": absorbed_id})
            survivor = _load_segment(connection, survivor_id)
            mine = connection.execute(_UNSAVED_EDIT, {"user": user, "segment_id": survivor_id}).first()
            if mine is not None and mine.carried_from == absorbed_id and mine.carried_at is not None:
                own = mine.text[: mine.carried_at].strip()  # the earlier copy of this text goes
            elif mine is not None:
                own = mine.text.strip()
            else:
                own = (survivor.text if log.survivor_text is None else log.survivor_text).strip()
            before = log.survivor_version if log.survivor_version is not None else survivor.version - 1
            base_version = mine.base_version if mine is not None else before
            if base_version == survivor.version:  # typed on the merged text: the new text is still against it
                base_version = before
            edit = UnsavedEdit(
                user,
                survivor_id,
                base_version,
                _joined(own, text),
                mine.speaker if mine is not None else speaker,
                _union(tuple(mine.tags), tags) if mine is not None else tuple(tags),
                at,
                tab,
            )
            _replace_unsaved(connection, edit, carried_from=absorbed_id, carried_at=len(own))
        return edit

    def list_merges(self, segment_id: str) -> list[SegmentMerge]:
        query = select(_merges).where(_merges.c.segment_id == segment_id).order_by(_merges.c.id)
        with self.read() as connection:
            return [_merge_from_row(row) for row in connection.execute(query)]

    def put_unsaved_edit(self, edit: UnsavedEdit) -> UnsavedEdit:
        """Replace the user's unsaved edit of the segment (delete + insert: portable upsert)."""
        with self.write() as connection:
            _load_segment(connection, edit.segment_id)
            _replace_unsaved(connection, edit)
        return edit

    def get_unsaved_edit(self, user: str, segment_id: str) -> UnsavedEdit | None:
        with self.read() as connection:
            row = connection.execute(_UNSAVED_EDIT, {"user": user, "segment_id": segment_id}).first()
        if row is None:
            return None
        return UnsavedEdit(
            row.user,
            row.segment_id,
            row.base_version,
            row.text,
            row.speaker,
            tuple(row.tags),
            as_utc(row.updated_at),
            row.tab,
        )

    def delete_unsaved_edit(self, user: str, segment_id: str) -> bool:
        with self.write() as connection:
            return _drop_unsaved(connection, user, segment_id) > 0


def _replace_unsaved(
    connection: Connection, edit: UnsavedEdit, carried_from: str | None = None, carried_at: int | None = None
) -> None:
    """The user's unsaved edit of the segment becomes ``edit`` (delete + insert: a portable upsert).
    ``carried_from``: the absorbed segment whose text ``edit`` ends with, from ``carried_at``."""
    connection.execute(delete(_unsaved).where(_unsaved.c.user == edit.user, _unsaved.c.segment_id == edit.segment_id))
    connection.execute(
        insert(_unsaved).values(
            user=edit.user,
            segment_id=edit.segment_id,
            base_version=edit.base_version,
            text=edit.text,
            speaker=edit.speaker,
            tags=list(edit.tags),
            updated_at=edit.updated_at,
            tab=edit.tab,
            carried_from=carried_from,
            carried_at=carried_at,
        )
    )


def _joined(*parts: str) -> str:
    """Texts one after the other, a space between (what a merge does to two segments' texts)."""
    return " ".join(part for part in (part.strip() for part in parts) if part)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return (*first, *(tag for tag in second if tag not in first))


def _versioned_update(
    connection: Connection,
    segment_id: str,
    expected_version: int,
    values: dict[str, Any],
    author: str,
    comment: str | None,
    saves_text: bool = True,
    tab: str | None = None,
) -> Any:
    """The store's versioned update. A change that saved the author's text ends their unsaved
    edit (``_saved_over``); one that did not (bounds, status) carries it over to the new version,
    so moving a boundary never throws away what they are typing."""
    row = versioned_update(connection, segment_id, expected_version, values, author, comment)
    if saves_text:
        _saved_over(connection, author, segment_id, tab, row.text)
    else:
        connection.execute(
            update(_unsaved)
            .where(
                _unsaved.c.user == author,
                _unsaved.c.segment_id == segment_id,
                _unsaved.c.base_version == expected_version,
            )
            .values(base_version=row.version)
        )
    return row


def _saved_over(connection: Connection, user: str, segment_id: str, tab: str | None, saved_text: str) -> None:
    """A save from ``tab`` ends the author's unsaved edit of the segment, unless another of their
    tabs kept it with other text: that one stays on the version it was typed on, and the next
    open shows it as a conflict. (Without a tab, as from the command line, it ends whatever kept it.)"""
    if tab is None:
        _drop_unsaved(connection, user, segment_id)
        return
    connection.execute(_SAVED_OVER, {"user": user, "segment_id": segment_id, "tab": tab, "saved_text": saved_text})


def _drop_unsaved(connection: Connection, user: str, segment_id: str) -> int:
    return connection.execute(
        delete(_unsaved).where(_unsaved.c.user == user, _unsaved.c.segment_id == segment_id)
    ).rowcount


def _load_expected(connection: Connection, segment_id: str, expected_version: int) -> Segment:
    """Check the version before the rules, so a stale editor hears "reload", not a range error
    computed from bounds they never saw."""
    segment = _load_segment(connection, segment_id)
    if segment.version != expected_version:
        raise StaleVersion(segment_id, expected_version, segment.version, segment.updated_by)
    return segment


def _lock_recording(connection: Connection, recording_id: str) -> float:
    """Lock the recording row for the transaction (FOR UPDATE is a no-op on SQLite) and return
    its duration: changes to one recording's segment layout then happen one at a time."""
    query = select(schema.recordings.c.duration).where(schema.recordings.c.id == recording_id).with_for_update()
    duration = connection.execute(query).scalar_one_or_none()
    if duration is None:
        raise NotFound(message_key="error.no_recording", params={"recording_id": recording_id})
    return duration


def _neighbour(connection: Connection, segment: Segment, after: bool) -> Segment | None:
    values = {"recording_id": segment.recording_id, "start": segment.start, "segment_id": segment.id}
    row = connection.execute(_NEXT if after else _PREVIOUS, values).first()
    return segment_from_row(row) if row else None


def _neighbours(connection: Connection, segment: Segment, recording_duration: float) -> Neighbours:
    before = _neighbour(connection, segment, after=False)
    following = _neighbour(connection, segment, after=True)
    return Neighbours(
        previous_end=before.end if before else None,
        next_start=following.start if following else None,
        recording_duration=recording_duration,
    )


def _second_part_row(
    connection: Connection, segment: Segment, at_time: float, text: str, author: str
) -> dict[str, Any]:
    project_id = connection.execute(select(_segments.c.project_id).where(_segments.c.id == segment.id)).scalar_one()
    return {
        "id": new_segment_id(segment.recording_id),
        "project_id": project_id,
        "recording_id": segment.recording_id,
        "start": at_time,
        "duration": in_ms(segment.end - at_time),
        "channel": segment.channel,
        "text": text,
        "language": segment.language,
        "speaker": segment.speaker,
        "tags": list(segment.tags),
        "custom": dict(segment.custom),
        "status": segment.status.value,
        "version": 1,
        "updated_by": author,
        "updated_at": utc_now(),
    }


def _split_drafts(
    connection: Connection, first_id: str, second_id: str, at_time: float, text_words: list[str], word_index: int
) -> None:
    """Each half gets its part of the segment's current drafts (``draft_cut``), added in the
    drafts' order so the newest stays the newest; the original rows stay with the first half."""
    cuts = [
        cut_draft(draft, at_time, text_words, word_index)
        for draft in current_drafts(_load_drafts(connection, first_id))
    ]
    _insert_drafts(connection, first_id, [cut.first for cut in cuts])
    _insert_drafts(connection, second_id, [cut.second for cut in cuts if cut.second is not None])


def _joined_drafts(connection: Connection, first: Segment, second: Segment) -> list[Draft]:
    """The merged segment's draft of each engine and model both segments have (``join_drafts``),
    ordered by the newer draft of each pair so the newest draft stays the newest."""
    mine = {(draft.engine, draft.model): draft for draft in current_drafts(_load_drafts(connection, first.id))}
    pairs = [
        (mine[(draft.engine, draft.model)], draft)
        for draft in current_drafts(_load_drafts(connection, second.id))
        if (draft.engine, draft.model) in mine
    ]
    # Drafts read back from the store always have their id (``Draft.id`` is None only before the insert).
    pairs.sort(key=lambda pair: max(cast(int, pair[0].id), cast(int, pair[1].id)))
    return [join_drafts(before, after, (first.duration, second.duration)) for before, after in pairs]


def _load_drafts(connection: Connection, segment_id: str) -> list[Draft]:
    query = select(_drafts).where(_drafts.c.segment_id == segment_id).order_by(_drafts.c.id)
    return [draft_from_row(row) for row in connection.execute(query)]


def _insert_drafts(connection: Connection, segment_id: str, drafts: list[Draft]) -> None:
    # One statement per draft (a segment has a few): their ids must follow this order, as
    # "newest" is the highest id, and a multi-row insert does not promise that.
    for draft in drafts:
        connection.execute(insert(_drafts).values(**draft_to_row(draft, segment_id)))


def _check_next(first: Segment, second: Segment | None, expected_id: str | None, expected_version: int) -> Segment:
    """``second``, once it is there and the one the caller expects."""
    if second is None:
        raise ValidationError(message_key="error.merge_last", params={"segment": first.id})
    if expected_id is not None and second.id != expected_id:
        raise Conflict(
            message_key="error.merge_next_changed",
            params={"segment": first.id, "next": second.id, "expected": expected_id},
        )
    if second.version != expected_version:
        raise StaleVersion(second.id, expected_version, second.version, second.updated_by)
    return second


def _carry_unsaved(connection: Connection, first: Segment, second: Segment) -> None:
    """Someone typing in the absorbed segment when it is merged keeps their text: it moves to the
    merged segment, after their text of the first (their unsaved edit of it, else its saved
    text), on the first's version before the merge, so their next open shows it as a conflict
    with the merge instead of the row's cascade deleting it."""
    for typed in connection.execute(select(_unsaved).where(_unsaved.c.segment_id == second.id)).all():
        base = connection.execute(_UNSAVED_EDIT, {"user": typed.user, "segment_id": first.id}).first()
        own = (base.text if base else first.text).strip()
        edit = UnsavedEdit(
            typed.user,
            first.id,
            first.version,
            _joined(own, typed.text),
            base.speaker if base else typed.speaker,
            _union(tuple(base.tags), tuple(typed.tags)) if base else tuple(typed.tags),
            max(as_utc(typed.updated_at), as_utc(base.updated_at)) if base else as_utc(typed.updated_at),
            typed.tab,
        )
        _replace_unsaved(connection, edit, carried_from=second.id, carried_at=len(own))


def _absorb(connection: Connection, first: Segment, second: Segment, author: str, own: str) -> None:
    """Move the absorbed segment's revisions and drafts to the survivor, log which ones, and
    delete its row: a removed segment keeps exports and counts right, and its history stays
    readable under the survivor (``list_revisions``) with ``segment_merges`` saying whose it was.
    The logs of segments the absorbed one had absorbed pass to the survivor too (their text is in
    it now), so text arriving late for any of them finds where it went. ``own``: the survivor's
    part of the joined text."""
    for older in connection.execute(select(_merges).where(_merges.c.segment_id == second.id)).all():
        connection.execute(
            update(_merges)
            .where(_merges.c.id == older.id)
            .values(
                segment_id=first.id,
                survivor_version=first.version,
                survivor_text=None if older.survivor_text is None else _joined(own, older.survivor_text),
            )
        )
    revision_ids = list(
        connection.execute(
            select(_revisions.c.id).where(_revisions.c.segment_id == second.id).order_by(_revisions.c.id)
        ).scalars()
    )
    draft_ids = list(
        connection.execute(
            select(_drafts.c.id).where(_drafts.c.segment_id == second.id).order_by(_drafts.c.id)
        ).scalars()
    )
    connection.execute(update(_revisions).where(_revisions.c.segment_id == second.id).values(segment_id=first.id))
    connection.execute(update(_drafts).where(_drafts.c.segment_id == second.id).values(segment_id=first.id))
    # The labor spent on the absorbed segment stays in the project's figures, on the survivor.
    connection.execute(update(_labor).where(_labor.c.segment_id == second.id).values(segment_id=first.id))
    connection.execute(
        insert(_merges).values(
            segment_id=first.id,
            absorbed_id=second.id,
            absorbed_version=second.version,
            absorbed={
                "text": second.text,
                "start": second.start,
                "duration": second.duration,
                "speaker": second.speaker,
                "tags": list(second.tags),
                "status": second.status.value,
            },
            revision_ids=revision_ids,
            draft_ids=draft_ids,
            author=author,
            created_at=utc_now(),
            survivor_version=first.version,
            survivor_text=own,
        )
    )
    connection.execute(delete(_segments).where(_segments.c.id == second.id))


def _merged_values(first: Segment, second: Segment) -> dict[str, Any]:
    tags = list(first.tags) + [tag for tag in second.tags if tag not in first.tags]
    status = merged_status(first.status, second.status)
    return {
        "text": " ".join(part for part in (first.text.strip(), second.text.strip()) if part),
        "duration": in_ms(second.end - first.start),
        "tags": tags,
        "speaker": first.speaker or second.speaker,
        "status": status.value,
    }


def _merge_from_row(row: Any) -> SegmentMerge:
    absorbed = row.absorbed
    return SegmentMerge(
        segment_id=row.segment_id,
        absorbed_id=row.absorbed_id,
        absorbed_version=row.absorbed_version,
        absorbed_text=absorbed["text"],
        absorbed_start=absorbed["start"],
        absorbed_duration=absorbed["duration"],
        revision_ids=tuple(row.revision_ids),
        draft_ids=tuple(row.draft_ids),
        author=row.author,
        created_at=as_utc(row.created_at),
    )
