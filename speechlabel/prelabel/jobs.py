"""Pre-labeling jobs: a lead's "pre-label this project", kept in the database as work rows.

Starting a job queues every recording of the project that is not drafted yet, one work row each
(``store/work.py``); runners in any process claim those rows (``prelabel/worker.py``: the app's
local worker process, ``speechlabel worker`` on any machine, ``speechlabel prelabel``). At most
one job per project is running (a partial unique index): starting again while one runs adds the
recordings uploaded since to it. Progress, the estimate of time left and each failed recording
with its reason are counted from the work rows, so every server process and the command line
show the same job. A lead can cancel a running job; starting again queues what is left, failed
recordings included.
"""

from __future__ import annotations

import enum
import os
import socket
import time
from dataclasses import dataclass, field

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor, Project
from speechlabel.i18n.labels import labeled
from speechlabel.prelabel.pipeline import PrelabelProgress
from speechlabel.store import Store
from speechlabel.store.jobs import JobRecord
from speechlabel.store.work import FailedWork, WorkCounts

WAIT_POLL_SECONDS = 0.5


@labeled("job_state")
class JobState(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # finished, with some recording that could not be drafted
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # a job of a release before per-recording work, whose process stopped


@dataclass(frozen=True)
class JobStatus:
    job_id: int
    project_id: int
    state: JobState
    started_at: float
    started_by: str
    counts: WorkCounts
    failures: tuple[FailedWork, ...] = ()
    finished_at: float | None = None
    # Each failed recording's reason, as an error a page shows in the reader's language.
    failure_errors: tuple[SpeechLabelError, ...] = field(default=(), compare=False)

    @property
    def progress(self) -> PrelabelProgress:
        counts = self.counts
        return PrelabelProgress(
            counts.done + counts.failed + counts.cancelled,
            counts.recordings_total,
            counts.audio_seconds_done,
            counts.audio_seconds_total,
            counts.segments_drafted,
        )

    @property
    def seconds_left(self) -> float | None:
        """Estimated from the audio throughput since the job started; None until there is some."""
        counts = self.counts
        if counts.audio_seconds_done <= 0:
            return None
        elapsed = (self.finished_at or time.time()) - self.started_at
        rate = counts.audio_seconds_done / max(elapsed, 1e-6)
        return max(counts.audio_seconds_total - counts.audio_seconds_done, 0.0) / rate


def start_prelabel(store: Store, project: Project, actor: Actor) -> JobStatus:
    """Queue every recording of the project not drafted yet (leads only): a new job, or the
    running one with the recordings uploaded since added to it."""
    require_role(actor, project, action="pre-labeling")
    return job_status(store, queue_project(store, project, actor.username))


def queue_project(store: Store, project: Project, started_by: str) -> JobRecord:
    """The project's running job (created if there is none) with its pending recordings queued.
    A job with nothing to do ends at once (done)."""
    for _ in range(5):
        mine, holder = store.claim_job(project.id, started_by, socket.gethostname(), os.getpid())
        job = mine or holder
        if job is None:
            continue  # the holder ended between our insert and our read: try again
        store.queue_work(job.id, project.id)
        store.settle_job(job.id)
        found = store.get_job(job.id)
        if found is not None:
            return found
    raise SpeechLabelError(message_key="error.job_claim", params={"project": project.name})


def cancel_prelabel(store: Store, project: Project, actor: Actor) -> JobStatus | None:
    """Cancel the project's running job (leads only): what was drafted stays; a runner drafting
    one of its recordings stops at its next write. None: no job was running."""
    require_role(actor, project, action="pre-labeling")
    job = store.running_job(project.id)
    if job is None:
        return project_job(store, project.id)
    store.cancel_work(job.id)
    return project_job(store, project.id)


def project_job(store: Store, project_id: int) -> JobStatus | None:
    """The project's latest job as it stands (None: never pre-labeled, or the project is gone)."""
    record = store.latest_job(project_id)
    return None if record is None else job_status(store, record)


def job_status(store: Store, record: JobRecord) -> JobStatus:
    failures = tuple(store.failed_work(record.id))
    return JobStatus(
        record.id,
        record.project_id,
        JobState(record.state),
        record.started_at.timestamp(),
        record.started_by,
        store.work_counts(record.id),
        failures,
        record.finished_at.timestamp() if record.finished_at else None,
        tuple(failure_error(failure) for failure in failures),
    )


def failure_error(failure: FailedWork) -> SpeechLabelError:
    """A failed recording's reason read back from the database as it was stored."""
    return SpeechLabelError(failure.error or "", message_key=failure.error_key, params=failure.error_params or {})


def wait_for_job(store: Store, project_id: int, timeout: float | None = None) -> JobStatus | None:
    """Block until the project's latest job is no longer running (or ``timeout`` passes)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = project_job(store, project_id)
        if status is None or status.state != JobState.RUNNING:
            return status
        if deadline is not None and time.monotonic() >= deadline:
            return status
        time.sleep(WAIT_POLL_SECONDS)


def unexpected_failure(error: Exception) -> SpeechLabelError:
    """A crash while drafting a recording as an error the lead can read in their language: the
    known kinds (out of memory, a file or disk problem) get their own advice, anything else its
    type and text. The English message is the same "Type: text" as before, for logs and the CLI."""
    message = f"{type(error).__name__}: {error}"
    if isinstance(error, MemoryError):
        return SpeechLabelError(message_key="error.job_out_of_memory", params={"detail": message})
    if isinstance(error, OSError):
        return SpeechLabelError(message_key="error.job_file_problem", params={"detail": message})
    return SpeechLabelError(message_key="error.job_crashed", params={"detail": message})
