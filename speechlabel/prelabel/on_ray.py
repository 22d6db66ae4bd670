"""Pre-labeling on a Ray cluster: the runners of ``speechlabel worker``, one per Ray actor.

Each actor opens the store from the database URL and the data folder it is given (every node
must reach both: PostgreSQL, or SQLite on a shared disk, and the data folder at the same path),
loads its model once and runs the same claim-and-draft loop as any other runner
(``prelabel/worker.py``). So the cluster claims recordings through the database like everyone
else: a node that is lost takes its actor with it, the recording that actor held is claimed
again once its lease has run out (continuing from what was stored, duplicating nothing), and
the driver starts a replacement actor while work is left. Ray is an optional extra
(``requirements-ray.txt``); the code this module ships to the cluster is this speechlabel
(``runtime_env`` ``py_modules``), so the nodes need only its dependencies.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import speechlabel
from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.pipeline import real_time_factor
from speechlabel.prelabel.worker import Worker, WorkerOptions, WorkerReport
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RayOptions:
    # "auto" (the cluster this machine belongs to), "HOST:PORT" of the head, or "ray://HOST:10001".
    address: str
    # Runners to start (None: one per CPU the cluster has, over cpus_per_actor).
    actors: int | None = None
    cpus_per_actor: float = 1.0
    # Replacements for actors lost with their node, in all, before giving up.
    max_replacements: int = 4
    poll_seconds: float = 1.0


@dataclass(frozen=True)
class RayReport:
    recordings: int
    segments_drafted: int
    audio_seconds: float
    wall_seconds: float
    actors_started: int
    actors_lost: int

    @property
    def real_time_factor(self) -> float:
        return real_time_factor(self.audio_seconds, self.wall_seconds)


class RayRunner:
    """The body of one actor: a runner on the store and data folder the driver named."""

    def __init__(self, database_url: str, data_dir: str, options: WorkerOptions):
        settings = Settings(data_dir=Path(data_dir), database_url=database_url)
        self._store = Store.open(database_url, migrate=False)
        self._worker = Worker(self._store, settings, options)

    def process(self) -> int:
        return os.getpid()

    def run(self) -> WorkerReport:
        try:
            return self._worker.run()
        finally:
            self._store.close()


def prelabel_on_ray(
    store: Store,
    settings: Settings,
    options: WorkerOptions,
    ray_options: RayOptions,
    on_progress: Callable[[], None] | None = None,
) -> RayReport:
    """Run runners as Ray actors until ``options.job_id`` has nothing queued or running left."""
    if options.job_id is None:
        raise ValidationError(message_key="error.ray_needs_job")
    ray = _ray()
    ray.init(
        address=ray_options.address,
        runtime_env={"py_modules": [str(Path(speechlabel.__file__).resolve().parent)]},
        log_to_driver=False,
    )
    try:
        return _drive(ray, store, settings, options, ray_options, on_progress)
    finally:
        ray.shutdown()


def _drive(ray, store, settings, options, ray_options, on_progress) -> RayReport:
    started = time.perf_counter()
    count = ray_options.actors or max(1, int(ray.cluster_resources().get("CPU", 1) // ray_options.cpus_per_actor))
    # Each actor's model uses its own CPUs (or its GPU); Ray places them by those resources.
    gpus = 1 if (options.device or "").startswith("cuda") else 0
    if gpus:
        options = replace(options, device="cuda")  # Ray gives each actor its GPU (CUDA_VISIBLE_DEVICES)
    actor_class = ray.remote(num_cpus=ray_options.cpus_per_actor, num_gpus=gpus, max_restarts=0)(RayRunner)
    url, data_dir = store.url_for_other_processes(), str(settings.data_dir)

    def start_actor():
        return actor_class.options(scheduling_strategy="SPREAD").remote(url, data_dir, options)

    # An actor lives while its handle does: each is dropped when its run ends, freeing its CPUs
    # for a replacement.
    running = {actor.run.remote(): actor for actor in (start_actor() for _ in range(count))}
    reports: list[WorkerReport] = []
    lost = replacements = 0
    while running:
        finished, _ = ray.wait(list(running), timeout=ray_options.poll_seconds)
        for ref in finished:
            running.pop(ref)
            try:
                reports.append(ray.get(ref))
            except ray.exceptions.RayError as error:  # its node (or its process) is gone
                lost += 1
                log.warning("a pre-labeling actor was lost: %s", error)
                if store.work_counts(options.job_id).unfinished and replacements < ray_options.max_replacements:
                    replacement = start_actor()
                    running[replacement.run.remote()] = replacement
                    replacements += 1
        if on_progress:
            on_progress()
    return RayReport(
        sum(report.recordings for report in reports),
        sum(report.segments_drafted for report in reports),
        sum(report.audio_seconds for report in reports),
        time.perf_counter() - started,
        count + replacements,
        lost,
    )


def _ray():
    try:
        import ray
    except ImportError as error:
        raise ValidationError(message_key="error.ray_missing") from error
    return ray
