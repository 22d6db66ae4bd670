"""Pre-labeling by runner *processes* (``speechlabel worker``) and on a Ray cluster, timed from
the outside: the rows (b) and ``--ray`` of ``bench/prelabel_throughput.py``.

    python -m bench.prelabel_runners [--workers 1,2] [--ray] [--model base] [--speech-dir ../shared/speech]

Each row builds a fresh data folder (SQLite) with a project of the given files, queues it
(``jobs.start_prelabel``) and starts N ``speechlabel worker --project NAME --idle-exit`` processes
(or ``speechlabel prelabel NAME --ray ADDRESS --ray-actors N`` against a two-node cluster started
on this machine), then times until the job has nothing left. Printed per row: audio seconds,
wall seconds (from the first process's start: model loading included, as a lead waits for it),
RTF, WER of the drafts against the references and the highest peak RSS of one process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from speechlabel.accounts.access import SYSTEM  # noqa: E402
from speechlabel.analytics.metrics import word_error_rate  # noqa: E402
from speechlabel.ingest.files import import_paths  # noqa: E402
from speechlabel.prelabel.jobs import JobState, project_job, start_prelabel  # noqa: E402
from speechlabel.prelabel.local_worker import worker_environment  # noqa: E402
from speechlabel.prelabel.transcribe import TranscribeOptions  # noqa: E402
from speechlabel.projects.manage import create_project  # noqa: E402
from speechlabel.workspace.config import Settings  # noqa: E402
from speechlabel.workspace.workspace import Workspace  # noqa: E402

DEFAULT_SPEECH = REPO.parent / "shared" / "speech"


@dataclass(frozen=True)
class Item:
    """One recording and the words said in it (None: noise, nothing said)."""

    path: Path
    reference: str | None


@dataclass(frozen=True)
class RunnerRow:
    name: str
    audio_seconds: float
    wall_seconds: float
    wer: float
    peak_rss_mb: float | None  # the largest runner process's peak (None: Ray actors, not ours to read)
    recordings: int  # drafted
    texts: dict[str, str]  # item path -> its drafts' text
    failed: int = 0  # recordings the job failed (their words count as missed)

    @property
    def rtf(self) -> float:
        return self.audio_seconds / self.wall_seconds if self.wall_seconds else 0.0


def with_workers(items: list[Item], model: str, workers: int, language: str = "en") -> RunnerRow:
    """N ``speechlabel worker`` processes on a queued project."""
    with FreshProject(items, model, language) as (workspace, project):
        store, settings = workspace.store, workspace.settings
        job = start_prelabel(store, project, SYSTEM)
        started = time.perf_counter()
        processes = [
            _speechlabel(store, settings, "worker", "--project", project.name, "--idle-exit", "2")
            for _ in range(workers)
        ]
        peak = _wait_for_job(store, project.id, processes)
        wall = time.perf_counter() - started
        for process in processes:
            process.wait(timeout=120)
        name = f"(b) new pipeline, {workers} worker process(es)"
        return _row(name, workspace, project, job.job_id, items, wall, peak)


def on_ray(items: list[Item], model: str, actors: int, language: str = "en") -> RunnerRow:
    """``speechlabel prelabel NAME --ray ADDRESS`` on a two-node cluster started on this machine."""
    with TwoNodeCluster() as address, FreshProject(items, model, language) as (workspace, project):
        store, settings = workspace.store, workspace.settings
        started = time.perf_counter()
        driver = _speechlabel(store, settings, "prelabel", project.name, "--ray", address, "--ray-actors", str(actors))
        out, err = driver.communicate(timeout=3600)
        wall = time.perf_counter() - started
        if driver.returncode != 0:
            raise SystemExit(f"the Ray run failed ({driver.returncode}):\n{err[-3000:]}")
        job = project_job(store, project.id)
        assert job is not None
        return _row(f"--ray, {actors} actors on 2 nodes", workspace, project, job.job_id, items, wall, None)


class FreshProject:
    """A fresh data folder with a project of ``items`` (the bundled ``model``)."""

    def __init__(self, items: list[Item], model: str, language: str):
        self.items, self.model, self.language = items, model, language

    def __enter__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="bench-runners-"))
        self.workspace = Workspace.open(Settings(data_dir=self.folder / "data"))
        options = TranscribeOptions(model=self.model)
        project = create_project(
            self.workspace.store, "bench", language=self.language, transcribe_options=options, actor=SYSTEM
        )
        report = import_paths(self.workspace.store, self.workspace.settings, project, [i.path for i in self.items])
        if report.failures:
            raise SystemExit(f"import failed: {report.failures[0].message}")
        return self.workspace, project

    def __exit__(self, *exc) -> None:
        self.workspace.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _speechlabel(store, settings: Settings, *args: str) -> subprocess.Popen:
    env = dict(worker_environment(store, settings), RAY_USAGE_STATS_ENABLED="0")
    return subprocess.Popen(
        [sys.executable, "-m", "speechlabel", "--data-dir", str(settings.data_dir), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_job(store, project_id: int, processes: list[subprocess.Popen], timeout: float = 3600) -> float:
    """Wait until the job has nothing left; the highest peak RSS (MB) a worker process reached."""
    deadline = time.monotonic() + timeout
    peak = 0.0
    while (status := project_job(store, project_id)) is not None and status.state == JobState.RUNNING:
        peak = max([peak, *(_peak_rss_mb(process.pid) for process in processes)])
        if all(process.poll() is not None for process in processes):
            raise SystemExit(f"every worker stopped with the job unfinished: {processes[0].communicate()[1][-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit("the job did not finish in time")
        time.sleep(0.1)
    return peak


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0  # already gone
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def _row(
    name: str, workspace, project, job_id: int, items: list[Item], wall: float, peak_rss_mb: float | None
) -> RunnerRow:
    store = workspace.store
    by_label = {item.path.name: item for item in items}
    texts = {
        str(by_label[recording.label].path): " ".join(s.text for s in store.list_segments(recording.id) if s.text)
        for recording in store.list_recordings(project.id)
    }
    spoken = [item for item in items if item.reference is not None]
    pooled = word_error_rate(  # pooled over all words
        " ".join(item.reference or "" for item in spoken), " ".join(texts.get(str(item.path), "") for item in spoken)
    )
    counts = store.work_counts(job_id)
    return RunnerRow(name, counts.audio_seconds_total, wall, pooled, peak_rss_mb, counts.done, texts, counts.failed)


class TwoNodeCluster:
    """``ray start --head`` and a second ``ray start --address`` on this machine, one CPU each."""

    def __enter__(self) -> str:
        ray_cli = shutil.which("ray")
        if ray_cli is None:
            raise SystemExit("ray is not installed: pip install -r requirements-ray.txt")
        env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
        self.ray_cli, self.env = ray_cli, env
        port = "6399"
        subprocess.run(
            [ray_cli, "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false"],
            env=env,
            check=True,
            capture_output=True,
        )
        self.second = subprocess.Popen(
            [ray_cli, "start", f"--address=127.0.0.1:{port}", "--num-cpus=1", "--block"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(8)  # the second node registers with the head
        return f"127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        if self.second.poll() is None:
            os.killpg(self.second.pid, signal.SIGKILL)
        subprocess.run([self.ray_cli, "stop", "--force"], env=self.env, capture_output=True)


def print_rows(rows: list[RunnerRow]) -> None:
    for row in rows:
        print(
            f"  {row.name:42s} audio {row.audio_seconds:7.1f} s  wall {row.wall_seconds:7.1f} s  "
            f"RTF {row.rtf:6.2f}  WER {row.wer:.3f}  peak RSS "
            + (f"{row.peak_rss_mb:6.0f} MB" if row.peak_rss_mb is not None else "   n/a")
            + f"  ({row.recordings} recordings)"
        )


def shared_items(speech_dir: Path) -> list[Item]:
    """The shared English recordings that come with a reference (``NAME.txt`` beside ``NAME.wav``)."""
    return [
        Item(wav, wav.with_suffix(".txt").read_text(encoding="utf-8").strip())
        for wav in sorted((speech_dir / "en").glob("*.wav"))
        if wav.with_suffix(".txt").is_file()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--ray", action="store_true", help="also on a local two-node Ray cluster")
    parser.add_argument("--model", default="base")
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    args = parser.parse_args()
    items = shared_items(args.speech_dir)
    rows = [with_workers(items, args.model, int(n)) for n in args.workers.split(",")]
    if args.ray:
        rows.append(on_ray(items, args.model, actors=2))
    print(f"pre-labeling {len(items)} shared English recordings with {args.model}:")
    print_rows(rows)


if __name__ == "__main__":
    main()
