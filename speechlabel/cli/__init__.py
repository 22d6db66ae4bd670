"""Command line: ``speechlabel`` / ``python -m speechlabel``.

Every command calls the same domain functions as the app. Errors print one line to stderr and
exit with status 1 (2 for wrong usage, as argparse does). ``--lang ko`` (or a Korean locale)
prints errors, lint problems and convert-text notes in Korean; the help and the commands'
reports stay English.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from speechlabel.accounts.access import SYSTEM
from speechlabel.accounts.users import MAX_PASSWORD_LENGTH, create_user, generate_password, list_users, set_role, validate_username
from speechlabel.labeling.assignment import assign_recording, assign_segments
from speechlabel.workspace.config import Settings
from speechlabel.cli.conventions import add_convention_options, convention_settings_from_args, format_convention_settings
from speechlabel.cli.lint import add_lint_arguments, run_lint_command
from speechlabel.cli.convert_text import add_convert_arguments, run_convert_command
from speechlabel.ingest.datasets import import_dataset
from speechlabel.cli.datasets import add_import_dataset_arguments, report_lines
from speechlabel.cli.datasets import options_from_args as import_options_from_args
from speechlabel.prelabel.engines.registry import engine_names
from speechlabel.core.errors import Conflict, NotFound, SpeechLabelError, ValidationError
from speechlabel.export import export_dataset
from speechlabel.cli.export import add_export_arguments, options_from_args
from speechlabel.export.formats import format_name
from speechlabel.i18n import Lang, environment_language, error_message, translate
from speechlabel.ingest.files import import_paths
from speechlabel.prelabel.jobs import claim_or_wait, run_claimed
from speechlabel.core.models import DEFAULT_LOW_CONFIDENCE, DEFAULT_TAGS, AssignmentSettings, ConventionSettings, LabelSettings, ReviewReason, ReviewSettings, SegmentStatus
from speechlabel.prelabel.pipeline import PrelabelProgress
from speechlabel.core.project_settings import ASSIGNMENT, REVIEW
from speechlabel.projects.conventions import project_scheme, update_convention_settings
from speechlabel.projects.manage import create_project, project_status, read_glossary, split_names, update_assignment_settings, update_label_settings
from speechlabel.review.decisions import ReviewOrder, ReviewQuery, approve, bulk_approve, count_to_review, reject, review_queue, update_review_settings
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.cli.project_settings import add_setting_options, settings_from_args
from speechlabel.prelabel.transcribe import TranscribeOptions
from speechlabel.prelabel.engines.options import DEVICES, default_compute_type
from speechlabel.workspace.workspace import Workspace

USER_ROLES = ("admin", "lead", "reviewer", "labeler")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang = Lang(args.lang) if args.lang else environment_language(os.environ)
    logging.basicConfig(level=logging.WARNING if not args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    workspace = None
    try:
        if args.needs_workspace:
            workspace = Workspace.open(Settings.from_env(args.data_dir))
        return args.handler(workspace, args)
    except SpeechLabelError as error:
        print(translate("cli.error", args.lang, message=error_message(error, args.lang)), file=sys.stderr)
        return 1
    except OSError as error:  # disk full, permission denied, unreadable path: still one line
        # The system's own words (strerror) follow the process locale, not --lang.
        message = f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
        print(translate("cli.error", args.lang, message=message), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(translate("cli.interrupted", args.lang), file=sys.stderr)
        return 130
    finally:
        if workspace is not None:
            workspace.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="speechlabel", description="Speech-data transcription and labeling.")
    parser.add_argument("--data-dir", help="data folder (default: $SPEECHLABEL_DATA_DIR or ./data)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--lang", choices=[lang.value for lang in Lang],
                        help="language of errors, lint problems and convert-text notes: en or ko (default: ko when "
                             "LC_ALL, LC_MESSAGES or LANG starts with ko, else en); this help and the commands' "
                             "reports stay English")
    parser.set_defaults(needs_workspace=True)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_project_commands(commands)
    _add_user_commands(commands)
    _add_assign_command(commands)
    _add_review_command(commands)

    importer = commands.add_parser("import", help="import audio files or folders (recursive) into a project")
    importer.add_argument("name")
    importer.add_argument("paths", nargs="+", type=Path)
    importer.set_defaults(handler=run_import)

    import_data = commands.add_parser("import-dataset", help="import a NeMo, Lhotse or subtitled dataset for "
                                      "correction (its texts become drafts)")
    add_import_dataset_arguments(import_data)
    import_data.set_defaults(handler=run_import_dataset)

    prelabel = commands.add_parser("prelabel", help="segment and draft every recording not yet done")
    prelabel.add_argument("name")
    prelabel.set_defaults(handler=run_prelabel)

    status = commands.add_parser("status", help="recordings, audio hours and segments by status")
    status.add_argument("name")
    status.set_defaults(handler=run_status)

    export = commands.add_parser("export", help="write a dataset (manifests, audio, README) for ASR training")
    add_export_arguments(export)
    export.set_defaults(handler=run_export)

    lint = commands.add_parser("lint", help="check transcripts against a tag scheme (KsponSpeech, AI Hub, "
                               "generic or a scheme file)")
    add_lint_arguments(lint)
    lint.set_defaults(handler=run_lint, needs_workspace=False)  # checks text only: no data folder

    convert_text = commands.add_parser("convert-text", help="rewrite transcripts from one tag scheme into another "
                                       "(KsponSpeech <-> AI Hub), reporting what did not map")
    add_convert_arguments(convert_text)
    convert_text.set_defaults(handler=run_convert_text, needs_workspace=False)
    return parser


def _add_project_commands(commands) -> None:
    project = commands.add_parser("project", help="create and list projects")
    sub = project.add_subparsers(dest="project_command", required=True)
    create = sub.add_parser("create", help="create a project")
    create.add_argument("name")
    create.add_argument("--language", help="ko, en, … or auto (default: auto)")
    create.add_argument("--model", default=TranscribeOptions.model,
                        help="bundled 'base' (multilingual) or 'tiny.en', or a faster-whisper model name/path")
    create.add_argument("--engine", choices=engine_names(), default=TranscribeOptions.engine,
                        help="openai-whisper needs requirements-openai-whisper.txt (default: faster-whisper)")
    create.add_argument("--compute-type",
                        help="default: int8 for faster-whisper, float32 (the only choice) for openai-whisper")
    create.add_argument("--device", choices=DEVICES, default=TranscribeOptions.device,
                        help="where the engine runs: cpu (default), cuda (an NVIDIA GPU) or auto (cuda when the "
                             "engine finds a CUDA device, else cpu)")
    create.add_argument("--beam-size", type=int, default=TranscribeOptions.beam_size)
    create.add_argument("--max-duration", type=float, default=SegmentOptions.max_duration,
                        help="longest segment in seconds")
    create.add_argument("--glossary", type=Path, help="UTF-8 file, one domain term per line")
    _add_label_options(create)
    add_convention_options(create)
    create.set_defaults(handler=run_project_create)
    listing = sub.add_parser("list", help="list projects")
    listing.set_defaults(handler=run_project_list)
    settings = sub.add_parser("settings", help="show or change a project's label, assignment and review "
                              "settings (only the options given)")
    settings.add_argument("name")
    _add_label_options(settings)
    add_convention_options(settings)
    add_setting_options(settings, ASSIGNMENT)
    add_setting_options(settings, REVIEW)
    settings.set_defaults(handler=run_project_settings)


def _add_label_options(parser: argparse.ArgumentParser) -> None:
    # No defaults here: None means "not given", so `project settings` changes only what is given.
    parser.add_argument("--speakers", help="comma-separated speaker names, in the label page's order "
                        "(number keys 1-9 pick the first nine); '' for none")
    parser.add_argument("--tags", help=f"comma-separated noise/event tags (default {','.join(DEFAULT_TAGS)}); "
                        "'' for none")
    parser.add_argument("--low-confidence", type=float, help="draft words scored below this (0 to 1) are "
                        f"marked for checking (default {DEFAULT_LOW_CONFIDENCE})")


def run_project_create(workspace: Workspace, args) -> int:
    glossary = read_glossary(args.glossary) if args.glossary else ()
    project = create_project(
        workspace.store,
        args.name,
        language=args.language,
        segment_options=SegmentOptions(max_duration=args.max_duration),
        transcribe_options=TranscribeOptions(
            engine=args.engine, model=args.model, beam_size=args.beam_size,
            compute_type=args.compute_type or default_compute_type(args.engine), device=args.device),
        glossary=glossary,
        label_settings=label_settings_from_args(args, LabelSettings()),
        actor=SYSTEM,
        convention_settings=convention_settings_from_args(args, ConventionSettings()),
    )
    labels = project.label_settings
    print(f"created project {project.name!r} (language {project.language or 'auto'}, "
          f"{project.engine_options.get('engine', 'faster-whisper')} model {project.engine_options['model']}, "
          f"{len(project.glossary)} glossary terms, "
          f"{len(labels.speakers)} speakers, {len(labels.tags)} tags, "
          f"tag scheme {project_scheme(project).name})")
    return 0


def run_project_settings(workspace: Workspace, args) -> int:
    project = workspace.store.get_project(args.name)
    changed = label_settings_from_args(args, project.label_settings)
    if changed != project.label_settings:
        project = update_label_settings(workspace.store, SYSTEM, project, changed)
    conventions = convention_settings_from_args(args, project.convention_settings)
    if conventions != project.convention_settings:
        project = update_convention_settings(workspace.store, SYSTEM, project, conventions)
    work = assignment_settings_from_args(args, project.assignment_settings)
    if work != project.assignment_settings:
        project = update_assignment_settings(workspace.store, SYSTEM, project, work)
    review = review_settings_from_args(args, project.review_settings)
    if review != project.review_settings:
        project = update_review_settings(workspace.store, SYSTEM, project, review)
    print(f"settings of project {project.name!r}:")
    lines = (format_label_settings(project.label_settings) + format_convention_settings(project)
             + format_assignment_settings(work)
             + format_review_settings(project.review_settings))
    for line in lines:
        print(f"  {line}")
    return 0


def assignment_settings_from_args(args, base: AssignmentSettings) -> AssignmentSettings:
    """``base`` with only the options given on the command line replaced (quota 0: no cap)."""
    return settings_from_args(args, base, ASSIGNMENT)


def format_assignment_settings(settings: AssignmentSettings) -> list[str]:
    return [
        f"batch size: {settings.batch_size}",
        f"lease minutes: {settings.lease_minutes:g}",
        f"daily quota: {settings.daily_quota or '(none)'}",
        f"double-labeled share: {settings.double_share:g}",
    ]


def review_settings_from_args(args, base: ReviewSettings) -> ReviewSettings:
    """``base`` with only the options given on the command line replaced (threshold "none": off)."""
    return settings_from_args(args, base, REVIEW)


def format_review_settings(settings: ReviewSettings) -> list[str]:
    policy = (f"defect threshold {settings.defect_threshold:g} after {settings.min_reviews} reviews, "
              f"then sample share {settings.flagged_share:g}" if settings.defect_threshold is not None else "(none)")
    return [f"review sample share: {settings.sample_share:g}", f"quality policy: {policy}"]


def label_settings_from_args(args, base: LabelSettings) -> LabelSettings:
    """``base`` with only the options given on the command line replaced."""
    changes: dict[str, Any] = {}
    if args.speakers is not None:
        changes["speakers"] = split_names(args.speakers)
    if args.tags is not None:
        changes["tags"] = split_names(args.tags)
    if args.low_confidence is not None:
        changes["low_confidence"] = args.low_confidence
    return replace(base, **changes)


def format_label_settings(settings: LabelSettings) -> list[str]:
    return [
        f"speakers: {', '.join(settings.speakers) or '(none)'}",
        f"tags: {', '.join(settings.tags) or '(none)'}",
        f"low-confidence: {settings.low_confidence:g}",
    ]


def run_project_list(workspace: Workspace, args) -> int:
    for project in workspace.store.list_projects():
        print(f"{project.name}\t{project.language or 'auto'}\t{project.engine_options.get('model')}")
    return 0


def _add_assign_command(commands) -> None:
    assign = commands.add_parser("assign", help="lease work to a labeler (as the command line, with admin rights)")
    assign.add_argument("name", help="the project")
    assign.add_argument("--to", required=True, metavar="USER", help="a labeler or lead of the project")
    what = assign.add_mutually_exclusive_group(required=True)
    what.add_argument("--segments", type=int, metavar="N", help="the next N free segments of the pool")
    what.add_argument("--recording", metavar="ID", help="every free segment of one recording")
    assign.set_defaults(handler=run_assign)


def run_assign(workspace: Workspace, args) -> int:
    store = workspace.store
    project = store.get_project(args.name)
    if args.recording:
        given = assign_recording(store, SYSTEM, project, args.to, args.recording)
    else:
        given = assign_segments(store, SYSTEM, project, args.to, args.segments)
    lease = project.assignment_settings.lease_minutes
    print(f"{len(given)} segments leased to {args.to} for {lease:g} minutes (renewed while they save)")
    return 0


def _add_review_command(commands) -> None:
    review = commands.add_parser("review", help="list the review queue, approve or reject (as the command line, "
                                 "with admin rights)")
    review.add_argument("name", help="the project")
    review.add_argument("--order", choices=[order.value for order in ReviewOrder], default=ReviewOrder.LOW_CONFIDENCE.value)
    review.add_argument("--labeler", metavar="USER", help="only this labeler's work")
    review.add_argument("--recording", metavar="ID", help="only this recording")
    review.add_argument("--limit", type=int, default=50, help="segments to list (default 50)")
    action = review.add_mutually_exclusive_group()
    action.add_argument("--approve", metavar="SEGMENT_ID", help="approve one segment")
    action.add_argument("--reject", metavar="SEGMENT_ID", help="reject one segment (with --reason)")
    action.add_argument("--approve-all-from", metavar="USER", help="approve all of a labeler's submitted work "
                        "(of --recording only, when given)")
    review.add_argument("--reason", metavar="CODE", help=f"why rejected: {', '.join(r.value for r in ReviewReason)}")
    review.add_argument("--comment", help="a note for the labeler (and the history)")
    review.set_defaults(handler=run_review)


def run_review(workspace: Workspace, args) -> int:
    store = workspace.store
    project = store.get_project(args.name)
    if args.reason is not None and not args.reject:
        raise ValidationError("--reason goes with --reject SEGMENT_ID", message_key="error.cli_reason_alone")
    if args.approve or args.reject:
        segment_id = args.approve or args.reject
        _require_in_project(store, project, segment_id)
        version = store.get_segment(segment_id).version
        if args.approve:
            approve(store, SYSTEM, segment_id, version, args.comment)
            print(f"approved {segment_id}")
        else:
            if not args.reason:
                raise ValidationError(f"--reject needs --reason CODE; allowed: {', '.join(r.value for r in ReviewReason)}",
                                      message_key="error.cli_reject_needs_reason",
                                      params={"allowed": ", ".join(r.value for r in ReviewReason)})
            reject(store, SYSTEM, segment_id, version, args.reason, args.comment)
            print(f"rejected {segment_id} ({ReviewReason(args.reason.strip().lower()).label})")
        return 0
    if args.approve_all_from:
        count = bulk_approve(store, SYSTEM, project, args.approve_all_from, args.recording, args.comment)
        print(f"approved {count} segments of {args.approve_all_from}")
        return 0
    query = ReviewQuery(order=ReviewOrder(args.order), labeler=args.labeler, recording_id=args.recording, limit=args.limit)
    for item in review_queue(store, SYSTEM, project, query):
        confidence = f"{item.confidence:.2f}" if item.confidence is not None else "-"
        text = " ".join(item.segment.text.split())  # one line per segment, whatever the text holds
        print(f"{item.segment.id}\t{item.labeler or '-'}\t{confidence}\t{terminal_safe(text)}")
    print(f"{count_to_review(store, SYSTEM, project, query)} segments to review", file=sys.stderr)
    return 0


def _require_in_project(store, project, segment_id: str) -> None:
    if store.get_segment_project(segment_id) != project.id:
        raise ValidationError(f"segment {segment_id} belongs to another project than {project.name!r}",
                              message_key="error.segment_elsewhere",
                              params={"segment": segment_id, "project": project.name})


def _add_user_commands(commands) -> None:
    user = commands.add_parser("user", help="add and list users (the command line acts with admin rights, as 'cli')")
    sub = user.add_subparsers(dest="user_command", required=True)
    add = sub.add_parser("add", help="create a user, or give an existing user a role in another project")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=USER_ROLES,
                     help="admin: manages everything, no --project; lead, reviewer, labeler: per project")
    add.add_argument("--project", help="the project the role is for (needed for lead, reviewer, labeler)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin (default: generate one, printed once)")
    add.set_defaults(handler=run_user_add)
    listing = sub.add_parser("list", help="list users with their roles per project")
    listing.set_defaults(handler=run_user_list)


def run_user_add(workspace: Workspace, args) -> int:
    """The command line holds the database, so it acts as ``SYSTEM`` (logged as "cli")."""
    store = workspace.store
    name = validate_username(args.username)
    is_admin = args.role == "admin"
    if is_admin and args.project:
        raise ValidationError("an admin has every project; leave out --project, or give a project role "
                              "(lead, reviewer or labeler)", message_key="error.cli_admin_project")
    if not is_admin and not args.project:
        raise ValidationError(f"--role {args.role} is a role in one project; add --project NAME",
                              message_key="error.cli_role_needs_project", params={"role": args.role})
    project = store.get_project(args.project) if args.project else None
    if _user_exists(store, name):
        if is_admin or args.password_stdin:
            raise Conflict(f"a user named {name!r} already exists and keeps their password; to give them a role "
                           "in a project, leave out --password-stdin and give --role and --project",
                           message_key="error.cli_user_exists", params={"name": name})
        assert project is not None  # not an admin (refused above), so --project was given
        set_role(store, SYSTEM, name, project, args.role)
        print(f"user {name!r} is now {args.role} in project {project.name!r}")
        return 0
    password = read_password(sys.stdin) if args.password_stdin else generate_password()
    create_user(store, SYSTEM, name, password, is_admin=is_admin)
    if project is not None:
        set_role(store, SYSTEM, name, project, args.role)
    print(f"created user {name!r} ({'admin' if project is None else f'{args.role} in project {project.name!r}'})")
    if not args.password_stdin:
        print(f"password (shown once, only its hash is stored): {password}")
    return 0


def _user_exists(store, name: str) -> bool:
    try:
        store.get_user(name)
    except NotFound:
        return False
    return True


def read_password(stream) -> str:
    """The first line of ``stream`` without its line end. Reads no more than a password may hold
    (and its line end): a huge input is refused without being read."""
    line = stream.readline(MAX_PASSWORD_LENGTH + 2)
    password = line.removesuffix("\n").removesuffix("\r")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"the password on stdin is longer than {MAX_PASSWORD_LENGTH} characters; "
                              f"use at most {MAX_PASSWORD_LENGTH}", message_key="error.cli_password_too_long",
                              params={"most": MAX_PASSWORD_LENGTH})
    return password


def terminal_safe(text: str) -> str:
    """Text for the terminal: control characters (an escape sequence saved before transcripts
    refused them) printed as ``\\xNN`` instead of acting on the lead's terminal."""
    return "".join(f"\\x{ord(char):02x}" if unicodedata.category(char) == "Cc" else char for char in text)


