"""Leases on a real SQLite file and the real PostgreSQL: batches, expiry, assignment, quotas,
and many labelers claiming at once never sharing a segment."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from speechlabel.accounts import users as accounts
from speechlabel.core.errors import Forbidden, NotFound, ValidationError
from speechlabel.core.models import Actor, AssignmentSettings, Role, SegmentEdit, SegmentStatus
from speechlabel.labeling import assignment
from speechlabel.store.rows import utc_now
from tests.sample_projects import member

BATCH = AssignmentSettings(batch_size=3, lease_minutes=30)


def with_settings(store, project, settings: AssignmentSettings):
    return store.update_assignment_settings(project.id, settings)


def test_a_labeler_gets_a_batch_and_works_through_it_before_taking_more(store, project, pool, team):
    _, segments = pool
    project = with_settings(store, project, BATCH)
    ana, ben = team["ana"], team["ben"]
    first = assignment.next_for(store, ana, project)
    assert first.id == segments[0].id
    assert [assignment.holder(store, s.id).username for s in segments[:3]] == ["ana"] * 3
    assert assignment.holder(store, segments[3].id) is None
    # Her own batch comes first, in order, wrapping around.
    assert assignment.next_for(store, ana, project, after=segments[0].id).id == segments[1].id
    assert assignment.next_for(store, ana, project, after=segments[2].id).id == segments[0].id
    # Ben gets the next batch, never one of hers.
    assert assignment.next_for(store, ben, project).id == segments[3].id
    # Once her batch is submitted she takes a new one.
    for segment in segments[:3]:
        store.save_segment(segment.id, segment.version, SegmentEdit(text="x", status=SegmentStatus.SUBMITTED), "ana")
    assert assignment.next_for(store, ana, project).id == segments[6].id


def test_expired_leases_return_to_the_pool_and_saving_keeps_them(store, project, pool, team):
    _, segments = pool
    project = with_settings(store, project, BATCH)
    start = utc_now()
    assignment.next_for(store, team["ana"], project, now=start)
    later = start + timedelta(minutes=20)
    assignment.keep_working(store, team["ana"], project, now=later)
    # 35 min after the claim but 15 after her last save: still hers.
    assert assignment.holder(store, segments[0].id, now=start + timedelta(minutes=35)).username == "ana"
    gone = start + timedelta(minutes=51)
    assert assignment.holder(store, segments[0].id, now=gone) is None
    assert assignment.next_for(store, team["ben"], project, now=gone).id == segments[0].id
    assert assignment.holder(store, segments[0].id, now=gone).username == "ben"


def test_a_save_pushes_the_batch_out_only_once_a_tenth_of_the_term_has_run(store, project, pool, team):
    """Saves in quick succession write no lease (the batch was pushed out moments ago); a save
    after 3 of the 30 minutes pushes all of the batch out again, as the save's own lease shows."""
    _, segments = pool
    project = with_settings(store, project, BATCH)
    ana, start = team["ana"], utc_now()
    assignment.next_for(store, ana, project, now=start)

    def held_until(now):
        return store.segment_access(segments[0].id, now).held_until("ana")

    claimed_until = held_until(start)
    assert claimed_until == start + timedelta(minutes=30)
    soon = start + timedelta(minutes=2, seconds=59)
    assignment.keep_working(store, ana, project, now=soon, held_until=held_until(soon))
    assert held_until(soon) == claimed_until  # nothing written
    later = start + timedelta(minutes=3, seconds=1)
    assignment.keep_working(store, ana, project, now=later, held_until=held_until(later))
    assert [held_until(later)] * 3 == [
        store.segment_access(segment.id, later).held_until("ana") for segment in segments[:3]
    ]
    assert held_until(later) == later + timedelta(minutes=30)
    assert store.segment_access(segments[0].id, later).held_until("ben") is None


def test_what_comes_after_a_held_segment_is_the_next_of_the_held_list(store, project, pool, team):
    """held_work_after (one row per query) answers as the whole held list does: the next one, None
    after the last, the first for a segment not held; submitted ones are no longer held."""
    _, segments = pool
    project = with_settings(store, project, BATCH)
    ana, now = team["ana"], utc_now()
    assignment.next_for(store, ana, project, now=now)
    store.save_segment(
        segments[1].id, segments[1].version, SegmentEdit(text="x", status=SegmentStatus.SUBMITTED), "ana"
    )
    held = store.held_work_ids(project.id, "ana", assignment.LEASABLE, now)
    assert held == [segments[0].id, segments[2].id]
    for segment in segments[:4]:
        current = store.get_segment(segment.id)
        expected = (held[held.index(segment.id) + 1 :] or [None])[0] if segment.id in held else held[0]
        assert store.held_work_after(project.id, "ana", assignment.LEASABLE, now, current) == expected
        assert assignment.peek_next(store, ana, project, after=current, now=now) == expected
    assert assignment.peek_next(store, ana, project, now=now) == held[0]
    assert store.held_work_after(project.id, "ben", assignment.LEASABLE, now, segments[0]) is None


