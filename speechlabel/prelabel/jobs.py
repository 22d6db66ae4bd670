"""Pre-labeling jobs, recorded in the database whichever process runs them.

A job is *claimed* for a project before anything is segmented or drafted: at most one job per
project runs (the store's partial unique index), so two runs, from the app and the command line
or two command lines, never segment or draft the same recordings at once. A second run waits for
the running one (``claim_or_wait``) and then finds only what is left; the app's button returns
the running job instead of starting another.

The owner beats the job's heartbeat every few seconds and records its progress. A running job
whose owner is gone (its process no longer exists on this host, or no heartbeat for
``STALE_SECONDS``) is shown as *interrupted*, with how far it got; starting again continues where
it stopped (``prelabel`` never repeats work), and the registry lives in the server process only
for the threads it runs.
"""

from __future__ import annotations

import enum
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor, Project
from speechlabel.i18n.labels import labeled
from speechlabel.prelabel.pipeline import PrelabelProgress, PrelabelReport, prelabel_project
from speechlabel.prelabel.transcribe import Engine
from speechlabel.store import Store
from speechlabel.store.jobs import JobProgressRow, JobRecord
from speechlabel.store.rows import utc_now
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

# The owner writes a heartbeat this often, and a job without one for STALE_SECONDS is taken as
# gone (a killed process on another machine; on this machine a missing pid says so at once).
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 60.0
WAIT_POLL_SECONDS = 1.0


