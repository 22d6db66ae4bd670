"""Pre-labeling work, one row per recording, claimed atomically by any runner in any process.

A claim takes the oldest queued rows (or running ones whose lease ran out: their runner died)
in one write transaction: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so runners never wait on each
other's rows, and SQLite's write lock (every write here begins ``IMMEDIATE``) there. The runner
then holds them by a lease its heartbeat extends. Every write a runner makes for a recording
(its segmentation, each draft, its end) first checks in the same transaction that the row is
still the runner's and running (``hold``, locking the row on PostgreSQL until the write commits):
a runner that lost its lease, or whose work was cancelled, can never write a draft, so a
recording taken over by another runner is drafted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import PrelabelState
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import as_utc, utc_now

_work = schema.prelabel_work
_jobs = schema.prelabel_jobs
_runners = schema.prelabel_runners
_recordings = schema.recordings

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
UNFINISHED = (QUEUED, RUNNING)
# A recording whose runner died this many times is failed instead of claimed again: something in
# it kills runners (memory, a crash in a decoder), and a fourth runner would die the same way.
MAX_ATTEMPTS = 3


class WorkLost(SpeechLabelError):
    """The runner no longer holds this recording (its lease ran out and another runner took it,
    or the lead cancelled the job): it must stop drafting it and write nothing more."""


@dataclass(frozen=True)
class ClaimedWork:
    recording_id: str
    project_id: int
    job_id: int
    audio_seconds: float
    attempts: int


@dataclass(frozen=True)
class WorkCounts:
    """A job's work rows counted by state, with the audio they hold."""

    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    audio_seconds_total: float = 0.0
    audio_seconds_done: float = 0.0  # of finished recordings, and as far as running ones got
    segments_drafted: int = 0

    @property
    def recordings_total(self) -> int:
        return self.queued + self.running + self.done + self.failed + self.cancelled

    @property
    def unfinished(self) -> int:
        return self.queued + self.running


@dataclass(frozen=True)
class FailedWork:
    recording_id: str
    label: str
    error: str | None
    error_key: str | None
    error_params: dict[str, Any] | None
    attempts: int


@dataclass(frozen=True)
class Runner:
    id: str
    host: str
    pid: int
    device: str
    started_at: datetime
    seen_at: datetime


