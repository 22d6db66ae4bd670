"""`speechlabel import`: audio files and folders into a project."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_import_command(importer: argparse.ArgumentParser) -> None:
    importer.add_argument("name")
    importer.add_argument("paths", nargs="+", type=Path)
    importer.set_defaults(handler=run_import)


def run_import(workspace: Workspace, args) -> int:
    from tqdm import tqdm

    from speechlabel.ingest.files import import_paths

    project = workspace.store.get_project(args.name)
    with tqdm(desc="import", unit="file", file=sys.stderr, disable=None) as bar:

        def advance(path, index, total):
            bar.total = total
            bar.update(1)
            bar.set_postfix_str(path.name[-30:])

        report = import_paths(workspace.store, workspace.settings, project, args.paths, on_file=advance)
    for recording in report.imported:
        print(f"imported {recording.label} as {recording.id} ({recording.duration:.1f} s)")
    for warning in report.warnings:
        # A recording imported with flags (the project's recording checks) is a result, not a fault.
        flagged = warning.message_key == "warning.qc_flagged"
        print(
            f"{'flagged' if flagged else 'warning'} {warning.source}: {warning.message}",
            file=sys.stdout if flagged else sys.stderr,
        )
    for duplicate in report.duplicates:
        print(f"skipped {duplicate.source}: {duplicate.message}")
    for failure in report.failures:
        print(f"failed {failure.source}: {failure.message}", file=sys.stderr)
    print(f"{len(report.imported)} imported, {len(report.duplicates)} duplicates, {len(report.failures)} failed")
    return 1 if report.failures else 0
