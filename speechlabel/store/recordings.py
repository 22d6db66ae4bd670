"""Recording rows."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from speechlabel.core.errors import DuplicateRecording, NotFound
from speechlabel.core.models import PrelabelState, Recording
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import recording_from_row, recording_to_row
from speechlabel.store.work import hold

_recordings = schema.recordings

# Built once: read on every label loop request (a statement built per call costs more than the query).
_RECORDING_BY_ID = select(_recordings).where(_recordings.c.id == bindparam("recording_id"))


class RecordingQueries(StoreBase):
    def insert_recording(self, recording: Recording) -> Recording:
        try:
            with self.write() as connection:
                connection.execute(insert(_recordings).values(**recording_to_row(recording)))
        except IntegrityError:
            existing = self.find_recording_by_hash(recording.project_id, recording.sha256)
            if existing is None:
                raise
            raise DuplicateRecording(recording.label, existing.id, existing.label) from None
        return recording

    def find_recording_by_hash(self, project_id: int, sha256: str) -> Recording | None:
        query = select(_recordings).where(_recordings.c.project_id == project_id, _recordings.c.sha256 == sha256)
        with self.read() as connection:
            row = connection.execute(query).first()
        return recording_from_row(row) if row else None

    def count_recordings_with_hash(self, sha256: str) -> int:
        with self.read() as connection:
            return connection.execute(
                select(func.count()).select_from(_recordings).where(_recordings.c.sha256 == sha256)
            ).scalar_one()

    def get_recording(self, recording_id: str) -> Recording:
        with self.read() as connection:
            row = connection.execute(_RECORDING_BY_ID, {"recording_id": recording_id}).first()
        if row is None:
            raise NotFound(message_key="error.no_recording", params={"recording_id": recording_id})
        return recording_from_row(row)

    def list_recordings(self, project_id: int, pending_only: bool = False) -> list[Recording]:
        query = select(_recordings).where(_recordings.c.project_id == project_id)
        if pending_only:
            query = query.where(_recordings.c.prelabel_state != PrelabelState.DRAFTED.value)
        query = query.order_by(_recordings.c.created_at, _recordings.c.id)
        with self.read() as connection:
            return [recording_from_row(row) for row in connection.execute(query)]

    def set_prelabel_state(self, recording_id: str, state: PrelabelState, work_owner: str | None = None) -> None:
        """With ``work_owner``, only while that pre-labeling runner holds the recording (WorkLost)."""
        with self.write() as connection:
            if work_owner is not None:
                hold(connection, recording_id, work_owner)
            connection.execute(
                update(_recordings).where(_recordings.c.id == recording_id).values(prelabel_state=state.value)
            )