@labeled("job_state")
class JobState(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class JobStatus:
    project_id: int
    state: JobState
    started_at: float
    progress: PrelabelProgress | None = None
    error: str | None = None
    finished_at: float | None = None
    # Why it failed, as an error a page can show in the reader's language (``error`` is its English).
    failure: SpeechLabelError | None = field(default=None, compare=False)
    job_id: int | None = None
    started_by: str | None = None
    last_alive_at: datetime | None = None
    """The owner's last heartbeat: for an interrupted job, about when it stopped."""

    @property
    def seconds_left(self) -> float | None:
        """Estimated from the audio throughput so far; None until there is some."""
        progress = self.progress
        if progress is None or progress.audio_seconds_done <= 0:
            return None
        elapsed = (self.finished_at or time.time()) - self.started_at
        rate = progress.audio_seconds_done / max(elapsed, 1e-6)
        return max(progress.audio_seconds_total - progress.audio_seconds_done, 0.0) / rate


class JobTakenOver(SpeechLabelError):
    """This process's job was marked interrupted by another (it had looked gone): stop drafting."""


# The jobs this process runs (any thread): a job row naming this pid but not listed here was
# left by an earlier process that had the same pid (a restarted container), so it is gone.
_LOCAL_JOBS: set[int] = set()
_LOCAL_LOCK = threading.Lock()


def owner_alive(record: JobRecord) -> bool:
    """Whether the process that runs ``record`` is still there."""
    if (utc_now() - record.heartbeat_at).total_seconds() > STALE_SECONDS:
        return False
    if record.host != socket.gethostname():
        return True  # another machine: its heartbeat is all we can see
    if record.pid == os.getpid():
        with _LOCAL_LOCK:
            return record.id in _LOCAL_JOBS
    return _pid_exists(record.pid)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def project_job(store: Store, project_id: int) -> JobStatus | None:
    """The project's latest job as it stands; a running one whose owner is gone is recorded and
    shown as interrupted."""
    record = store.latest_job(project_id)
    if record is None:
        return None
    if record.state == JobState.RUNNING.value and not owner_alive(record):
        store.end_job(record.id, JobState.INTERRUPTED.value)
        record = store.get_job(record.id)
    return None if record is None else status_of(record)  # None: the project was deleted meanwhile


def status_of(record: JobRecord) -> JobStatus:
    progress = None  # "starting" until a running job has counted its work; an ended one shows its figures
    if record.recordings_total or record.segments_drafted or record.state != JobState.RUNNING.value:
        progress = PrelabelProgress(
            record.recordings_done,
            record.recordings_total,
            record.audio_seconds_done,
            record.audio_seconds_total,
            record.segments_drafted,
        )
    failure = None
    if record.error is not None:
        failure = SpeechLabelError(record.error, message_key=record.error_key, params=record.error_params or {})
    return JobStatus(
        record.project_id,
        JobState(record.state),
        record.started_at.timestamp(),
        progress,
        record.error,
        record.finished_at.timestamp() if record.finished_at else None,
        failure,
        record.id,
        record.started_by,
        record.heartbeat_at,
    )


def claim(store: Store, project: Project, started_by: str) -> tuple[JobRecord | None, JobRecord | None]:
    """Claim the project for a new job: (the job, None), or (None, the live job that holds it).
    A holder whose owner is gone is marked interrupted and the claim is tried again."""
    for _ in range(5):
        with _LOCAL_LOCK:  # so no thread of this process sees our row before it is listed as ours
            mine, holder = store.claim_job(project.id, started_by, socket.gethostname(), os.getpid())
            if mine is not None:
                _LOCAL_JOBS.add(mine.id)
                return mine, None
        if holder is not None and owner_alive(holder):
            return None, holder
        if holder is not None:
            store.end_job(holder.id, JobState.INTERRUPTED.value)
    raise SpeechLabelError(message_key="error.job_claim", params={"project": project.name})


def claim_or_wait(
    store: Store, project: Project, started_by: str, on_wait: Callable[[JobRecord], None] | None = None
) -> JobRecord:
    """Claim the project, waiting while another live job holds it (``on_wait`` is told once)."""
    told = False
    while True:
        mine, holder = claim(store, project, started_by)
        if mine is not None:
            return mine
        assert holder is not None  # claim gives the holder when it does not give ours
        if on_wait is not None and not told:
            on_wait(holder)
            told = True
        time.sleep(WAIT_POLL_SECONDS)


def run_claimed(
    store: Store,
    settings: Settings,
    project: Project,
    job: JobRecord,
    engine: Engine | None = None,
    on_progress: Callable[[PrelabelProgress], None] | None = None,
) -> PrelabelReport:
    """Pre-label ``project`` under the claimed ``job``: heartbeat, progress and the end state
    (done, failed with the reason, interrupted by Ctrl+C) are written to the job's record."""
    stop = threading.Event()
    beating = threading.Thread(target=_beat, args=(store, job.id, stop), name=f"prelabel-beat-{job.id}", daemon=True)
    beating.start()

    def record(progress: PrelabelProgress) -> None:
        if not store.beat_job(
            job.id,
            JobProgressRow(
                progress.recordings_done,
                progress.recordings_total,
                progress.audio_seconds_done,
                progress.audio_seconds_total,
                progress.segments_drafted,
            ),
        ):
            raise JobTakenOver(message_key="error.job_taken_over", params={"job": job.id})
        if on_progress:
            on_progress(progress)

    try:
        report = prelabel_project(store, settings, project, engine=engine, on_progress=record)
    except JobTakenOver:
        raise
    except SpeechLabelError as error:
        store.end_job(job.id, JobState.FAILED.value, str(error), error.message_key, _plain_params(error.params))
        raise
    except Exception as error:  # a worker must never die silently: the lead has to see it
        log.exception("pre-labeling project %s failed", project.name)
        failure = unexpected_failure(error)
        store.end_job(job.id, JobState.FAILED.value, str(failure), failure.message_key, failure.params)
        raise failure from error
    except BaseException:  # Ctrl+C, SystemExit: what was drafted stays; the job says it was cut short
        store.end_job(job.id, JobState.INTERRUPTED.value)
        raise
    else:
        store.end_job(job.id, JobState.DONE.value)
        return report
    finally:
        stop.set()
        with _LOCAL_LOCK:
            _LOCAL_JOBS.discard(job.id)


def _beat(store: Store, job_id: int, stop: threading.Event) -> None:
    """The heartbeat while the job runs (also while the model loads or a long window decodes)."""
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            store.beat_job(job_id)
        except Exception:  # a missed beat is not fatal; the next one may get through
            log.warning("heartbeat of pre-labeling job %s failed", job_id, exc_info=True)


def _plain_params(params: dict) -> dict:
    """Error params as JSON can keep them (a Phrase becomes its English)."""
    return {
        key: value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        for key, value in params.items()
    }


class PrelabelJobs:
    """The app's pre-labeling: jobs claimed in the database and run in worker threads of the
    server process, so they outlive script runs, browser tabs and reloads."""

    def __init__(self, store: Store, settings: Settings):
        self._store, self._settings = store, settings
        self._threads: dict[int, threading.Thread] = {}

    def start(self, project: Project, actor: Actor) -> JobStatus:
        """Start pre-labeling ``project`` in a worker thread (leads only); a job that already runs
        (here or in another process, such as the command line) is returned as is."""
        require_role(actor, project, action="pre-labeling")
        mine, holder = claim(self._store, project, actor.username)
        if mine is None:
            assert holder is not None  # claim gives the holder when it does not give ours
            return status_of(holder)
        thread = threading.Thread(target=self._run, args=(project, mine), name=f"prelabel-{project.id}", daemon=True)
        self._threads[project.id] = thread
        thread.start()
        return status_of(mine)

    def status(self, project_id: int) -> JobStatus | None:
        return project_job(self._store, project_id)

    def wait(self, project_id: int, timeout: float | None = None) -> JobStatus | None:
        """Block until this process's job of the project ends (for tests)."""
        thread = self._threads.get(project_id)
        if thread is not None:
            thread.join(timeout)
        return self.status(project_id)

    def _run(self, project: Project, job: JobRecord) -> None:
        try:
            run_claimed(self._store, self._settings, project, job)
        except Exception:  # recorded in the job's row (and logged): the page shows it
            pass


def unexpected_failure(error: Exception) -> SpeechLabelError:
    """A crash of the worker as an error the lead can read in their language: the known kinds
    (out of memory, a file or disk problem) get their own advice, anything else its type and
    text. The English message is the same "Type: text" as before, for logs and the CLI."""
    message = f"{type(error).__name__}: {error}"
    if isinstance(error, MemoryError):
        return SpeechLabelError(message_key="error.job_out_of_memory", params={"detail": message})
    if isinstance(error, OSError):
        return SpeechLabelError(message_key="error.job_file_problem", params={"detail": message})
    return SpeechLabelError(message_key="error.job_crashed", params={"detail": message})
