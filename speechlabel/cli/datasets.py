"""The ``speechlabel import-dataset`` command's options and report, kept beside the import so
the command line and the options grow together (``cli.py`` only wires them up)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from speechlabel.ingest.datasets.options import DatasetKind, ImportOptions
from speechlabel.ingest.datasets.run import DatasetImportReport

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_import_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the project to import into")
    parser.add_argument(
        "path",
        type=Path,
        help="a NeMo manifest, a Lhotse recordings/supervisions file, or a "
        "dataset folder (NeMo manifests, a Lhotse pair, or audio with .srt/.vtt/.TextGrid beside it)",
    )
    parser.add_argument(
        "--kind", choices=[kind.value for kind in DatasetKind], help="read PATH as this kind instead of detecting it"
    )
    parser.add_argument("--tier", help="the TextGrid tier to read (default: the first interval tier)")


def options_from_args(args) -> ImportOptions:
    return ImportOptions(kind=DatasetKind.parse(args.kind) if args.kind else None, tier=args.tier).validated()


def report_lines(report: DatasetImportReport) -> tuple[list[str], list[str]]:
    """What the command prints: (lines for stdout, lines for stderr)."""
    out = [f"imported {recording.label} as {recording.id}" for recording in report.recordings]
    out += [f"skipped {duplicate.source}: {duplicate.message}" for duplicate in report.duplicates]
    errors = [f"problem {problem}" for problem in report.problems]
    out.append(
        f"{report.kind.value} dataset {report.path}: {len(report.recordings)} recordings and "
        f"{report.segments} segments imported as drafts; {len(report.duplicates)} recordings already in the "
        f"project ({report.duplicate_segments} segments); {report.skipped_segments} segments skipped; "
        f"{len(report.problems)} problems"
    )
    return out, errors


def add_import_dataset_command(import_data: argparse.ArgumentParser) -> None:
    from speechlabel.cli.datasets import add_import_dataset_arguments

    add_import_dataset_arguments(import_data)
    import_data.set_defaults(handler=run_import_dataset)


def run_import_dataset(workspace: Workspace, args) -> int:
    from tqdm import tqdm

    from speechlabel.accounts.access import SYSTEM
    from speechlabel.cli.datasets import options_from_args as import_options_from_args
    from speechlabel.cli.datasets import report_lines
    from speechlabel.ingest.datasets import import_dataset

    project = workspace.store.get_project(args.name)
    options = import_options_from_args(args)
    with tqdm(desc="import-dataset", unit="recording", file=sys.stderr, disable=None) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(1)

        report = import_dataset(
            workspace.store, workspace.settings, project, args.path, options, on_item=advance, actor=SYSTEM
        )
    out, errors = report_lines(report)
    for line in errors:
        print(line, file=sys.stderr)
    for line in out:
        print(line)
    return 1 if report.problems else 0
