"""`speechlabel assign`: lease a project's free segments (or a recording) to a labeler."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_assign_command(assign: argparse.ArgumentParser) -> None:
    assign.add_argument("name", help="the project")
    assign.add_argument("--to", required=True, metavar="USER", help="a labeler or lead of the project")
    what = assign.add_mutually_exclusive_group(required=True)
    what.add_argument("--segments", type=int, metavar="N", help="the next N free segments of the pool")
    what.add_argument("--recording", metavar="ID", help="every free segment of one recording")
    assign.set_defaults(handler=run_assign)


def run_assign(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.labeling.assignment import assign_recording, assign_segments

    store = workspace.store
    project = store.get_project(args.name)
    if args.recording:
        given = assign_recording(store, SYSTEM, project, args.to, args.recording)
    else:
        given = assign_segments(store, SYSTEM, project, args.to, args.segments)
    lease = project.assignment_settings.lease_minutes
    print(f"{len(given)} segments leased to {args.to} for {lease:g} minutes (renewed while they save)")
    return 0
