"""`speechlabel project create | list | settings`: a project, its engine and its label, convention,
assignment and review settings and its recording checks."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from speechlabel.cli.project_settings import settings_from_args
from speechlabel.core.models import (
    DEFAULT_LOW_CONFIDENCE,
    DEFAULT_TAGS,
    AssignmentSettings,
    ConventionSettings,
    LabelSettings,
    ReviewSettings,
)
from speechlabel.core.project_settings import ASSIGNMENT, REVIEW

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_project_command(project: argparse.ArgumentParser) -> None:
    from speechlabel.prelabel.engines.options import DEVICES, TranscribeOptions
    from speechlabel.prelabel.engines.registry import engine_names
    from speechlabel.prelabel.vad import SegmentOptions

    sub = project.add_subparsers(dest="project_command", required=True)
    create = sub.add_parser("create", help="create a project")
    create.add_argument("name")
    create.add_argument("--language", help="ko, en, … or auto (default: auto)")
    create.add_argument(
        "--model",
        default=TranscribeOptions.model,
        help="bundled 'base' (multilingual) or 'tiny.en', a registered model ('speechlabel model list'), or a faster-whisper model name/path",
    )
    create.add_argument(
        "--engine",
        choices=engine_names(),
        default=TranscribeOptions.engine,
        help="openai-whisper needs requirements-openai-whisper.txt (default: faster-whisper)",
    )
    create.add_argument(
        "--compute-type", help="default: int8 for faster-whisper, float32 (the only choice) for openai-whisper"
    )
    create.add_argument(
        "--device",
        choices=DEVICES,
        default=TranscribeOptions.device,
        help="where the engine runs: cpu (default), cuda (an NVIDIA GPU) or auto (cuda when the "
        "engine finds a CUDA device, else cpu)",
    )
    create.add_argument("--beam-size", type=int, default=TranscribeOptions.beam_size)
    create.add_argument(
        "--max-duration", type=float, default=SegmentOptions.max_duration, help="longest segment in seconds"
    )
    create.add_argument("--glossary", type=Path, help="UTF-8 file, one domain term per line")
    create.add_argument(
        "--commands",
        type=Path,
        help="make a command project with this vocabulary: UTF-8 plain text (label | variant | variant, "
        "one command a line) or CSV (label,variant,variant)",
    )
    _add_style_prompt_option(
        create, "default: the language's (Korean: conversational sentences with fillers; others: none)"
    )
    _add_label_options(create)
    _add_convention_options(create)
    create.set_defaults(handler=run_project_create)
    listing = sub.add_parser("list", help="list projects")
    listing.set_defaults(handler=run_project_list)
    settings = sub.add_parser(
        "settings",
        help="show or change a project's label, assignment and review settings and recording checks "
        "(only the options given)",
    )
    settings.add_argument("name")
    _add_style_prompt_option(settings, "'' for the language's default")
    _add_label_options(settings)
    _add_convention_options(settings)
    from speechlabel.cli.project_settings import add_setting_options
    from speechlabel.core.project_settings import ASSIGNMENT, REVIEW

    add_setting_options(settings, ASSIGNMENT)
    add_setting_options(settings, REVIEW)
    from speechlabel.cli.qc import add_qc_options

    add_qc_options(settings)
    settings.set_defaults(handler=run_project_settings)
    from speechlabel.cli.commands import add_commands_command

    add_commands_command(sub)


def _add_style_prompt_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--style-prompt",
        metavar="TEXT|none",
        help="text in the style of the speech, read by Whisper before every window beside the "
        f"glossary (at most 150 tokens); 'none' for no prompt; {default}",
    )


def _add_convention_options(parser: argparse.ArgumentParser) -> None:
    from speechlabel.cli.conventions import add_convention_options

    add_convention_options(parser)


def _add_label_options(parser: argparse.ArgumentParser) -> None:
    # No defaults here: None means "not given", so `project settings` changes only what is given.
    parser.add_argument(
        "--speakers",
        help="comma-separated speaker names, in the label page's order "
        "(number keys 1-9 pick the first nine); '' for none",
    )
    parser.add_argument(
        "--tags", help=f"comma-separated noise/event tags (default {','.join(DEFAULT_TAGS)}); '' for none"
    )
    parser.add_argument(
        "--low-confidence",
        type=float,
        help=f"draft words scored below this (0 to 1) are marked for checking (default {DEFAULT_LOW_CONFIDENCE})",
    )


def run_project_create(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.cli.conventions import convention_settings_from_args
    from speechlabel.core.commands import CommandSettings, ProjectKind
    from speechlabel.prelabel.engines.options import TranscribeOptions, default_compute_type
    from speechlabel.prelabel.vad import SegmentOptions
    from speechlabel.projects.commands import read_commands_file, update_command_settings, validate_commands
    from speechlabel.projects.conventions import project_scheme
    from speechlabel.projects.manage import create_project, read_glossary

    glossary = read_glossary(args.glossary) if args.glossary else ()
    vocabulary = None
    if args.commands:  # read and checked first: a bad file leaves no project behind
        vocabulary = validate_commands(CommandSettings(ProjectKind.COMMANDS, read_commands_file(args.commands)))
    project = create_project(
        workspace.store,
        args.name,
        language=args.language,
        segment_options=SegmentOptions(max_duration=args.max_duration),
        transcribe_options=TranscribeOptions(
            engine=args.engine,
            model=args.model,
            beam_size=args.beam_size,
            compute_type=args.compute_type or default_compute_type(args.engine),
            device=args.device,
        ),
        glossary=glossary,
        label_settings=label_settings_from_args(args, LabelSettings()),
        actor=SYSTEM,
        convention_settings=convention_settings_from_args(args, ConventionSettings()),
        style_prompt=args.style_prompt or "",  # blank: the language's default
    )
    if vocabulary is not None:
        project = update_command_settings(workspace.store, SYSTEM, project, vocabulary)
    labels = project.label_settings
    print(
        f"created project {project.name!r} (language {project.language or 'auto'}, "
        f"{project.engine_options.get('engine', 'faster-whisper')} model {project.engine_options['model']}, "
        f"{len(project.glossary)} glossary terms, "
        f"{len(labels.speakers)} speakers, {len(labels.tags)} tags, "
        f"tag scheme {project_scheme(project).name}, {project.command_settings.kind.value}"
        f"{f' with {len(project.command_settings.commands)} commands' if project.command_settings.is_commands else ''})"
    )
    print(f"style prompt: {format_style_prompt(project.engine_options)}")
    return 0


def format_style_prompt(engine_options: dict) -> str:
    return repr(engine_options["style_prompt"]) if engine_options.get("style_prompt") else "(none)"


def run_project_settings(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.cli.conventions import convention_settings_from_args, format_convention_settings
    from speechlabel.cli.qc import format_qc_rules, qc_rules_from_args
    from speechlabel.projects.conventions import update_convention_settings
    from speechlabel.projects.manage import update_assignment_settings, update_label_settings, update_style_prompt
    from speechlabel.projects.qc import update_qc_rules
    from speechlabel.review.decisions import update_review_settings

    project = workspace.store.get_project(args.name)
    if args.style_prompt is not None:
        project = update_style_prompt(workspace.store, SYSTEM, project, args.style_prompt)
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
    checks = qc_rules_from_args(args, project.qc_rules)
    if checks != project.qc_rules:
        project = update_qc_rules(workspace.store, SYSTEM, project, checks)
    print(f"settings of project {project.name!r}:")
    lines = (
        format_label_settings(project.label_settings)
        + format_convention_settings(project)
        + format_assignment_settings(work)
        + format_review_settings(project.review_settings)
        + format_qc_rules(project.qc_rules)
        + [f"style prompt: {format_style_prompt(project.engine_options)}"]
    )
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
        f"from-scratch share: {settings.from_scratch_share:g}",
    ]


def review_settings_from_args(args, base: ReviewSettings) -> ReviewSettings:
    """``base`` with only the options given on the command line replaced (threshold "none": off)."""
    return settings_from_args(args, base, REVIEW)


def format_review_settings(settings: ReviewSettings) -> list[str]:
    policy = (
        f"defect threshold {settings.defect_threshold:g} after {settings.min_reviews} reviews, "
        f"then sample share {settings.flagged_share:g}"
        if settings.defect_threshold is not None
        else "(none)"
    )
    return [f"review sample share: {settings.sample_share:g}", f"quality policy: {policy}"]


def label_settings_from_args(args, base: LabelSettings) -> LabelSettings:
    """``base`` with only the options given on the command line replaced."""
    from speechlabel.projects.manage import split_names

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