class WorkQueries(StoreBase):
    def queue_work(self, job_id: int, project_id: int) -> int:
        """Queue every recording of the project that is not drafted and not already queued or
        running under the job (a recording whose earlier work failed or was cancelled is queued
        afresh, attempts reset). Returns how many were queued."""
        now = utc_now()
        with self.write() as connection:
            pending = connection.execute(
                select(_recordings.c.id, _recordings.c.duration, _work.c.state)
                .outerjoin(_work, _work.c.recording_id == _recordings.c.id)
                .where(
                    _recordings.c.project_id == project_id,
                    _recordings.c.prelabel_state != PrelabelState.DRAFTED.value,
                )
                .order_by(_recordings.c.created_at, _recordings.c.id)
            ).all()
            fresh = [row for row in pending if row.state is None]
            again = [row.id for row in pending if row.state is not None and row.state not in UNFINISHED]
            if fresh:
                connection.execute(
                    insert(_work),
                    [_queued_row(row.id, project_id, job_id, row.duration, now) for row in fresh],
                )
            if again:
                connection.execute(
                    update(_work).where(_work.c.recording_id.in_(again)).values(**_requeued(job_id, now))
                )
            # Rows queued or running under an earlier job of the project move to this one.
            connection.execute(
                update(_work)
                .where(_work.c.project_id == project_id, _work.c.state.in_(UNFINISHED), _work.c.job_id != job_id)
                .values(job_id=job_id)
            )
        return len(fresh) + len(again)

    def claim_work(
        self,
        owner: str,
        lease_seconds: float,
        project_id: int | None = None,
        max_recordings: int = 1,
        max_audio_seconds: float | None = None,
    ) -> list[ClaimedWork]:
        """Claim the oldest queued recordings (and running ones whose lease ran out), at most
        ``max_recordings`` and, past the first, at most ``max_audio_seconds`` of audio in all."""
        now = utc_now()
        with self.write() as connection:
            self._fail_abandoned(connection, now, project_id)
            claimable = or_(_work.c.state == QUEUED, and_(_work.c.state == RUNNING, _work.c.lease_expires_at < now))
            query = select(_work.c.recording_id, _work.c.audio_seconds).where(claimable)
            if project_id is not None:
                query = query.where(_work.c.project_id == project_id)
            query = query.order_by(_work.c.queued_at, _work.c.recording_id).limit(max(max_recordings, 1))
            if self.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            chosen = _within_audio(connection.execute(query).all(), max_audio_seconds)
            if not chosen:
                return []
            rows = connection.execute(
                update(_work)
                .where(_work.c.recording_id.in_(chosen))
                .values(
                    state=RUNNING,
                    owner=owner,
                    lease_expires_at=now + timedelta(seconds=lease_seconds),
                    attempts=_work.c.attempts + 1,
                    started_at=now,
                    error=None,
                    error_key=None,
                    error_params=None,
                )
                .returning(
                    _work.c.recording_id, _work.c.project_id, _work.c.job_id, _work.c.audio_seconds, _work.c.attempts
                )
            ).all()
        order = {recording_id: index for index, recording_id in enumerate(chosen)}
        return sorted((ClaimedWork(*row) for row in rows), key=lambda work: order[work.recording_id])

    def _fail_abandoned(self, connection: Connection, now: datetime, project_id: int | None) -> None:
        """Running rows whose lease ran out MAX_ATTEMPTS times are failed, not claimed again."""
        abandoned = and_(_work.c.state == RUNNING, _work.c.lease_expires_at < now, _work.c.attempts >= MAX_ATTEMPTS)
        if project_id is not None:
            abandoned = and_(abandoned, _work.c.project_id == project_id)
        jobs = connection.execute(select(_work.c.job_id).where(abandoned).distinct()).scalars().all()
        if not jobs:
            return
        connection.execute(
            update(_work)
            .where(abandoned)
            .values(
                state=FAILED,
                owner=None,
                finished_at=now,
                error=f"its runner stopped {MAX_ATTEMPTS} times while drafting it",
                error_key="error.work_abandoned",
                error_params={"attempts": MAX_ATTEMPTS},
            )
        )
        for job_id in jobs:
            _end_job_if_finished(connection, job_id, now)

    def extend_work(self, owner: str, lease_seconds: float, progress: dict[str, float] | None = None) -> set[str]:
        """The runner's heartbeat: extend the leases it still holds (and record how far into each
        recording it got); returns the recordings it holds."""
        now = utc_now()
        held = (_work.c.owner == owner) & (_work.c.state == RUNNING)
        with self.write() as connection:
            kept = set(
                connection.execute(
                    update(_work)
                    .where(held)
                    .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
                    .returning(_work.c.recording_id)
                ).scalars()
            )
            for recording_id, seconds in (progress or {}).items():
                if recording_id in kept:
                    connection.execute(
                        update(_work)
                        .where(held, _work.c.recording_id == recording_id)
                        .values(audio_seconds_done=seconds)
                    )
            connection.execute(update(_runners).where(_runners.c.id == owner).values(seen_at=now))
        return kept

    def finish_work(self, recording_id: str, owner: str, segments_drafted: int) -> None:
        """The recording is drafted (WorkLost if the runner no longer holds it); the job ends
        with its last recording."""
        self._end_work(recording_id, owner, segments_drafted, state=DONE, audio_seconds_done=_work.c.audio_seconds)

    def fail_work(
        self,
        recording_id: str,
        owner: str,
        error: str,
        error_key: str | None,
        error_params: dict[str, Any] | None,
        segments_drafted: int = 0,
    ) -> None:
        """The recording could not be drafted, for the reason given (kept for the lead)."""
        self._end_work(
            recording_id,
            owner,
            segments_drafted,
            state=FAILED,
            error=error,
            error_key=error_key,
            error_params=error_params,
        )

    def _end_work(self, recording_id: str, owner: str, segments_drafted: int, **values: Any) -> None:
        """End a recording the runner still holds (WorkLost otherwise), and its job with its last one."""
        now = utc_now()
        with self.write() as connection:
            job_id = hold(connection, recording_id, owner)
            connection.execute(
                update(_work)
                .where(_work.c.recording_id == recording_id)
                .values(
                    owner=None,
                    finished_at=now,
                    segments_drafted=_work.c.segments_drafted + segments_drafted,
                    **values,
                )
            )
            _end_job_if_finished(connection, job_id, now)

    def release_work(self, owner: str, recording_ids: Sequence[str]) -> None:
        """Give recordings back to the queue at once (a runner stopped by Ctrl+C): not an attempt."""
        if not recording_ids:
            return
        with self.write() as connection:
            connection.execute(
                update(_work)
                .where(_work.c.owner == owner, _work.c.state == RUNNING, _work.c.recording_id.in_(recording_ids))
                .values(state=QUEUED, owner=None, lease_expires_at=None, attempts=_work.c.attempts - 1)
            )

    def cancel_work(self, job_id: int) -> int:
        """Cancel the job's unfinished recordings (a runner drafting one stops at its next write:
        it no longer holds it) and end the job as cancelled; returns how many were cancelled."""
        now = utc_now()
        with self.write() as connection:
            cancelled = connection.execute(
                update(_work)
                .where(_work.c.job_id == job_id, _work.c.state.in_(UNFINISHED))
                .values(state=CANCELLED, owner=None, finished_at=now)
            ).rowcount
            connection.execute(
                update(_jobs)
                .where(_jobs.c.id == job_id, _jobs.c.state == RUNNING)
                .values(state=CANCELLED, finished_at=now)
            )
        return cancelled

    def work_counts(self, job_id: int) -> WorkCounts:
        query = (
            select(
                _work.c.state,
                func.count(),
                func.coalesce(func.sum(_work.c.audio_seconds), 0.0),
                func.coalesce(func.sum(_work.c.audio_seconds_done), 0.0),
                func.coalesce(func.sum(_work.c.segments_drafted), 0),
            )
            .where(_work.c.job_id == job_id)
            .group_by(_work.c.state)
        )
        counts: dict[str, int] = {}
        total = done = 0.0
        drafted = 0
        with self.read() as connection:
            for state, count, audio, audio_done, segments in connection.execute(query):
                counts[state] = count
                total += float(audio)
                done += float(audio_done)
                drafted += int(segments)
        return WorkCounts(**counts, audio_seconds_total=total, audio_seconds_done=done, segments_drafted=drafted)

    def failed_work(self, job_id: int) -> list[FailedWork]:
        query = (
            select(
                _work.c.recording_id,
                _recordings.c.label,
                _work.c.error,
                _work.c.error_key,
                _work.c.error_params,
                _work.c.attempts,
            )
            .join(_recordings, _recordings.c.id == _work.c.recording_id)
            .where(_work.c.job_id == job_id, _work.c.state == FAILED)
            .order_by(_work.c.queued_at, _work.c.recording_id)
        )
        with self.read() as connection:
            return [FailedWork(*row) for row in connection.execute(query)]

    def settle_job(self, job_id: int) -> None:
        """End the job if it has nothing queued or running (a job queued with nothing to do)."""
        with self.write() as connection:
            _end_job_if_finished(connection, job_id, utc_now())

    # --- runners -------------------------------------------------------------------------------

    def register_runner(self, runner_id: str, host: str, pid: int, device: str) -> None:
        now = utc_now()
        with self.write() as connection:
            connection.execute(delete(_runners).where(_runners.c.id == runner_id))
            connection.execute(
                insert(_runners).values(id=runner_id, host=host, pid=pid, device=device, started_at=now, seen_at=now)
            )

    def unregister_runner(self, runner_id: str) -> None:
        with self.write() as connection:
            connection.execute(delete(_runners).where(_runners.c.id == runner_id))

    def live_runners(self, seen_within_seconds: float) -> list[Runner]:
        """Runners whose heartbeat is that recent (the others are gone; their rows are dropped)."""
        since = utc_now() - timedelta(seconds=seen_within_seconds)
        with self.write() as connection:
            connection.execute(delete(_runners).where(_runners.c.seen_at < since))
            rows = connection.execute(select(_runners).order_by(_runners.c.started_at)).all()
        return [
            Runner(row.id, row.host, row.pid, row.device, as_utc(row.started_at), as_utc(row.seen_at)) for row in rows
        ]


