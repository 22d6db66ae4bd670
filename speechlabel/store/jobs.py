"""Pre-labeling job records: a lead's "pre-label this project"; its work is one row per recording
(``store/work.py``), which also ends the job when its last recording ends.

The partial unique index ``uq_prelabel_jobs_one_running`` lets one job per project be running;
a second insert fails there, and ``claim_job`` answers with the job that holds the project. The
job's own progress columns (recordings_done ... segments_drafted) and heartbeat are those of the
release before per-recording work: written once, at the start, and no longer read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import as_utc, utc_now

_jobs = schema.prelabel_jobs
RUNNING = "running"


@dataclass(frozen=True)
class JobRecord:
    """A job as stored (``speechlabel.prelabel.jobs`` counts its progress from its work rows)."""

    id: int
    project_id: int
    state: str
    started_by: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
    recordings_done: int
    recordings_total: int
    audio_seconds_done: float
    audio_seconds_total: float
    segments_drafted: int
    error: str | None
    error_key: str | None
    error_params: dict[str, Any] | None


class JobQueries(StoreBase):
    def claim_job(
        self, project_id: int, started_by: str, host: str, pid: int
    ) -> tuple[JobRecord | None, JobRecord | None]:
        """Insert a running job for the project: (the new job, None), or (None, the running job
        that holds the project) when there is one. The holder may be gone: the caller decides."""
        now = utc_now()
        try:
            with self.write() as connection:
                job_id = connection.execute(
                    insert(_jobs)
                    .values(
                        project_id=project_id,
                        state=RUNNING,
                        started_by=started_by,
                        host=host,
                        pid=pid,
                        started_at=now,
                        heartbeat_at=now,
                        recordings_done=0,
                        recordings_total=0,
                        audio_seconds_done=0.0,
                        audio_seconds_total=0.0,
                        segments_drafted=0,
                    )
                    .returning(_jobs.c.id)
                ).scalar_one()
        except IntegrityError:
            return None, self.running_job(project_id)
        return self.get_job(job_id), None

    def get_job(self, job_id: int) -> JobRecord | None:
        with self.read() as connection:
            row = connection.execute(select(_jobs).where(_jobs.c.id == job_id)).first()
        return _record(row) if row else None

    def running_job(self, project_id: int) -> JobRecord | None:
        query = select(_jobs).where(_jobs.c.project_id == project_id, _jobs.c.state == RUNNING)
        with self.read() as connection:
            row = connection.execute(query).first()
        return _record(row) if row else None

    def latest_job(self, project_id: int) -> JobRecord | None:
        query = select(_jobs).where(_jobs.c.project_id == project_id).order_by(_jobs.c.id.desc()).limit(1)
        with self.read() as connection:
            row = connection.execute(query).first()
        return _record(row) if row else None


def _record(row) -> JobRecord:
    values = dict(row._mapping)
    for name in ("started_at", "heartbeat_at", "finished_at"):
        values[name] = as_utc(values[name])
    return JobRecord(**values)
