"""A pre-labeling runner: claims recordings from the database, drafts them, records the outcome.

The same loop runs in ``speechlabel worker`` (any machine that reaches the database and the data
folder), in the local worker process the app starts, and in ``speechlabel prelabel``. It holds
what it claimed by a lease that a heartbeat thread extends; killed (even with SIGKILL), it stops
extending, and another runner claims the recording once the lease has run out and continues from
what was stored (a recording's segmentation is one transaction, each draft another, and every
one of them checks that this runner still holds the recording: ``store/work.py``).
"""

from __future__ import annotations

import enum
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from speechlabel.core.errors import SpeechLabelError, StoreUnavailable, ValidationError
from speechlabel.core.heap import release_free_memory
from speechlabel.core.models import PrelabelState, Project
from speechlabel.core.project_scheme import draft_style
from speechlabel.prelabel.jobs import unexpected_failure
from speechlabel.prelabel.pipeline import prelabel_recording, prelabel_recordings, real_time_factor
from speechlabel.prelabel.project_options import segment_options_for, transcribe_options_for
from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine
from speechlabel.store import Store
from speechlabel.store.work import ClaimedWork, WorkLost
from speechlabel.workspace.config import Settings
from speechlabel.workspace.registered_models import use_models_dir

log = logging.getLogger(__name__)

# A runner seen this recently is up (its heartbeat beats every WorkerOptions.heartbeat_seconds).
RUNNER_SEEN_SECONDS = 30.0


