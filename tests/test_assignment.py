"""Leases on a real SQLite file and the real PostgreSQL: batches, expiry, assignment, quotas,
and many labelers claiming at once never sharing a segment."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from speechlabel import assignment
from speechlabel.assignment import AssignmentSettings
from speechlabel.errors import NotFound, ValidationError
from speechlabel.ingest import import_audio
from speechlabel.models import SegmentEdit, SegmentStatus
from speechlabel.store.rows import utc_now

BATCH = AssignmentSettings(batch_size=3, lease_minutes=30)


@pytest.fixture
def pool(store, settings, project, speech_dir):
    """jfk.wav cut into 12 drafted segments of ~0.9 s."""
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    bounds = [(round(i * 0.9, 3), round(i * 0.9 + 0.8, 3)) for i in range(12)]
    segments = store.replace_segments(recording.id, project.id, bounds, {}, "prelabel")
    for segment in segments:
        store.save_segment(segment.id, segment.version, SegmentEdit(status=SegmentStatus.DRAFTED), "prelabel")
    return recording, [store.get_segment(s.id) for s in segments]


def test_a_labeler_gets_a_batch_and_works_through_it_before_taking_more(store, project, pool):
    _, segments = pool
    first = assignment.next_for_labeler(store, project.id, "ana", BATCH)
    assert first.id == segments[0].id
    assert [assignment.holder(store, s.id).username for s in segments[:3]] == ["ana"] * 3
    assert assignment.holder(store, segments[3].id) is None
    # Her own batch comes first, in order, wrapping around.
    assert assignment.next_for_labeler(store, project.id, "ana", BATCH, after=segments[0].id).id == segments[1].id
    assert assignment.next_for_labeler(store, project.id, "ana", BATCH, after=segments[2].id).id == segments[0].id
    # Ben gets the next batch, never one of hers.
    assert assignment.next_for_labeler(store, project.id, "ben", BATCH).id == segments[3].id
    # Once her batch is submitted she takes a new one.
    for segment in segments[:3]:
        store.save_segment(segment.id, segment.version, SegmentEdit(text="x", status=SegmentStatus.SUBMITTED), "ana")
    assert assignment.next_for_labeler(store, project.id, "ana", BATCH).id == segments[6].id


def test_expired_leases_return_to_the_pool_and_saving_keeps_them(store, project, pool):
    _, segments = pool
    start = utc_now()
    assignment.next_for_labeler(store, project.id, "ana", BATCH, now=start)
    later = start + timedelta(minutes=20)
    assignment.keep_working(store, project.id, "ana", BATCH, now=later)
    # 35 min after the claim but 15 after her last save: still hers.
    assert assignment.holder(store, segments[0].id, now=start + timedelta(minutes=35)).username == "ana"
    gone = start + timedelta(minutes=51)
    assert assignment.holder(store, segments[0].id, now=gone) is None
    assert assignment.next_for_labeler(store, project.id, "ben", BATCH, now=gone).id == segments[0].id
    assert assignment.holder(store, segments[0].id, now=gone).username == "ben"


def test_a_lead_assigns_a_count_or_a_recording_and_reassigns(store, settings, project, pool, speech_dir):
    recording, segments = pool
    given = assignment.assign_segments(store, project.id, "ana", BATCH, 5, assigned_by="lead")
    assert [s.id for s in given] == [s.id for s in segments[:5]]
    assert assignment.holder(store, segments[4].id).assigned_by == "lead"
    rest = assignment.assign_recording(store, project.id, "ben", BATCH, recording.id, assigned_by="lead")
    assert [s.id for s in rest] == [s.id for s in segments[5:]]  # only what was free
    assert assignment.next_for_labeler(store, project.id, "eva", BATCH) is None  # nothing left in the pool
    moved = assignment.reassign(store, [segments[0].id, segments[1].id], "eva", BATCH, assigned_by="lead")
    assert moved == 2 and assignment.holder(store, segments[0].id).username == "eva"
    assert assignment.next_for_labeler(store, project.id, "eva", BATCH).id == segments[0].id
    with pytest.raises(NotFound, match="no segment with id 'nope'"):
        assignment.reassign(store, ["nope"], "eva", BATCH, assigned_by="lead")
    with pytest.raises(ValidationError, match="cannot be assigned"):
        assignment.assign_segments(store, project.id, "ana", BATCH, 0, assigned_by="lead")


def test_a_daily_quota_stops_new_batches(store, project, pool):
    _, segments = pool
    capped = AssignmentSettings(batch_size=2, daily_quota=2)
    assignment.next_for_labeler(store, project.id, "ana", capped)
    for segment in segments[:2]:
        store.save_segment(segment.id, segment.version, SegmentEdit(text="x", status=SegmentStatus.SUBMITTED), "ana")
    assert assignment.next_for_labeler(store, project.id, "ana", capped) is None
    assert assignment.next_for_labeler(store, project.id, "ben", capped).id == segments[2].id


@pytest.mark.parametrize("settings, message", [
    (AssignmentSettings(batch_size=0), "batch size 0"),
    (AssignmentSettings(lease_minutes=0.5), "lease time 0.5 min"),
    (AssignmentSettings(daily_quota=0), "daily quota 0"),
])
def test_bad_assignment_settings_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        settings.validate()


def test_twenty_labelers_claiming_at_once_never_share_a_segment(store, project, pool):
    _, segments = pool
    one_each = AssignmentSettings(batch_size=1)
    barrier = threading.Barrier(20)
    got: dict[str, str | None] = {}

    def claim(name: str) -> None:
        barrier.wait()
        segment = assignment.next_for_labeler(store, project.id, name, one_each)
        got[name] = segment.id if segment else None

    threads = [threading.Thread(target=claim, args=(f"user{i}",)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [segment_id for segment_id in got.values() if segment_id]
    assert len(claimed) == len(segments) == len(set(claimed))  # 12 segments, 12 winners, no sharing
    assert sum(segment_id is None for segment_id in got.values()) == 8


def test_assignment_settings_are_kept_per_project_and_old_projects_read_defaults(store, project):
    from speechlabel.projects import update_assignment_settings

    assert store.get_project(project.name).assignment_settings == AssignmentSettings()
    changed = update_assignment_settings(store, project.name, AssignmentSettings(batch_size=5, lease_minutes=10,
                                                                                 daily_quota=300))
    assert store.get_project(project.name).assignment_settings == changed.assignment_settings == AssignmentSettings(
        5, 10, 300)
    with pytest.raises(ValidationError, match="batch size 9999"):
        update_assignment_settings(store, project.name, AssignmentSettings(batch_size=9999))