def run_user_list(workspace: Workspace, args) -> int:
    for entry in list_users(workspace.store, SYSTEM):
        roles = ", ".join(f"{project}: {role.value}" for project, role in sorted(entry.roles.items()))
        fields = [entry.user.username, "admin" if entry.user.is_admin else "-", roles or "-"]
        if entry.user.disabled:
            fields.append("disabled")
        print("\t".join(fields))
    return 0


def run_import(workspace: Workspace, args) -> int:
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
        print(f"warning {warning.source}: {warning.message}", file=sys.stderr)
    for duplicate in report.duplicates:
        print(f"skipped {duplicate.source}: {duplicate.message}")
    for failure in report.failures:
        print(f"failed {failure.source}: {failure.message}", file=sys.stderr)
    print(f"{len(report.imported)} imported, {len(report.duplicates)} duplicates, {len(report.failures)} failed")
    return 1 if report.failures else 0


def run_import_dataset(workspace: Workspace, args) -> int:
    project = workspace.store.get_project(args.name)
    options = import_options_from_args(args)
    with tqdm(desc="import-dataset", unit="recording", file=sys.stderr, disable=None) as bar:
        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(1)

        report = import_dataset(workspace.store, workspace.settings, project, args.path, options, on_item=advance,
                                actor=SYSTEM)
    out, errors = report_lines(report)
    for line in errors:
        print(line, file=sys.stderr)
    for line in out:
        print(line)
    return 1 if report.problems else 0