def test_a_lead_assigns_a_count_or_a_recording_and_reassigns(store, settings, project, pool, team):
    recording, segments = pool
    lead = team["lead"]
    given = assignment.assign_segments(store, lead, project, "ana", 5)
    assert [s.id for s in given] == [s.id for s in segments[:5]]
    assert assignment.holder(store, segments[4].id).assigned_by == "lead"
    rest = assignment.assign_recording(store, lead, project, "ben", recording.id)
    assert [s.id for s in rest] == [s.id for s in segments[5:]]  # only what was free
    assert assignment.next_for(store, team["eva"], project) is None  # nothing left in the pool
    moved = assignment.reassign(store, lead, project, [segments[0].id, segments[1].id], "eva")
    assert moved == 2 and assignment.holder(store, segments[0].id).username == "eva"
    assert assignment.next_for(store, team["eva"], project).id == segments[0].id
    with pytest.raises(NotFound, match="no segment with id 'nope'"):
        assignment.reassign(store, lead, project, ["nope"], "eva")
    with pytest.raises(ValidationError, match="cannot be assigned"):
        assignment.assign_segments(store, lead, project, "ana", 0)
    with pytest.raises(ValidationError, match="'nobody' has no role in 'demo'"):
        assignment.assign_segments(store, lead, project, "nobody", 1)
    with pytest.raises(Forbidden, match="ana is a labeler in 'demo'; assigning work needs the lead role"):
        assignment.assign_segments(store, team["ana"], project, "ben", 1)
    actions = [entry.action for entry in accounts.list_audit(store, lead, project_id=project.id)]
    assert {"work_assigned", "work_reassigned"} <= set(actions)


def test_a_daily_quota_stops_new_batches(store, project, pool, team):
    _, segments = pool
    project = with_settings(store, project, AssignmentSettings(batch_size=2, daily_quota=2))
    assignment.next_for(store, team["ana"], project)
    for segment in segments[:2]:
        store.save_segment(segment.id, segment.version, SegmentEdit(text="x", status=SegmentStatus.SUBMITTED), "ana")
    assert assignment.next_for(store, team["ana"], project) is None
    assert assignment.next_for(store, team["ben"], project).id == segments[2].id


@pytest.mark.parametrize(
    "settings, message",
    [
        (AssignmentSettings(batch_size=0), "batch size 0"),
        (AssignmentSettings(lease_minutes=0.5), "lease time 0.5 min"),
        (AssignmentSettings(daily_quota=0), "daily quota 0"),
    ],
)
def test_bad_assignment_settings_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        settings.validate()


def test_twenty_labelers_claiming_at_once_never_share_a_segment(store, project, pool):
    _, segments = pool
    project = with_settings(store, project, AssignmentSettings(batch_size=1))
    crowd = [member(store, project, f"user{i}") for i in range(20)]
    barrier = threading.Barrier(20)
    got: dict[str, str | None] = {}

    def claim(actor: Actor) -> None:
        barrier.wait()
        segment = assignment.next_for(store, actor, project)
        got[actor.username] = segment.id if segment else None

    threads = [threading.Thread(target=claim, args=(actor,)) for actor in crowd]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [segment_id for segment_id in got.values() if segment_id]
    assert len(claimed) == len(segments) == len(set(claimed))  # 12 segments, 12 winners, no sharing
    assert sum(segment_id is None for segment_id in got.values()) == 8


def test_assignment_settings_are_kept_per_project_and_old_projects_read_defaults(store, project):
    from speechlabel.projects.manage import update_assignment_settings

    # The fixture's project has no from-scratch share (tests/sample_projects.drafts_for_all).
    assert store.get_project(project.name).assignment_settings == AssignmentSettings(from_scratch_share=0.0)
    lead = member(store, project, "lead", Role.LEAD)
    changed = update_assignment_settings(
        store, lead, project.name, AssignmentSettings(batch_size=5, lease_minutes=10, daily_quota=300)
    )
    assert (
        store.get_project(project.name).assignment_settings
        == changed.assignment_settings
        == AssignmentSettings(5, 10, 300)
    )
    with pytest.raises(ValidationError, match="batch size 9999"):
        update_assignment_settings(store, lead, project.name, AssignmentSettings(batch_size=9999))
    labeler = member(store, project, "lea")
    with pytest.raises(Forbidden, match="changing how work is handed out needs the lead role"):
        update_assignment_settings(store, labeler, project.name, AssignmentSettings(batch_size=5))
