"""Background pre-labeling: a worker thread per project, outside any Streamlit script run.

The registry lives as long as the server process, so a job goes on when the browser tab is
closed and its progress is there again after a reload. One job per project at a time; starting
a second while one runs returns the running one. Work already done is never repeated (see
``prelabel``), so a job that failed or was cut short can simply be started again.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field, replace

from .access import require_role
from .config import Settings
from .errors import SpeechLabelError
from .models import Actor, Project
from .prelabel import PrelabelProgress, prelabel_project
from .store import Store

log = logging.getLogger(__name__)


class JobState(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


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

    @property
    def seconds_left(self) -> float | None:
        """Estimated from the audio throughput so far; None until there is some."""
        progress = self.progress
        if progress is None or progress.audio_seconds_done <= 0:
            return None
        elapsed = (self.finished_at or time.time()) - self.started_at
        rate = progress.audio_seconds_done / max(elapsed, 1e-6)
        return max(progress.audio_seconds_total - progress.audio_seconds_done, 0.0) / rate


class PrelabelJobs:
    """Thread-safe registry of pre-labeling jobs, one per project."""

    def __init__(self, store: Store, settings: Settings):
        self._store, self._settings = store, settings
        self._lock = threading.Lock()
        self._status: dict[int, JobStatus] = {}
        self._threads: dict[int, threading.Thread] = {}

    def start(self, project: Project, actor: Actor) -> JobStatus:
        """Start pre-labeling ``project`` in a worker thread (leads only); a running job is returned as is."""
        require_role(actor, project, action="pre-labeling")
        with self._lock:
            current = self._status.get(project.id)
            if current is not None and current.state == JobState.RUNNING:
                return current
            status = JobStatus(project.id, JobState.RUNNING, started_at=time.time())
            self._status[project.id] = status
            thread = threading.Thread(target=self._run, args=(project,), name=f"prelabel-{project.id}", daemon=True)
            self._threads[project.id] = thread
            thread.start()
            return status

    def status(self, project_id: int) -> JobStatus | None:
        with self._lock:
            return self._status.get(project_id)

    def wait(self, project_id: int, timeout: float | None = None) -> JobStatus | None:
        """Block until the project's job ends (for the CLI and tests)."""
        thread = self._threads.get(project_id)
        if thread is not None:
            thread.join(timeout)
        return self.status(project_id)

    def _run(self, project: Project) -> None:
        try:
            prelabel_project(self._store, self._settings, project, on_progress=self._reporter(project.id))
            self._finish(project.id, JobState.DONE, None)
        except SpeechLabelError as error:
            self._finish(project.id, JobState.FAILED, str(error), error)
        except Exception as error:  # a worker must never die silently: the lead has to see it
            log.exception("pre-labeling project %s failed", project.name)
            failure = unexpected_failure(error)
            self._finish(project.id, JobState.FAILED, str(failure), failure)

    def _reporter(self, project_id: int):
        def report(progress: PrelabelProgress) -> None:
            with self._lock:
                self._status[project_id] = replace(self._status[project_id], progress=progress)

        return report

    def _finish(self, project_id: int, state: JobState, error: str | None,
                failure: SpeechLabelError | None = None) -> None:
        with self._lock:
            self._status[project_id] = replace(self._status[project_id], state=state, error=error,
                                               finished_at=time.time(), failure=failure)


def unexpected_failure(error: Exception) -> SpeechLabelError:
    """A crash of the worker as an error the lead can read in their language: the known kinds
    (out of memory, a file or disk problem) get their own advice, anything else its type and
    text. The English message is the same "Type: text" as before, for logs and the CLI."""
    message = f"{type(error).__name__}: {error}"
    if isinstance(error, MemoryError):
        return SpeechLabelError(message, message_key="error.job_out_of_memory", params={"detail": message})
    if isinstance(error, OSError):
        return SpeechLabelError(message, message_key="error.job_file_problem", params={"detail": message})
    return SpeechLabelError(message, message_key="error.job_crashed", params={"detail": message})