def run_prelabel(workspace: Workspace, args) -> int:
    project = workspace.store.get_project(args.name)
    with tqdm(desc="prelabel", unit="audio s", file=sys.stderr, disable=None,
              bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} audio s [{elapsed}<{remaining}]") as bar:
        def advance(progress: PrelabelProgress):
            bar.total = progress.audio_seconds_total
            bar.n = progress.audio_seconds_done
            bar.set_postfix_str(f"{progress.recordings_done}/{progress.recordings_total} recordings, "
                                f"{progress.segments_drafted} drafts")
            bar.refresh()

        job = claim_or_wait(workspace.store, project, "cli", on_wait=lambda holder: print(
            f"waiting: pre-labeling job {holder.id} (started by {holder.started_by}, process {holder.pid} on "
            f"{holder.host}) is running on project {project.name!r}; this run continues with what it leaves",
            file=sys.stderr, flush=True))
        report = run_claimed(workspace.store, workspace.settings, project, job, on_progress=advance)
    print(f"pre-labeled {report.recordings} recordings: {report.segments_drafted} drafts, "
          f"{report.audio_seconds:.1f} s of audio in {report.wall_seconds:.1f} s "
          f"(RTF {report.real_time_factor:.1f}x real time)")
    return 0


def run_status(workspace: Workspace, args) -> int:
    status = project_status(workspace.store, workspace.store.get_project(args.name))
    project = status.project
    print(f"project {project.name} (language {project.language or 'auto'}, model {project.engine_options.get('model')})")
    print(f"recordings: {status.recordings} ({status.recordings_pending} not yet pre-labeled)")
    print(f"audio: {status.audio_seconds / 3600:.3f} h")
    by_status = ", ".join(f"{s.value} {status.segments_by_status.get(s, 0)}" for s in SegmentStatus)
    print(f"segments: {status.segments} ({by_status})")
    return 0


def run_export(workspace: Workspace, args) -> int:
    project = workspace.store.get_project(args.name)
    options = options_from_args(args, workspace.store, project)
    with tqdm(desc="export", unit="segment", file=sys.stderr, disable=None) as bar:
        report = export_dataset(workspace.store, workspace.settings, project, args.out, options,
                                on_segment=lambda _count: bar.update(1), actor=SYSTEM)
    print(f"exported {report.segments} segments ({report.audio_seconds / 60:.1f} min; statuses: "
          f"{options.included_statuses}) as {format_name(options.format)} to {report.out_dir}")
    for split in report.splits:
        if split.name:
            print(f"  {split.name}: {split.segments} segments, {split.seconds / 60:.1f} min, {split.speakers} speakers")
    return 0


def run_lint(_workspace: None, args) -> int:
    return run_lint_command(args)


def run_convert_text(_workspace: None, args) -> int:
    return run_convert_command(args)
