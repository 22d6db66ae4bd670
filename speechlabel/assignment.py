"""Handing out work: batches leased to one labeler at a time, returning to the pool on expiry.

A labeler asks for their next segment; they get their own leased work first, and when they
hold none, a new batch (``batch_size`` segments) is leased to them from the pool. A lead can
lease a given number of segments or a whole recording to a named labeler, and reassign work.
Leases expire after ``lease_minutes`` without a save, so work left by someone who went home
goes back to the pool by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .errors import ValidationError
from .models import AssignmentSettings, Segment, SegmentStatus
from .store import Store
from .store.leases import Lease
from .store.rows import utc_now

# What can be leased: not yet done, or sent back by a reviewer.
LEASABLE = (SegmentStatus.DRAFTED, SegmentStatus.NEW, SegmentStatus.IN_PROGRESS, SegmentStatus.REJECTED)


def next_for_labeler(store: Store, project_id: int, username: str, settings: AssignmentSettings,
                     after: str | None = None, now: datetime | None = None) -> Segment | None:
    """The labeler's next segment: the first of their leased work after ``after`` (wrapping
    around), else a fresh batch from the pool; None when the pool is empty or the quota is used."""
    now = now or utc_now()
    mine = store.active_leased_segments(project_id, username, LEASABLE, now)
    if mine:
        return _after(mine, after)
    if not _quota_left(store, project_id, username, settings, now):
        return None
    claimed = store.claim_free_segments(project_id, username, LEASABLE, now, _expiry(settings, now),
                                        limit=settings.batch_size)
    return claimed[0] if claimed else None


def assign_segments(store: Store, project_id: int, username: str, settings: AssignmentSettings, count: int,
                    assigned_by: str, now: datetime | None = None) -> list[Segment]:
    """A lead leases ``count`` free segments to ``username``."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100_000:
        raise ValidationError(f"{count!r} segments cannot be assigned; give a whole number from 1 to 100000")
    now = now or utc_now()
    return store.claim_free_segments(project_id, username, LEASABLE, now, _expiry(settings, now), limit=count,
                                     assigned_by=assigned_by)


def assign_recording(store: Store, project_id: int, username: str, settings: AssignmentSettings,
                     recording_id: str, assigned_by: str, now: datetime | None = None) -> list[Segment]:
    """A lead leases every free to-do segment of one recording to ``username``."""
    recording = store.get_recording(recording_id)
    if recording.project_id != project_id:
        raise ValidationError(f"recording {recording_id} belongs to another project")
    now = now or utc_now()
    return store.claim_free_segments(project_id, username, LEASABLE, now, _expiry(settings, now), limit=None,
                                     recording_id=recording_id, assigned_by=assigned_by)


def reassign(store: Store, segment_ids: list[str], username: str, settings: AssignmentSettings, assigned_by: str,
             now: datetime | None = None) -> int:
    """Move segments to ``username`` whoever holds them now (e.g. a labeler who left)."""
    if not segment_ids:
        raise ValidationError("no segments given to reassign; pick at least one")
    now = now or utc_now()
    return store.reassign_leases(segment_ids, username, now, _expiry(settings, now), assigned_by)


def holder(store: Store, segment_id: str, now: datetime | None = None) -> Lease | None:
    """Who holds the segment right now (None: it is in the pool)."""
    return store.lease_of(segment_id, now or utc_now())


def keep_working(store: Store, project_id: int, username: str, settings: AssignmentSettings,
                 now: datetime | None = None) -> None:
    """A save shows the labeler is still at it: their batch's leases start counting again."""
    now = now or utc_now()
    store.extend_leases(project_id, username, now, _expiry(settings, now))


def _quota_left(store: Store, project_id: int, username: str, settings: AssignmentSettings, now: datetime) -> bool:
    if settings.daily_quota is None:
        return True
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return store.count_leases_since(project_id, username, day_start) < settings.daily_quota


def _after(segments: list[Segment], after: str | None) -> Segment:
    ids = [segment.id for segment in segments]
    if after in ids and ids.index(after) + 1 < len(ids):
        return segments[ids.index(after) + 1]
    return next((segment for segment in segments if segment.id != after), segments[0])


def _expiry(settings: AssignmentSettings, now: datetime) -> datetime:
    return now + timedelta(minutes=settings.lease_minutes)
