"""Conversions between table rows and domain dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from speechlabel.core.commands import CommandSettings
from speechlabel.core.models import (
    AssignmentSettings,
    AudioProbe,
    ConventionSettings,
    Draft,
    LabelSettings,
    PrelabelState,
    Project,
    Recording,
    ReviewSettings,
    Revision,
    Segment,
    SegmentStatus,
    User,
    Word,
)
from speechlabel.core.qc import QcRules, RecordingQc


def utc_now() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without a zone; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def project_from_row(row: Any) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        language=row.language,
        segment_options=dict(row.segment_options),
        engine_options=dict(row.engine_options),
        glossary=tuple(row.glossary),
        created_at=as_utc(row.created_at),
        label_settings=LabelSettings.from_dict(row.label_settings),
        assignment_settings=AssignmentSettings.from_dict(row.assignment_settings),
        review_settings=ReviewSettings.from_dict(row.review_settings),
        convention_settings=ConventionSettings.from_dict(row.convention_settings),
        qc_rules=QcRules.from_dict(row.qc_rules),
        command_settings=CommandSettings.from_dict(row.command_settings),
    )


def recording_from_row(row: Any) -> Recording:
    probe = AudioProbe(
        format=row.format,
        subtype=row.subtype,
        sampling_rate=row.sampling_rate,
        channels=row.channels,
        num_samples=row.num_samples,
        duration=row.duration,
        peak_dbfs=row.peak_dbfs,
        rms_dbfs=row.rms_dbfs,
        clipped_ratio=row.clipped_ratio,
        snr_db=row.snr_db,
    )
    return Recording(
        id=row.id,
        project_id=row.project_id,
        label=row.label,
        sha256=row.sha256,
        original_path=row.original_path,
        normalized_path=row.normalized_path,
        probe=probe,
        prelabel_state=PrelabelState(row.prelabel_state),
        created_at=as_utc(row.created_at),
        segment_options=row.segment_options,
        qc=RecordingQc.from_dict(row.qc),
    )


def recording_to_row(recording: Recording) -> dict[str, Any]:
    probe = recording.probe
    return {
        "id": recording.id,
        "project_id": recording.project_id,
        "label": recording.label,
        "sha256": recording.sha256,
        "original_path": recording.original_path,
        "normalized_path": recording.normalized_path,
        "format": probe.format,
        "subtype": probe.subtype,
        "sampling_rate": probe.sampling_rate,
        "channels": probe.channels,
        "num_samples": probe.num_samples,
        "duration": probe.duration,
        "peak_dbfs": probe.peak_dbfs,
        "rms_dbfs": probe.rms_dbfs,
        "clipped_ratio": probe.clipped_ratio,
        "snr_db": probe.snr_db,
        "prelabel_state": recording.prelabel_state.value,
        "segment_options": recording.segment_options,
        "created_at": recording.created_at,
        "qc": recording.qc.to_dict() if recording.qc is not None else None,
    }


def segment_from_row(row: Any) -> Segment:
    return Segment(
        id=row.id,
        recording_id=row.recording_id,
        start=row.start,
        duration=row.duration,
        text=row.text,
        status=SegmentStatus(row.status),
        version=row.version,
        channel=row.channel,
        language=row.language,
        speaker=row.speaker,
        tags=tuple(row.tags),
        custom=dict(row.custom),
        updated_by=row.updated_by,
        updated_at=as_utc(row.updated_at),
    )


def draft_to_row(draft: Draft, segment_id: str) -> dict[str, Any]:
    return {
        "segment_id": segment_id,
        "engine": draft.engine,
        "model": draft.model,
        "options": draft.options,
        "text": draft.text,
        "words": [[w.symbol, w.start, w.duration, w.score] for w in draft.words],
        "avg_logprob": draft.avg_logprob,
        "no_speech_prob": draft.no_speech_prob,
        "compression_ratio": draft.compression_ratio,
        "language": draft.language,
        "language_probability": draft.language_probability,
        "created_at": utc_now(),
    }


def draft_from_row(row: Any) -> Draft:
    return Draft(
        text=row.text,
        words=tuple(Word(*values) for values in row.words),
        avg_logprob=row.avg_logprob,
        no_speech_prob=row.no_speech_prob,
        compression_ratio=row.compression_ratio,
        language=row.language,
        language_probability=row.language_probability,
        engine=row.engine,
        model=row.model,
        options=dict(row.options),
        id=row.id,
        segment_id=row.segment_id,
        created_at=as_utc(row.created_at),
    )


def revision_from_row(row: Any) -> Revision:
    return Revision(
        id=row.id,
        segment_id=row.segment_id,
        version=row.version,
        author=row.author,
        created_at=as_utc(row.created_at),
        text=row.text,
        speaker=row.speaker,
        tags=tuple(row.tags),
        start=row.start,
        duration=row.duration,
        status=SegmentStatus(row.status),
        comment=row.comment,
    )


def user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        is_admin=bool(row.is_admin),
        disabled=bool(row.disabled),
        created_at=as_utc(row.created_at),
    )
