"""`speechlabel prelabel` (queue every recording not yet drafted and draft them: a runner that
stops when the project's job has nothing left), `speechlabel worker` (a runner that drafts any
project's queued recordings until stopped) and `speechlabel status` (recordings, audio hours and
segments by status, and the pre-labeling job)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from speechlabel.core.models import SegmentStatus

if TYPE_CHECKING:
    from speechlabel.prelabel.worker import WorkerOptions
    from speechlabel.workspace.workspace import Workspace


def add_prelabel_command(prelabel: argparse.ArgumentParser) -> None:
    prelabel.add_argument("name")
    prelabel.add_argument(
        "--cancel", action="store_true", help="cancel the project's running job (what was drafted stays)"
    )
    prelabel.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="draft on a Ray cluster (auto, or the head's HOST:PORT): one runner per actor (pip install -r "
        "requirements-ray.txt)",
    )
    prelabel.add_argument(
        "--ray-actors", type=int, default=None, help="runners on the cluster (default: one per CPU it has)"
    )
    add_runner_arguments(prelabel)
    prelabel.set_defaults(handler=run_prelabel)


def add_worker_command(worker: argparse.ArgumentParser) -> None:
    add_runner_arguments(worker)
    worker.add_argument(
        "--idle-exit", type=float, default=None, metavar="S", help="stop after S seconds with nothing to draft"
    )
    worker.add_argument("--project", default=None, help="draft only this project's recordings")
    worker.set_defaults(handler=run_worker)


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        default=None,
        help="where Whisper runs: cpu, cuda or cuda:N (that GPU); default: each project's own setting",
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU threads per model (0: all cores)")
    parser.add_argument(
        "--pack-seconds",
        type=float,
        default=None,
        metavar="S",
        help="claim short recordings together, up to S seconds of audio, and pack their segments into shared "
        "Whisper windows, e.g. 120 (faster on short clips, but less accurate: see the README; default 0: each "
        "recording on its own)",
    )
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=None,
        help="how long a recording stays this runner's without a heartbeat (a killed runner's work waits that "
        "long; default 60)",
    )


def run_prelabel(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.prelabel.jobs import JobState, cancel_prelabel, project_job, queue_project

    store = workspace.store
    project = store.get_project(args.name)
    if args.cancel:
        status = cancel_prelabel(store, project, SYSTEM)
        print(f"pre-labeling of {project.name}: {status.state.value if status else 'never started'}")
        return 0
    job = queue_project(store, project, "cli")
    options = runner_options(args, project_id=project.id, job_id=job.id)
    report = _run_with_progress(workspace, options, job.id, ray_address=args.ray, ray_actors=args.ray_actors)
    status = project_job(store, project.id)
    assert status is not None  # the job queued above
    print(
        f"pre-labeled {report.recordings} recordings: {report.segments_drafted} drafts, "
        f"{report.audio_seconds:.1f} s of audio in {report.wall_seconds:.1f} s "
        f"(RTF {report.real_time_factor:.1f}x real time); the job: {status.state.value}, "
        f"{status.progress.recordings_done}/{status.progress.recordings_total} recordings"
    )
    for failure, error in zip(status.failures, status.failure_errors):
        print(f"failed: {failure.label} ({failure.recording_id}): {error}", file=sys.stderr)
    return 1 if status.state == JobState.FAILED else 0


def run_worker(workspace: Workspace, args) -> int:
    from speechlabel.prelabel.worker import Worker

    project_id = workspace.store.get_project(args.project).id if args.project else None
    options = replace(runner_options(args, project_id=project_id), idle_exit_seconds=args.idle_exit)
    worker = Worker(workspace.store, workspace.settings, options)
    print(f"worker {worker.id}: drafting queued recordings (Ctrl+C to stop)", file=sys.stderr, flush=True)
    with _stopped_by_sigterm():
        report = worker.run(
            on_recording=lambda so_far: print(
                f"{so_far.recordings} recordings ({so_far.failed} failed), {so_far.segments_drafted} drafts, "
                f"RTF {so_far.real_time_factor:.1f}",
                file=sys.stderr,
                flush=True,
            )
        )
    print(f"worker {worker.id}: stopped after {report.recordings} recordings", file=sys.stderr)
    return 0


def runner_options(args, project_id: int | None = None, job_id: int | None = None) -> WorkerOptions:
    from speechlabel.prelabel.worker import WorkerOptions, check_device

    options = WorkerOptions(
        device=check_device(args.device) if args.device else None,
        threads=args.threads,
        project_id=project_id,
        job_id=job_id,
    )
    if args.pack_seconds is not None:
        options = replace(options, batch_audio_seconds=max(args.pack_seconds, 0.0))
    return replace(options, lease_seconds=args.lease_seconds) if args.lease_seconds else options


def _run_with_progress(
    workspace: Workspace, options: WorkerOptions, job_id: int, ray_address: str | None = None, ray_actors=None
):
    """Runners on the job's project until the job has nothing left (one here, or one per Ray
    actor), with a progress bar of the whole job (what other runners draft too), read from the
    database."""
    from tqdm import tqdm

    from speechlabel.prelabel.jobs import job_status
    from speechlabel.prelabel.on_ray import RayOptions, prelabel_on_ray
    from speechlabel.prelabel.worker import Worker

    store = workspace.store
    with (
        _stopped_by_sigterm(),
        tqdm(
            desc="prelabel",
            unit="audio s",
            file=sys.stderr,
            disable=None,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} audio s [{elapsed}<{remaining}]",
        ) as bar,
    ):

        def advance(*_so_far) -> None:
            record = store.get_job(job_id)
            if record is None:
                return
            progress = job_status(store, record).progress
            bar.total = progress.audio_seconds_total
            bar.n = progress.audio_seconds_done
            bar.set_postfix_str(
                f"{progress.recordings_done}/{progress.recordings_total} recordings, {progress.segments_drafted} drafts"
            )
            bar.refresh()

        if ray_address:
            ray_options = RayOptions(ray_address, actors=ray_actors, cpus_per_actor=float(options.threads or 1))
            return prelabel_on_ray(store, workspace.settings, options, ray_options, on_progress=advance)
        return Worker(store, workspace.settings, options).run(on_recording=advance)


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (the app stopping its local worker, a service manager) stops the runner as Ctrl+C
    does: what it holds goes back to the queue at once. The handler before is restored after."""

    def stop(_signal, _frame) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def add_status_command(status: argparse.ArgumentParser) -> None:
    status.add_argument("name")
    status.set_defaults(handler=run_status)