class Outcome(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    LOST = "lost"  # no longer this runner's: taken over after its lease ran out, or cancelled


@dataclass(frozen=True)
class WorkerOptions:
    # Where the engines run, over what each project says: "cpu", "cuda" or "cuda:N" (that GPU).
    device: str | None = None
    # CPU threads per engine, over what each project says (0: all cores).
    threads: int | None = None
    # How long a claim holds without a heartbeat: a killed runner's recordings wait this long
    # before another runner takes them. Several heartbeats fit in it, so a busy machine that
    # misses one does not lose its work.
    lease_seconds: float = 60.0
    heartbeat_seconds: float = 5.0
    # How often an idle runner looks for work.
    poll_seconds: float = 2.0
    # Stop after this long with nothing to claim (None: run until stopped).
    idle_exit_seconds: float | None = None
    # Only this project's recordings (None: any project's).
    project_id: int | None = None
    # Stop when this job has nothing queued or running left (``speechlabel prelabel``).
    job_id: int | None = None
    # With more than 0, short recordings are claimed together, up to this much audio, and their
    # segments share Whisper windows (``pipeline.prelabel_recordings``; 120 s is four full windows).
    # Off by default: on 160 real utterances of 1-4 s (beam 5, one run of
    # bench/prelabel_throughput.py), drafting one by one gave WER 0.224 (plain faster-whisper
    # 0.223), packing in one process 0.255 at ~1.2x its speed, and runner processes claiming 120 s
    # at a time 0.273 (one) and 0.289 (two): which utterances share a window changes Whisper's
    # words, and the checks (``packing.checked``) do not yet make up for it.
    # 0: one recording per claim, drafted on its own.
    batch_audio_seconds: float = 0.0
    batch_recordings: int = 32


@dataclass(frozen=True)
class WorkerReport:
    recordings: int
    failed: int
    segments_drafted: int
    audio_seconds: float
    wall_seconds: float

    @property
    def real_time_factor(self) -> float:
        return real_time_factor(self.audio_seconds, self.wall_seconds)


class Worker:
    """One runner. ``run()`` loops until stopped (``stop()``, idle, or its job finished)."""

    def __init__(self, store: Store, settings: Settings, options: WorkerOptions | None = None):
        self.store, self.settings = store, settings
        use_models_dir(settings.models_dir)  # projects may draft with this data folder's registered models
        self.options = options or WorkerOptions()
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._held: dict[str, float] = {}  # recording id -> audio seconds drafted so far (for progress)
        self._projects: dict[int, Project] = {}
        self._drafted = 0  # segments the last _draft drafted

    def stop(self) -> None:
        self._stop.set()

    def run(self, on_recording: Callable[[WorkerReport], None] | None = None) -> WorkerReport:
        options = self.options
        started = time.perf_counter()
        done = failed = drafted = 0
        audio = 0.0
        self.store.register_runner(self.id, socket.gethostname(), os.getpid(), options.device or "per project")
        beating = threading.Thread(target=self._beat, name=f"prelabel-heartbeat-{self.id}", daemon=True)
        beating.start()
        idle_since = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    claimed = self.store.claim_work(
                        self.id,
                        options.lease_seconds,
                        project_id=options.project_id,
                        max_recordings=options.batch_recordings,
                        max_audio_seconds=options.batch_audio_seconds,
                    )
                except StoreUnavailable as error:  # the database is away for a moment: try again later
                    log.warning("runner %s could not claim work: %s", self.id, error)
                    self._stop.wait(options.poll_seconds)
                    continue
                if not claimed:
                    if self._finished() or self._idle_too_long(idle_since):
                        break
                    self._stop.wait(options.poll_seconds)
                    continue
                with self._lock:  # held from the claim on: Ctrl+C before its drafting gives it back too
                    self._held.update((work.recording_id, 0.0) for work in claimed)
                for work, outcome, count in self._draft_claimed(claimed):
                    if outcome is Outcome.LOST:
                        continue  # another runner has it, or the job was cancelled
                    done += 1
                    failed += outcome is Outcome.FAILED
                    drafted += count
                    audio += work.audio_seconds
                release_free_memory()  # a runner's memory stays flat from one claim to the next
                idle_since = time.monotonic()
                if on_recording:
                    on_recording(WorkerReport(done, failed, drafted, audio, time.perf_counter() - started))
        except BaseException:
            # Ctrl+C or a crash of the loop: what this runner holds goes back to the queue at once.
            with self._lock:
                held = list(self._held)
            self.store.release_work(self.id, held)
            raise
        finally:
            self._stop.set()
            beating.join(timeout=options.heartbeat_seconds + 5)
            self._unregister()
        return WorkerReport(done, failed, drafted, audio, time.perf_counter() - started)

    def _draft_claimed(self, claimed: list[ClaimedWork]) -> list[tuple[ClaimedWork, Outcome, int]]:
        """A claim of one recording is drafted alone; several (short ones) together, per project,
        their segments packed into shared windows. If a packed batch fails, each recording it did
        not finish is drafted alone, so a failure is the failing recording's only."""
        if len(claimed) == 1:
            outcome = self._draft(claimed[0])
            return [(claimed[0], outcome, self._drafted)]
        results = []
        for project_id in dict.fromkeys(work.project_id for work in claimed):
            batch = [work for work in claimed if work.project_id == project_id]
            try:
                self._draft_packed(batch)
            except WorkLost:
                pass  # what is still ours is finished (or drafted alone) below
            except Exception:
                log.warning(
                    "a packed batch of %d recordings failed; drafting them one by one", len(batch), exc_info=True
                )
            for work in batch:
                results.append(self._finish_or_draft_alone(work))
        return results

    def _draft_packed(self, batch: list[ClaimedWork]) -> None:
        project = self._project(batch[0].project_id)
        transcribe_options = self._transcribe_options(project)
        prelabel_recordings(
            self.store,
            self.settings,
            [self.store.get_recording(work.recording_id) for work in batch],
            segment_options_for(project),
            transcribe_options,
            get_engine(transcribe_options),
            work_owner=self.id,
            style=draft_style(project),
        )

    def _finish_or_draft_alone(self, work: ClaimedWork) -> tuple[ClaimedWork, Outcome, int]:
        try:
            if self.store.get_recording(work.recording_id).prelabel_state == PrelabelState.DRAFTED:
                count = len(self.store.list_segments(work.recording_id))
                self.store.finish_work(work.recording_id, self.id, count)
                return work, Outcome.DONE, count
        except WorkLost:
            return work, Outcome.LOST, 0
        finally:
            with self._lock:
                self._held.pop(work.recording_id, None)
        outcome = self._draft(work)
        return work, outcome, self._drafted

    def _draft(self, work: ClaimedWork) -> Outcome:
        """Draft one claimed recording (how many segments: ``self._drafted``)."""
        self._drafted = 0
        with self._lock:
            self._held[work.recording_id] = 0.0
        try:
            project = self._project(work.project_id)
            recording = self.store.get_recording(work.recording_id)
            transcribe_options = self._transcribe_options(project)

            def advanced(seconds_into_recording: float, count: int) -> None:
                with self._lock:
                    self._held[work.recording_id] = seconds_into_recording

            count = prelabel_recording(
                self.store,
                self.settings,
                recording,
                segment_options_for(project),
                transcribe_options,
                get_engine(transcribe_options),
                advanced,
                work_owner=self.id,
                style=draft_style(project),
            )
            self.store.finish_work(work.recording_id, self.id, count)
            self._drafted = count
            return Outcome.DONE
        except WorkLost:
            log.info("%s: recording %s is no longer ours; stopped drafting it", self.id, work.recording_id)
            return Outcome.LOST
        except SpeechLabelError as error:
            return self._fail(work, str(error), error.message_key, _plain_params(error.params))
        except Exception as error:  # a runner must never die on one recording: the lead has to see it
            log.exception("pre-labeling recording %s failed", work.recording_id)
            failure = unexpected_failure(error)
            return self._fail(work, str(failure), failure.message_key, failure.params)
        finally:
            with self._lock:
                self._held.pop(work.recording_id, None)

    def _fail(self, work: ClaimedWork, error: str, key: str | None, params: dict) -> Outcome:
        try:
            self.store.fail_work(work.recording_id, self.id, error, key, params)
        except WorkLost:
            return Outcome.LOST  # cancelled or taken over meanwhile: nothing of ours to record
        return Outcome.FAILED

    def _project(self, project_id: int) -> Project:
        if project_id not in self._projects:
            self._projects[project_id] = self.store.get_project_by_id(project_id)
        return self._projects[project_id]

    def _transcribe_options(self, project: Project) -> TranscribeOptions:
        options = transcribe_options_for(project)
        if self.options.device is not None:
            options = replace(options, device=engine_device(self.options.device))
        if self.options.threads is not None:
            options = replace(options, cpu_threads=self.options.threads)
        return options

    def _finished(self) -> bool:
        """With a job to follow: whether it has nothing queued or running left."""
        if self.options.job_id is None:
            return False
        return self.store.work_counts(self.options.job_id).unfinished == 0

    def _idle_too_long(self, idle_since: float) -> bool:
        limit = self.options.idle_exit_seconds
        return limit is not None and time.monotonic() - idle_since >= limit

    def _beat(self) -> None:
        while not self._stop.wait(self.options.heartbeat_seconds):
            with self._lock:
                progress = dict(self._held)
            try:
                self.store.extend_work(self.id, self.options.lease_seconds, progress)
            except Exception:  # a missed beat is not fatal: the lease has room for several
                log.warning("heartbeat of runner %s failed", self.id, exc_info=True)

    def _unregister(self) -> None:
        try:
            self.store.unregister_runner(self.id)
        except Exception:  # the database may be what stopped us; its row then ages out
            log.warning("could not unregister runner %s", self.id, exc_info=True)


_DEVICE = re.compile(r"^(cpu|cuda|auto|cuda:\d{1,2})$")


def check_device(device: str) -> str:
    """A runner's --device: cpu, cuda, auto or cuda:N (ValidationError otherwise)."""
    if not _DEVICE.match(device):
        raise ValidationError(message_key="error.worker_device", params={"device": device})
    return device


def engine_device(device: str) -> str:
    """``cuda:N`` picks that GPU for this process (CUDA_VISIBLE_DEVICES, read when the engine's
    library first touches CUDA, so before any model loads); the engine then runs on ``cuda``."""
    if device.startswith("cuda:"):
        os.environ["CUDA_VISIBLE_DEVICES"] = device.split(":", 1)[1]
        return "cuda"
    return device


def _plain_params(params: dict) -> dict:
    """Error params as JSON can keep them (a Phrase becomes its English)."""
    return {
        key: value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        for key, value in params.items()
    }
