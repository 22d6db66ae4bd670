"""The app's pre-labeling: jobs queued in the database, drafted by a worker *process*.

The app never decodes or runs Whisper in its own process (its cores serve the labelers' pages).
"Pre-label" queues the project's recordings; then, unless a runner is already up somewhere (a
``speechlabel worker`` on another machine, another server's local worker), the app starts one
``speechlabel worker`` process on this machine with the same data folder and database. That
process stops by itself after a while with nothing to do, and its output goes to
``<data>/logs/worker.log``. ``SPEECHLABEL_LOCAL_WORKER=0`` turns this off, for sites whose
workers run elsewhere.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import speechlabel
from speechlabel.core.models import Actor, Project
from speechlabel.prelabel.jobs import JobStatus, cancel_prelabel, project_job, start_prelabel, wait_for_job
from speechlabel.prelabel.worker import RUNNER_SEEN_SECONDS
from speechlabel.store import Store
from speechlabel.store.work import Runner
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

# A local worker stops after this long with nothing to claim; the next "Pre-label" starts another.
IDLE_EXIT_SECONDS = 300.0


@dataclass(frozen=True)
class Drafters:
    """Who drafts the queued work, for the page: the runners that are up, and whether this
    server started one of them."""

    runners: tuple[Runner, ...]
    started_here: bool
    local_worker_off: bool = False


class PrelabelJobs:
    """One per server process: starts jobs, keeps at most one local worker process running."""

    def __init__(self, store: Store, settings: Settings):
        self._store, self._settings = store, settings
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self, project: Project, actor: Actor) -> JobStatus:
        """Queue the project's recordings not drafted yet (leads only) and see that a runner is up."""
        status = start_prelabel(self._store, project, actor)
        self.drafters(start_if_none=True)
        return status

    def cancel(self, project: Project, actor: Actor) -> JobStatus | None:
        return cancel_prelabel(self._store, project, actor)

    def status(self, project_id: int) -> JobStatus | None:
        return project_job(self._store, project_id)

    def wait(self, project_id: int, timeout: float | None = None) -> JobStatus | None:
        """Block until the project's job is no longer running (for tests and the command line)."""
        return wait_for_job(self._store, project_id, timeout)

    def drafters(self, start_if_none: bool = False) -> Drafters:
        """The runners that are up; with ``start_if_none``, a local worker is started when there
        is none (and the setting allows it)."""
        with self._lock:
            mine = self._process is not None and self._process.poll() is None
            runners = tuple(self._store.live_runners(RUNNER_SEEN_SECONDS))
            if start_if_none and not runners and not mine:
                if not self._settings.local_worker:
                    return Drafters(runners, started_here=False, local_worker_off=True)
                self._process = self._spawn()
                mine = True
            return Drafters(runners, started_here=mine, local_worker_off=not self._settings.local_worker)

    def stop_local_worker(self, timeout: float = 30.0) -> None:
        """Stop this server's worker (it gives back what it holds); for tests and shutdown."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _spawn(self) -> subprocess.Popen:
        logs = self._settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "speechlabel",
            "--data-dir",
            str(self._settings.data_dir),
            "worker",
            "--idle-exit",
            str(IDLE_EXIT_SECONDS),
        ]
        with open(logs / "worker.log", "ab") as log_file:
            process = subprocess.Popen(
                command,
                env=worker_environment(self._store, self._settings),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self._settings.data_dir,
            )
        log.info("started a local pre-labeling worker, process %s", process.pid)
        return process


def worker_environment(store: Store, settings: Settings) -> dict[str, str]:
    """This process's environment for a worker on the same database (PostgreSQL with this store's
    schema, if it has one) and data folder, which imports this same speechlabel."""
    env = dict(os.environ)
    env["SPEECHLABEL_DATABASE_URL"] = store.url_for_other_processes()
    env["SPEECHLABEL_DATA_DIR"] = str(settings.data_dir)
    package_root = str(Path(speechlabel.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return env
