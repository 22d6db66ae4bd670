"""Segment rows, drafts and the append-only revision history, with versioned saves."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from speechlabel.core.bounds import in_ms
from speechlabel.core.errors import Conflict, NotFound, StaleVersion
from speechlabel.core.lifecycle import INITIAL, Action, allowed_from, landing, status_values
from speechlabel.core.models import Draft, PrelabelState, Revision, Segment, SegmentEdit, SegmentStatus
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import draft_from_row, draft_to_row, revision_from_row, segment_from_row, utc_now
from speechlabel.store.work import hold, hold_for_segment

_segments = schema.segments
_drafts = schema.drafts
_revisions = schema.revisions


def new_segment_id(recording_id: str) -> str:
    return f"{recording_id}-{uuid.uuid4().hex[:10]}"


# Built once: read on every label loop request (a statement built per call costs more than the query).
_DRAFTS_OF = select(_drafts).where(_drafts.c.segment_id == bindparam("segment_id")).order_by(_drafts.c.id)


class SegmentQueries(StoreBase):
    def replace_segments(
        self,
        recording_id: str,
        project_id: int,
        bounds: Sequence[tuple[float, float]],
        segment_options: dict[str, Any],
        author: str,
        work_owner: str | None = None,
    ) -> list[Segment]:
        """Store a recording's segmentation and mark it segmented, all in one transaction.

        Only allowed while no segment has been touched: re-segmenting must never drop work. With
        ``work_owner``, only while that pre-labeling runner holds the recording (WorkLost).
        """
        now = utc_now()
        rows = [_new_segment_row(recording_id, project_id, start, end, now) for start, end in bounds]
        with self.write() as connection:
            if work_owner is not None:
                hold(connection, recording_id, work_owner)
            touched = connection.execute(
                select(func.count())
                .select_from(_segments)
                .where(_segments.c.recording_id == recording_id, _segments.c.status != INITIAL.value)
            ).scalar_one()
            if touched:
                raise Conflict(
                    message_key="error.resegment_touched", params={"recording_id": recording_id, "touched": touched}
                )
            connection.execute(delete(_segments).where(_segments.c.recording_id == recording_id))
            if rows:
                connection.execute(insert(_segments), rows)
                connection.execute(insert(_revisions), [_revision_row(row, author, now, "segmented") for row in rows])
            connection.execute(
                update(schema.recordings)
                .where(schema.recordings.c.id == recording_id)
                .values(prelabel_state=PrelabelState.SEGMENTED.value, segment_options=segment_options)
            )
        return self.list_segments(recording_id)

    def list_segments(self, recording_id: str, statuses: Iterable[SegmentStatus] | None = None) -> list[Segment]:
        query = select(_segments).where(_segments.c.recording_id == recording_id)
        if statuses is not None:
            query = query.where(_segments.c.status.in_([s.value for s in statuses]))
        with self.read() as connection:
            rows = connection.execute(query.order_by(_segments.c.start)).all()
        return [segment_from_row(row) for row in rows]

    def get_segment_project(self, segment_id: str) -> int:
        """The project a segment belongs to (what permission checks need), in one small query."""
        with self.read() as connection:
            project_id = connection.execute(
                select(_segments.c.project_id).where(_segments.c.id == segment_id)
            ).scalar_one_or_none()
        if project_id is None:
            raise NotFound(message_key="error.no_segment", params={"segment": segment_id})
        return project_id

    def get_segment(self, segment_id: str) -> Segment:
        with self.read() as connection:
            return _load_segment(connection, segment_id)

    def count_segments_by_status(self, project_id: int) -> dict[SegmentStatus, int]:
        query = (
            select(_segments.c.status, func.count())
            .where(_segments.c.project_id == project_id)
            .group_by(_segments.c.status)
        )
        with self.read() as connection:
            return {SegmentStatus(status): count for status, count in connection.execute(query)}

    def count_segments_by_recording(self, project_id: int) -> dict[str, dict[SegmentStatus, int]]:
        query = (
            select(_segments.c.recording_id, _segments.c.status, func.count())
            .where(_segments.c.project_id == project_id)
            .group_by(_segments.c.recording_id, _segments.c.status)
        )
        counts: dict[str, dict[SegmentStatus, int]] = {}
        with self.read() as connection:
            for recording_id, status, count in connection.execute(query):
                counts.setdefault(recording_id, {})[SegmentStatus(status)] = count
        return counts

    def add_draft(
        self, segment_id: str, draft: Draft, author: str, work_owner: str | None = None, text: str | None = None
    ) -> Segment:
        """Keep the draft and, if nobody has saved the segment since segmentation (status new at
        version 1), make ``text`` (default: the draft's own) the current one; a person's text is
        never overwritten. ``text`` is the draft in the project's convention (``core.project_scheme``),
        the draft row keeps Whisper's. With ``work_owner``, only while that pre-labeling runner holds
        the segment's recording (WorkLost)."""
        now = utc_now()
        with self.write() as connection:
            if work_owner is not None:
                hold_for_segment(connection, segment_id, work_owner)
            connection.execute(insert(_drafts).values(**draft_to_row(draft, segment_id)))
            row = connection.execute(
                update(_segments)
                .where(
                    _segments.c.id == segment_id,
                    _segments.c.status.in_(status_values(allowed_from(Action.DRAFT))),
                    _segments.c.version == 1,
                )
                .values(
                    text=draft.text if text is None else text,
                    language=draft.language,
                    status=landing(Action.DRAFT).value,
                    version=_segments.c.version + 1,
                    updated_by=author,
                    updated_at=now,
                )
                .returning(*_segments.c)
            ).first()
            if row is None:
                return _load_segment(connection, segment_id)
            connection.execute(insert(_revisions).values(**_revision_row(row._mapping, author, now, "draft")))
        return segment_from_row(row)

    def latest_draft(self, segment_id: str) -> Draft | None:
        query = select(_drafts).where(_drafts.c.segment_id == segment_id).order_by(_drafts.c.id.desc()).limit(1)
        with self.read() as connection:
            row = connection.execute(query).first()
        return draft_from_row(row) if row else None

    def list_drafts(self, segment_id: str) -> list[Draft]:
        """All drafts of a segment, oldest first (a merged segment has its partner's too)."""
        with self.read() as connection:
            return [draft_from_row(row) for row in connection.execute(_DRAFTS_OF, {"segment_id": segment_id})]

    def save_segment(self, segment_id: str, expected_version: int, edit: SegmentEdit, author: str) -> Segment:
        """Apply ``edit`` only if the segment is still at ``expected_version``; append a revision.

        A single ``UPDATE ... WHERE version = ?`` decides: one row changed means saved, none means
        someone else saved first, reported with their name so nothing is silently overwritten.
        """
        with self.write() as connection:
            row = versioned_update(connection, segment_id, expected_version, _edit_values(edit), author, edit.comment)
        return segment_from_row(row)

    def list_revisions(self, segment_id: str) -> list[Revision]:
        query = select(_revisions).where(_revisions.c.segment_id == segment_id).order_by(_revisions.c.id)
        with self.read() as connection:
            return [revision_from_row(row) for row in connection.execute(query)]


def versioned_update(
    connection: Connection,
    segment_id: str,
    expected_version: int,
    values: dict[str, Any],
    author: str,
    comment: str | None,
) -> Any:
    """The one place a segment changes: ``UPDATE ... WHERE version = ?`` plus a revision, inside
    the caller's transaction. Returns the new row; raises StaleVersion naming the last saver."""
    now = utc_now()
    values = values | {"version": _segments.c.version + 1, "updated_by": author, "updated_at": now}
    row = connection.execute(
        update(_segments)
        .where(_segments.c.id == segment_id, _segments.c.version == expected_version)
        .values(**values)
        .returning(*_segments.c)
    ).first()
    if row is None:
        current = _load_segment(connection, segment_id)
        raise StaleVersion(segment_id, expected_version, current.version, current.updated_by)
    connection.execute(insert(_revisions).values(**_revision_row(row._mapping, author, now, comment)))
    return row


def _load_segment(connection: Connection, segment_id: str) -> Segment:
    row = connection.execute(select(_segments).where(_segments.c.id == segment_id)).first()
    if row is None:
        raise NotFound(message_key="error.no_segment", params={"segment": segment_id})
    return segment_from_row(row)


def _new_segment_row(recording_id: str, project_id: int, start: float, end: float, now) -> dict[str, Any]:
    return {
        "id": new_segment_id(recording_id),
        "project_id": project_id,
        "recording_id": recording_id,
        "start": in_ms(start),
        "duration": in_ms(end - start),
        "channel": 0,
        "text": "",
        "language": None,
        "speaker": None,
        "tags": [],
        "custom": {},
        "status": INITIAL.value,
        "version": 1,
        "updated_by": None,
        "updated_at": now,
    }


def _edit_values(edit: SegmentEdit) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("text", "speaker", "start", "duration"):
        if getattr(edit, name) is not None:
            values[name] = getattr(edit, name)
    if edit.tags is not None:
        values["tags"] = list(edit.tags)
    if edit.status is not None:
        values["status"] = edit.status.value
    return values


def _revision_row(segment: Any, author: str, now, comment: str | None) -> dict[str, Any]:
    return {
        "segment_id": segment["id"],
        "version": segment["version"],
        "author": author,
        "created_at": now,
        "text": segment["text"],
        "speaker": segment["speaker"],
        "tags": list(segment["tags"]),
        "start": segment["start"],
        "duration": segment["duration"],
        "status": segment["status"],
        "comment": comment,
    }
