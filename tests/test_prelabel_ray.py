"""Pre-labeling on a real two-node Ray cluster started on this machine (``ray start --head`` and
a second ``ray start --address``), with the second node killed (SIGKILL to all its processes)
while its actor drafts: the run finishes with every recording drafted exactly once. SQLite and
PostgreSQL, the real bundled model (tiny.en)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
from sqlalchemy import select

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import PrelabelState
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.jobs import JobState, project_job, start_prelabel
from speechlabel.prelabel.on_ray import RayOptions, prelabel_on_ray
from speechlabel.prelabel.worker import WorkerOptions
from speechlabel.projects.manage import create_project
from speechlabel.store import schema
from tests.streamlit_server import free_port

pytestmark = pytest.mark.slow
ray = pytest.importorskip("ray")

HARVARD = [f"en/speechbrain_harvard_spk{speaker}_snt{n}.wav" for speaker in (1, 2) for n in range(1, 6)]
RAY_ENV = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")


@pytest.fixture
def two_nodes():
    """A head node and a second node (its own process group, so it can be killed whole), one CPU
    each; yields (the head's address, the second node's process)."""
    ray_cli = shutil.which("ray")
    assert ray_cli, "the ray command is missing: pip install -r requirements-ray.txt"
    address = f"127.0.0.1:{free_port()}"
    head = [ray_cli, "start", "--head", f"--port={address.split(':')[1]}", "--num-cpus=1"]
    subprocess.run(
        [*head, "--include-dashboard=false", "--disable-usage-stats"], env=RAY_ENV, check=True, capture_output=True
    )
    second = subprocess.Popen(
        [ray_cli, "start", f"--address={address}", "--num-cpus=1", "--block"],
        env=RAY_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_nodes(address, 2)
        yield address, second
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
        subprocess.run([ray_cli, "stop", "--force"], env=RAY_ENV, capture_output=True)


def wait_for_nodes(address: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        ray.init(address=address, log_to_driver=False)
        try:
            alive = [node for node in ray.nodes() if node["Alive"]]
        finally:
            ray.shutdown()
        if len(alive) >= count:
            return
        assert time.monotonic() < deadline, f"{len(alive)} of {count} Ray nodes came up"
        time.sleep(1)


def test_a_node_killed_mid_run_and_every_recording_is_drafted_exactly_once(store, settings, speech_dir, two_nodes):
    address, second_node = two_nodes
    project = create_project(
        store, "calls", language="en", transcribe_options=TranscribeOptions(model="tiny.en"), actor=SYSTEM
    )
    recordings = [
        import_audio(store, settings, project, (speech_dir / name).read_bytes(), name.split("/")[-1])
        for name in ["en/jfk.wav", *HARVARD]
    ]
    job = start_prelabel(store, project, SYSTEM)
    # Claims of about two short recordings (packed together, opted in): both nodes get work to the end.
    options = WorkerOptions(
        job_id=job.job_id, lease_seconds=4, heartbeat_seconds=1, poll_seconds=0.2, batch_audio_seconds=8
    )
    outcome: dict = {}

    def drive() -> None:
        try:
            outcome["report"] = prelabel_on_ray(store, settings, options, RayOptions(address, actors=2))
        except BaseException as error:  # reported by the test below
            outcome["error"] = error

    driver = threading.Thread(target=drive)
    driver.start()
    holder, actor_process = wait_until_the_second_node_drafts(store, job.job_id, second_node.pid)
    os.killpg(second_node.pid, signal.SIGKILL)  # the node (its raylet and agents) and its actor, mid-recording
    os.kill(actor_process, signal.SIGKILL)
    driver.join(600)
    assert "error" not in outcome, outcome
    report = outcome["report"]
    # (a replacement started while the node was dying may be lost too; what a lost actor drafted is
    # not in its report)
    assert report.actors_lost >= 1 and report.recordings >= 1

    status = project_job(store, project.id)
    assert status.state == JobState.DONE and status.progress.recordings_done == len(recordings)
    assert {r.prelabel_state for r in store.list_recordings(project.id)} == {PrelabelState.DRAFTED}
    drafts = schema.drafts
    with store.read() as connection:
        per_segment = connection.execute(select(drafts.c.segment_id, drafts.c.id).order_by(drafts.c.segment_id)).all()
        taken_again = connection.execute(
            select(schema.prelabel_work.c.attempts).where(schema.prelabel_work.c.recording_id == holder)
        ).scalar_one()
    segment_ids = [segment_id for segment_id, _ in per_segment]
    assert segment_ids and len(segment_ids) == len(set(segment_ids))  # one draft per segment
    assert len(segment_ids) == sum(len(store.list_segments(r.id)) for r in recordings)
    assert taken_again == 2  # the recording the lost node held was claimed once more


def parent_of(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])


def wait_until_the_second_node_drafts(store, job_id: int, node_group: int, timeout: float = 300) -> tuple[str, int]:
    """The recording the second node's runner holds and the runner's process, once something is
    drafted and the job still has work left (so the kill lands mid-run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = store.work_counts(job_id)
        assert counts.unfinished, "the job finished before the node could be killed"
        for runner in store.live_runners(30):
            try:  # Ray's worker processes have sessions of their own; their parent is their node's raylet
                on_second_node = os.getpgid(parent_of(runner.pid)) == node_group
            except (ProcessLookupError, FileNotFoundError):
                continue
            if on_second_node and counts.done >= 1:
                with store.read() as connection:
                    work = schema.prelabel_work
                    held = connection.execute(
                        select(work.c.recording_id).where(work.c.owner == runner.id, work.c.state == "running")
                    ).scalar()
                if held is not None:
                    return held, runner.pid
        time.sleep(0.05)
    raise AssertionError("the second node's runner never held a recording")
