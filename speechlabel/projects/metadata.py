"""A lead edits who the project's speakers are and how its recordings were made.

The rule of who may is ``require_role`` (a lead of the project, or an admin), as for every
project setting; the values' rules are ``core/metadata.py``'s. An edit replaces the whole record:
the page shows every field, and the command line fills what it is not given from what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.core.metadata import RecordingMetadata, SpeakerMetadata
from speechlabel.core.models import Actor, Project, Recording
from speechlabel.projects.manage import validate_name
from speechlabel.store import Store


@dataclass(frozen=True)
class ProjectMetadata:
    """What the exports write beside each segment: its speaker's and its recording's metadata."""

    speakers: dict[str, SpeakerMetadata]
    recordings: dict[str, RecordingMetadata]

    def speaker(self, name: str | None) -> SpeakerMetadata:
        return self.speakers.get(name or "", SpeakerMetadata()) if name else SpeakerMetadata()

    def recording(self, recording_id: str) -> RecordingMetadata:
        return self.recordings.get(recording_id, RecordingMetadata())

    def columns(self, speaker: str | None, recording_id: str) -> dict[str, str]:
        """Every metadata field set for the segment of ``speaker`` in ``recording_id``."""
        return {**self.speaker(speaker).values(), **self.recording(recording_id).values()}


def project_metadata(store: Store, project_id: int) -> ProjectMetadata:
    return ProjectMetadata(store.speaker_metadata(project_id), store.recording_metadata(project_id))


def set_speaker_metadata(
    store: Store, project: Project, speaker: str, metadata: SpeakerMetadata, *, actor: Actor
) -> SpeakerMetadata:
    """Replace what is known of ``speaker`` (a name as segments carry it) in ``project``; every
    field empty forgets the speaker's metadata."""
    require_role(actor, project, action="editing speaker metadata")
    name = validate_name(speaker, "speaker")
    store.set_speaker_metadata(project.id, name, metadata)
    return metadata


def set_recording_metadata(
    store: Store, project: Project, recording: str, metadata: RecordingMetadata, *, actor: Actor
) -> RecordingMetadata:
    """Replace how the recording of ``project`` whose id or label is ``recording`` was made."""
    require_role(actor, project, action="editing recording metadata")
    store.set_recording_metadata(project_recording(store, project, recording).id, metadata)
    return metadata


def project_recording(store: Store, project: Project, key: str) -> Recording:
    """The project's recording whose id or label (its file name) is ``key``; refused as missing
    when it belongs to another project, and when two recordings share the label."""
    recordings = store.list_recordings(project.id)
    by_id = [recording for recording in recordings if recording.id == key]
    matches = by_id or [recording for recording in recordings if recording.label == key]
    if not matches:
        raise NotFound(message_key="error.no_recording", params={"recording_id": key})
    if len(matches) > 1:
        raise ValidationError(
            message_key="error.recording_label_ambiguous",
            params={"label": key, "ids": ", ".join(recording.id for recording in matches)},
        )
    return matches[0]