def run_status(workspace: Workspace, args) -> int:
    from speechlabel.projects.manage import project_status

    status = project_status(workspace.store, workspace.store.get_project(args.name))
    project = status.project
    print(
        f"project {project.name} (language {project.language or 'auto'}, model {project.engine_options.get('model')})"
    )
    print(f"recordings: {status.recordings} ({status.recordings_pending} not yet pre-labeled)")
    print(f"audio: {status.audio_seconds / 3600:.3f} h")
    by_status = ", ".join(f"{s.value} {status.segments_by_status.get(s, 0)}" for s in SegmentStatus)
    print(f"segments: {status.segments} ({by_status})")
    print_job(workspace, project)
    return 0


def print_job(workspace: Workspace, project) -> None:
    """The project's pre-labeling job as every process sees it (read from the database)."""
    from speechlabel.prelabel.jobs import project_job
    from speechlabel.prelabel.worker import RUNNER_SEEN_SECONDS

    job = project_job(workspace.store, project.id)
    if job is None:
        print("pre-labeling: never started")
        return
    progress, counts = job.progress, job.counts
    left = job.seconds_left
    print(
        f"pre-labeling job {job.job_id} ({job.state.value}, started by {job.started_by}): "
        f"{progress.recordings_done}/{progress.recordings_total} recordings, "
        f"{progress.audio_seconds_done / 60:.1f}/{progress.audio_seconds_total / 60:.1f} audio min, "
        f"{counts.running} being drafted, {counts.queued} queued, {counts.failed} failed"
        + (f", about {left / 60:.1f} min left" if left is not None and job.state.value == "running" else "")
    )
    for failure, error in zip(job.failures, job.failure_errors):
        print(f"  failed: {failure.label} ({failure.recording_id}): {error}")
    for runner in workspace.store.live_runners(RUNNER_SEEN_SECONDS):
        print(f"  runner {runner.id} on {runner.host} (device {runner.device}), up since {runner.started_at:%H:%M:%S}")
