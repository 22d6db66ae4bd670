"""The ``speechlabel export`` command's options, turned into :class:`ExportOptions`.

Kept here rather than in ``cli.py`` so the command line and the options grow together.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from speechlabel.conventions import Side
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Project, SegmentStatus
from speechlabel.export.command_clips import LongClips, SpeechCommandsOptions
from speechlabel.export.formats import format_name, format_names
from speechlabel.export.options import ExportOptions, SplitBy, TextVariant, parse_format
from speechlabel.store import Store

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace

DEFAULT_STATUS = ",".join(status.value for status in ExportOptions().statuses or ())
EVERY_STATUS = "all"


def add_export_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument("name")
    export.add_argument(
        "--format",
        choices=format_names(),
        default="jsonl",
        help="nemo manifest, hf audiofolder, lhotse manifests, kaldi data dir, speech_commands (a folder per "
        "command of 1 s clips, Google Speech Commands' split lists), or jsonl with full provenance (default)",
    )
    export.add_argument("--out", required=True, type=Path, help="output folder (must not exist or be empty)")
    export.add_argument(
        "--status",
        default=DEFAULT_STATUS,
        help=f"comma-separated statuses to include, or 'all' for every status (default: {DEFAULT_STATUS})",
    )
    export.add_argument("--since", help="only segments last edited on/after this date or time (ISO, UTC if no zone)")
    export.add_argument("--until", help="only segments last edited before this date or time (ISO, UTC if no zone)")
    export.add_argument("--labeler", help="only segments whose labeler of record (who submitted them) is this user")
    export.add_argument(
        "--recording",
        action="append",
        metavar="ID_OR_NAME",
        help="only this recording (id or file name); repeat for more",
    )
    export.add_argument("--tag", action="append", default=[], help="only segments with this tag; repeat: any of them")
    export.add_argument("--without-tag", action="append", default=[], help="leave out segments with this tag")
    export.add_argument(
        "--text",
        choices=[v.value for v in TextVariant],
        default="verbatim",
        help="verbatim (as stored, with tags); clean (any scheme's tags removed); by the project's "
        "tag scheme: disfluent (tags and marks removed, fillers and repetitions kept) or "
        "fluent (fillers and repetitions removed too)",
    )
    export.add_argument(
        "--dual-side",
        choices=[side.value for side in Side],
        help="which side of each dual transcription (70%%)/(칠십 퍼센트) stays (default: both for "
        "verbatim, pronunciation for the others)",
    )
    export.add_argument(
        "--offsets", action="store_true", help="reference whole recordings with offset instead of cutting clips"
    )
    export.add_argument(
        "--sample-rate", type=int, default=ExportOptions().sample_rate, help="sample rate of the audio written (Hz)"
    )
    export.add_argument(
        "--split-by",
        choices=[v.value for v in SplitBy],
        help="write train/dev/test with no recording (or speaker) in two splits",
    )
    export.add_argument("--split", default="0.8,0.1,0.1", help="train,dev,test shares of audio (default 0.8,0.1,0.1)")
    export.add_argument("--seed", type=int, default=0, help="seed of the split (same seed, same split)")
    export.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    export.add_argument(
        "--long-clips",
        choices=[v.value for v in LongClips],
        default=SpeechCommandsOptions.long_clips.value,
        help="speech_commands: a segment over 1 s is cut around its middle (trim, listed in trimmed_list.txt) "
        "or refuses the export (refuse)",
    )
    export.add_argument(
        "--noise-tag",
        action="append",
        help="speech_commands: segments with this tag go whole to _background_noise_/ (repeat; default: noise)",
    )


def options_from_args(args, store: Store, project: Project) -> ExportOptions:
    return ExportOptions(
        statuses=parse_statuses(args.status),
        cut_clips=not args.offsets,
        overwrite=args.overwrite,
        format=parse_format(args.format),
        edited_since=parse_moment(args.since, "--since"),
        edited_until=parse_moment(args.until, "--until"),
        labeler=args.labeler,
        recording_ids=resolve_recordings(store, project, args.recording) if args.recording else None,
        with_tags=tuple(args.tag),
        without_tags=tuple(args.without_tag),
        text=TextVariant.parse(args.text),
        dual_side=args.dual_side,
        sample_rate=args.sample_rate,
        split_by=SplitBy.parse(args.split_by) if args.split_by else None,
        # Any count of numbers: validated() refuses all but three, with the message a user needs.
        split_shares=cast(tuple[float, float, float], parse_shares(args.split)),
        seed=args.seed,
        speech_commands=SpeechCommandsOptions(
            long_clips=LongClips(args.long_clips),
            noise_tags=tuple(args.noise_tag) if args.noise_tag else SpeechCommandsOptions.noise_tags,
        ),
    ).validated()


def parse_statuses(value: str) -> tuple[SegmentStatus, ...] | None:
    """``--status``: a comma-separated list of statuses, or ``all`` (None: every status)."""
    if value.strip().lower() == EVERY_STATUS:
        return None
    statuses = tuple(SegmentStatus.parse(part) for part in value.split(",") if part.strip())
    if not statuses:
        raise ValidationError(message_key="error.cli_status_empty")
    return statuses


def parse_moment(value: str | None, option: str) -> datetime | None:
    """An ISO date (midnight UTC) or date and time (UTC unless a zone is given)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(message_key="error.cli_not_a_date", params={"option": option, "value": value}) from None
    if len(value.strip()) == 10:  # a bare date
        moment = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def parse_shares(value: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in value.split(","))
    except ValueError:
        raise ValidationError(message_key="error.cli_split_shares", params={"value": value}) from None


def resolve_recordings(store: Store, project: Project, names: list[str]) -> tuple[str, ...]:
    """Recording ids for ids or file names (labels) of the project's recordings."""
    recordings = store.list_recordings(project.id)
    by_id = {r.id: r.id for r in recordings}
    by_label: dict[str, list[str]] = {}
    for recording in recordings:
        by_label.setdefault(recording.label, []).append(recording.id)
    chosen = []
    for name in names:
        if name in by_id:
            chosen.append(name)
        elif name in by_label:
            chosen.extend(by_label[name])
        else:
            raise ValidationError(message_key="error.cli_no_recording", params={"name": name, "project": project.name})
    return tuple(dict.fromkeys(chosen))


def add_export_command(export: argparse.ArgumentParser) -> None:
    from speechlabel.cli.export import add_export_arguments

    add_export_arguments(export)
    export.set_defaults(handler=run_export)


def run_export(workspace: Workspace, args) -> int:
    from tqdm import tqdm

    from speechlabel.accounts.access import SYSTEM
    from speechlabel.cli.export import options_from_args
    from speechlabel.export import export_dataset

    project = workspace.store.get_project(args.name)
    options = options_from_args(args, workspace.store, project)
    with tqdm(desc="export", unit="segment", file=sys.stderr, disable=None) as bar:
        report = export_dataset(
            workspace.store,
            workspace.settings,
            project,
            args.out,
            options,
            on_segment=lambda _count: bar.update(1),
            actor=SYSTEM,
        )
    print(
        f"exported {report.segments} segments ({report.audio_seconds / 60:.1f} min; statuses: "
        f"{options.included_statuses}) as {format_name(options.format)} to {report.out_dir}"
    )
    for split in report.splits:
        if split.name:
            print(f"  {split.name}: {split.segments} segments, {split.seconds / 60:.1f} min, {split.speakers} speakers")
    return 0
