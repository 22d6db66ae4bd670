"""`speechlabel prelabel` (segment and draft every recording not yet done) and `speechlabel
status` (recordings, audio hours and segments by status)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from speechlabel.core.models import SegmentStatus

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_prelabel_command(prelabel: argparse.ArgumentParser) -> None:
    prelabel.add_argument("name")
    prelabel.set_defaults(handler=run_prelabel)


def run_prelabel(workspace: Workspace, args) -> int:
    from tqdm import tqdm

    from speechlabel.prelabel.jobs import claim_or_wait, run_claimed
    from speechlabel.prelabel.pipeline import PrelabelProgress

    project = workspace.store.get_project(args.name)
    with tqdm(
        desc="prelabel",
        unit="audio s",
        file=sys.stderr,
        disable=None,
        bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} audio s [{elapsed}<{remaining}]",
    ) as bar:

        def advance(progress: PrelabelProgress):
            bar.total = progress.audio_seconds_total
            bar.n = progress.audio_seconds_done
            bar.set_postfix_str(
                f"{progress.recordings_done}/{progress.recordings_total} recordings, {progress.segments_drafted} drafts"
            )
            bar.refresh()

        job = claim_or_wait(
            workspace.store,
            project,
            "cli",
            on_wait=lambda holder: print(
                f"waiting: pre-labeling job {holder.id} (started by {holder.started_by}, process {holder.pid} on "
                f"{holder.host}) is running on project {project.name!r}; this run continues with what it leaves",
                file=sys.stderr,
                flush=True,
            ),
        )
        report = run_claimed(workspace.store, workspace.settings, project, job, on_progress=advance)
    print(
        f"pre-labeled {report.recordings} recordings: {report.segments_drafted} drafts, "
        f"{report.audio_seconds:.1f} s of audio in {report.wall_seconds:.1f} s "
        f"(RTF {report.real_time_factor:.1f}x real time)"
    )
    return 0


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
    return 0
