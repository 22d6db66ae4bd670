"""Speaker and recording metadata rows (core/metadata.py): read for the page and the exports,
replaced whole by a lead's edit (last writer wins: leads edit them rarely)."""

from __future__ import annotations

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError

from speechlabel.core.metadata import RecordingMetadata, SpeakerMetadata
from speechlabel.store import schema
from speechlabel.store.base import StoreBase

_speakers = schema.speaker_metadata
_recordings = schema.recording_metadata


class MetadataQueries(StoreBase):
    def set_speaker_metadata(self, project_id: int, speaker: str, metadata: SpeakerMetadata) -> None:
        where = (_speakers.c.project_id == project_id, _speakers.c.speaker == speaker)
        self._replace(_speakers, where, {"project_id": project_id, "speaker": speaker}, metadata.values())

    def project_speakers(self, project_id: int) -> list[str]:
        """Every speaker name the project's segments carry or its metadata knows, sorted."""
        segments = schema.segments
        named = select(segments.c.speaker).where(segments.c.project_id == project_id, segments.c.speaker.is_not(None))
        known = select(_speakers.c.speaker).where(_speakers.c.project_id == project_id)
        with self.read() as connection:
            names = set(connection.execute(named.distinct()).scalars()) | set(connection.execute(known).scalars())
        return sorted(name for name in names if name)

    def speaker_metadata(self, project_id: int) -> dict[str, SpeakerMetadata]:
        """Speaker name → metadata, for the speakers of the project that have any."""
        query = select(_speakers).where(_speakers.c.project_id == project_id)
        with self.read() as connection:
            rows = connection.execute(query).all()
        return {
            row.speaker: SpeakerMetadata.from_text(row.gender, row.age_group, row.dialect, row.native_language)
            for row in rows
        }

    def set_recording_metadata(self, recording_id: str, metadata: RecordingMetadata) -> None:
        where = (_recordings.c.recording_id == recording_id,)
        self._replace(_recordings, where, {"recording_id": recording_id}, metadata.values())

    def _replace(self, table: Table, where: tuple, key: dict, values: dict[str, str]) -> None:
        """``_replace`` in a transaction of its own. On PostgreSQL two first edits of the same row
        at once both delete nothing, and the second insert then meets the first's row: once more,
        its delete now sees that row (last writer wins)."""
        try:
            with self.write() as connection:
                _replace(connection, table, where, key, values)
        except IntegrityError:
            with self.write() as connection:
                _replace(connection, table, where, key, values)

    def recording_metadata(self, project_id: int) -> dict[str, RecordingMetadata]:
        """Recording id → metadata, for the project's recordings that have any."""
        recordings = schema.recordings
        query = (
            select(_recordings)
            .join(recordings, recordings.c.id == _recordings.c.recording_id)
            .where(recordings.c.project_id == project_id)
        )
        with self.read() as connection:
            rows = connection.execute(query).all()
        return {
            row.recording_id: RecordingMetadata.from_text(row.environment, row.device, row.mic_distance) for row in rows
        }


def _replace(connection: Connection, table: Table, where: tuple, key: dict, values: dict[str, str]) -> None:
    """Delete the row and insert it again when anything is set: one statement pair that means the
    same on SQLite and PostgreSQL (a lead's edit replaces every field; an empty one removes it)."""
    connection.execute(delete(table).where(*where))
    if values:
        connection.execute(insert(table).values(**key, **values))