def hold(connection: Connection, recording_id: str, owner: str) -> int:
    """In a write transaction: that the runner still holds the recording (WorkLost otherwise),
    locking its row on PostgreSQL until the transaction ends, so no other runner can take it over
    between this check and the write it guards. Returns the job it belongs to."""
    query = select(_work.c.job_id).where(
        _work.c.recording_id == recording_id, _work.c.owner == owner, _work.c.state == RUNNING
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    job_id = connection.execute(query).scalar()
    if job_id is None:
        raise WorkLost(message_key="error.work_lost", params={"recording": recording_id})
    return job_id


def hold_for_segment(connection: Connection, segment_id: str, owner: str) -> int:
    """``hold`` of the segment's recording."""
    recording_id = connection.execute(
        select(schema.segments.c.recording_id).where(schema.segments.c.id == segment_id)
    ).scalar()
    if recording_id is None:
        raise WorkLost(message_key="error.work_lost", params={"recording": segment_id})
    return hold(connection, recording_id, owner)


def _end_job_if_finished(connection: Connection, job_id: int, now: datetime) -> None:
    """A job with nothing queued or running left is done, or failed when some recording failed."""
    states = set(connection.execute(select(_work.c.state).where(_work.c.job_id == job_id).distinct()).scalars())
    if states & set(UNFINISHED):
        return
    connection.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.state == RUNNING)
        .values(state=FAILED if FAILED in states else DONE, finished_at=now)
    )


def _within_audio(rows: Sequence[Any], max_audio_seconds: float | None) -> list[str]:
    """The first row always; then rows while their audio fits ``max_audio_seconds`` in all."""
    chosen: list[str] = []
    total = 0.0
    for recording_id, seconds in rows:
        if chosen and max_audio_seconds is not None and total + seconds > max_audio_seconds:
            break
        chosen.append(recording_id)
        total += seconds
    return chosen


def _queued_row(recording_id: str, project_id: int, job_id: int, seconds: float, now: datetime) -> dict[str, Any]:
    return {
        "recording_id": recording_id,
        "project_id": project_id,
        "job_id": job_id,
        "state": QUEUED,
        "queued_at": now,
        "attempts": 0,
        "audio_seconds": seconds,
        "audio_seconds_done": 0.0,
        "segments_drafted": 0,
    }


def _requeued(job_id: int, now: datetime) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "state": QUEUED,
        "queued_at": now,
        "owner": None,
        "lease_expires_at": None,
        "attempts": 0,
        "started_at": None,
        "finished_at": None,
        "audio_seconds_done": 0.0,
        "segments_drafted": 0,
        "error": None,
        "error_key": None,
        "error_params": None,
    }
