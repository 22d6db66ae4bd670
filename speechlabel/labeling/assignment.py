"""Handing out work: batches leased to one labeler at a time, returning to the pool on expiry.

A labeler asks for their next segment; they get their own leased work first, and when they
hold none, a new batch (``batch_size`` segments) is leased to them from the pool. A lead can
lease a given number of segments or a whole recording to a named labeler, and reassign work.
Leases expire after ``lease_minutes`` without a save, so work left by someone who went home
goes back to the pool by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import ValidationError
from speechlabel.core.lifecycle import TO_DO
from speechlabel.core.models import Actor, AssignmentSettings, Project, Role, Segment
from speechlabel.labeling import double_labeling
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote
from speechlabel.store.leases import Lease
from speechlabel.store.rows import utc_now

# What can be leased: the lifecycle's to-do statuses.
LEASABLE = TO_DO
MAX_ASSIGN = 100_000


def next_for(
    store: Store, actor: Actor, project: Project, after: str | None = None, now: datetime | None = None
) -> Segment | None:
    """The actor's next segment: the first of their leased work after ``after`` (wrapping
    around), else a fresh batch from the pool; None when the pool is empty or the quota is used."""
    require_role(actor, project, Role.LABELER, action="labeling")
    now = now or utc_now()
    settings = project.assignment_settings
    mine = store.held_work_ids(project.id, actor.username, LEASABLE, now)
    if any(segment_id != after for segment_id in mine):
        return store.get_segment(_after(mine, after))
    if not _quota_left(store, project.id, actor.username, settings, now):
        return None
    # Waiting second labelings go first: they are few (a share), and agreement is measured sooner.
    claimed = double_labeling.claim(store, actor, project, now, _expiry(settings, now), settings.batch_size)
    kind = "second_labels_taken"
    if not claimed:
        claimed = store.claim_free_segments(
            project.id, actor.username, LEASABLE, now, _expiry(settings, now), limit=settings.batch_size
        )
        double_labeling.pick(store, project, claimed, now)
        kind = "batch_taken"
    if claimed:
        store.record_audit(
            AuditNote(actor.username, kind, claimed[0].id, project.id, {"segments": len(claimed)}), at=now
        )
    return claimed[0] if claimed else None


def peek_next(
    store: Store, actor: Actor, project: Project, after: Segment | None = None, now: datetime | None = None
) -> str | None:
    """The id of the actor's held work after ``after``, without leasing a batch: what the label
    page prefetches. Only forward, unlike :func:`next_for`: None after the last held segment
    (and when nothing is held). The browser prefetches a card while the segments before it are
    still open, so a wrap back to one of them would be stale when used: after the batch's last
    segment it reopened the first, saved meanwhile (for a second labeler, one no longer theirs).
    Without an upcoming segment the save asks the server, whose ``next_for`` wraps around."""
    require_role(actor, project, Role.LABELER, action="labeling")
    now = now or utc_now()
    if after is None:
        mine = store.held_work_ids(project.id, actor.username, LEASABLE, now)
        return mine[0] if mine else None
    return store.held_work_after(project.id, actor.username, LEASABLE, now, after)


def my_work(store: Store, actor: Actor, project: Project, now: datetime | None = None) -> list[Segment]:
    """The actor's leased segments still to do, second labelings included (as stored: show them
    through ``double_labeling.masked``)."""
    require_role(actor, project, Role.LABELER, action="labeling")
    return _held_work(store, actor, project, now or utc_now())


def _held_work(store: Store, actor: Actor, project: Project, now: datetime) -> list[Segment]:
    first = store.active_leased_segments(project.id, actor.username, LEASABLE, now)
    second = double_labeling.held(store, actor, project, now)
    return sorted(first + second, key=lambda segment: (segment.recording_id, segment.start, segment.id))


def assign_segments(
    store: Store, actor: Actor, project: Project, username: str, count: int, now: datetime | None = None
) -> list[Segment]:
    """A lead leases ``count`` free segments to ``username``."""
    require_role(actor, project, action="assigning work")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ASSIGN:
        raise ValidationError(message_key="error.assign_count", params={"count": repr(count), "most": MAX_ASSIGN})
    return _lease_to(store, actor, project, username, now, limit=count)


def assign_recording(
    store: Store, actor: Actor, project: Project, username: str, recording_id: str, now: datetime | None = None
) -> list[Segment]:
    """A lead leases every free to-do segment of one recording to ``username``."""
    require_role(actor, project, action="assigning work")
    if store.get_recording(recording_id).project_id != project.id:
        raise ValidationError(
            message_key="error.recording_elsewhere", params={"recording": recording_id, "project": project.name}
        )
    return _lease_to(store, actor, project, username, now, limit=None, recording_id=recording_id)


def _lease_to(
    store: Store,
    actor: Actor,
    project: Project,
    username: str,
    now: datetime | None,
    limit: int | None,
    recording_id: str | None = None,
) -> list[Segment]:
    """A lead's assignment: free to-do segments (at most ``limit``; of ``recording_id`` only when
    given) leased to ``username``, a share picked for double labeling, and the audit note."""
    _require_worker(store, project, username)
    now = now or utc_now()
    given = store.claim_free_segments(
        project.id,
        username,
        LEASABLE,
        now,
        _expiry(project.assignment_settings, now),
        limit=limit,
        recording_id=recording_id,
        assigned_by=actor.username,
    )
    double_labeling.pick(store, project, given, now)
    _log_assignment(store, actor, project, username, given, now)
    return given


def reassign(
    store: Store, actor: Actor, project: Project, segment_ids: list[str], username: str, now: datetime | None = None
) -> int:
    """A lead moves segments to ``username`` whoever holds them now (e.g. a labeler who left)."""
    require_role(actor, project, action="reassigning work")
    if not segment_ids:
        raise ValidationError(message_key="error.reassign_none")
    _require_worker(store, project, username)
    now = now or utc_now()
    for segment_id in segment_ids:
        if store.get_segment_project(segment_id) != project.id:
            raise ValidationError(
                message_key="error.segment_elsewhere", params={"segment": segment_id, "project": project.name}
            )
    moved = store.reassign_leases(segment_ids, username, now, _expiry(project.assignment_settings, now), actor.username)
    store.record_audit(
        AuditNote(actor.username, "work_reassigned", username, project.id, {"segments": list(segment_ids)}), at=now
    )
    return moved


def holder(store: Store, segment_id: str, now: datetime | None = None) -> Lease | None:
    """Who holds the segment right now (None: it is in the pool)."""
    return store.lease_of(segment_id, now or utc_now())


# A save pushes the batch's leases out again only once they have run this share of their term:
# rewriting every lease of a batch (a hundred rows or more) on every save was a fifth of the
# server's work per save, for an expiry that moved by seconds.
LEASE_REFRESH_SHARE = 0.1


def keep_working(
    store: Store, actor: Actor, project: Project, now: datetime | None = None, held_until: datetime | None = None
) -> None:
    """A save shows the labeler is still at it: their batch's leases start counting again.
    ``held_until``: when the saved segment's lease ends, as the save read it; while that is within
    LEASE_REFRESH_SHARE of a full term the batch was pushed out moments ago, and nothing is written.
    So a batch returns to the pool between 90 % and 100 % of ``lease_minutes`` after the last save."""
    now = now or utc_now()
    settings = project.assignment_settings
    expires = _expiry(settings, now)
    refreshed_lately = expires - timedelta(minutes=settings.lease_minutes * LEASE_REFRESH_SHARE)
    if held_until is not None and held_until >= refreshed_lately:
        return
    store.extend_leases(project.id, actor.username, now, expires)


def take_over(store: Store, actor: Actor, segment_id: str, project: Project, now: datetime | None = None) -> None:
    """Lease a segment to ``actor`` for the work they just did on it (e.g. the second part of
    their split), so it stays in their queue."""
    now = now or utc_now()
    store.reassign_leases([segment_id], actor.username, now, _expiry(project.assignment_settings, now), None)


def _require_worker(store: Store, project: Project, username: str) -> None:
    members = {m.user.username: m.role for m in store.list_memberships([project.id])}
    if members.get(username) not in (Role.LABELER, Role.LEAD):
        role = members.get(username)
        raise ValidationError(
            message_key="error.not_a_worker" if role else "error.not_a_worker_none",
            params={"name": username, "role": role, "project": project.name},
        )


def _log_assignment(
    store: Store, actor: Actor, project: Project, username: str, given: list[Segment], now: datetime
) -> None:
    store.record_audit(
        AuditNote(
            actor.username, "work_assigned", username, project.id, {"segments": [segment.id for segment in given]}
        ),
        at=now,
    )


def _quota_left(store: Store, project_id: int, username: str, settings: AssignmentSettings, now: datetime) -> bool:
    if settings.daily_quota is None:
        return True
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return store.count_leases_since(project_id, username, day_start) < settings.daily_quota


def _after(ids: list[str], after: str | None) -> str:
    """The id following ``after`` in ``ids``, wrapping around; never ``after`` itself."""
    if after in ids and ids.index(after) + 1 < len(ids):
        return ids[ids.index(after) + 1]
    return next(segment_id for segment_id in ids if segment_id != after)


def _expiry(settings: AssignmentSettings, now: datetime) -> datetime:
    return now + timedelta(minutes=settings.lease_minutes)
