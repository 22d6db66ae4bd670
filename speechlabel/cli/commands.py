"""`speechlabel project commands NAME [FILE] [--kind commands|conversation]`: show or set a
project's kind and command vocabulary (``projects.commands`` describes the file)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_commands_command(sub) -> None:
    commands = sub.add_parser(
        "commands", help="show or set a project's kind (free conversation or commands) and its command vocabulary"
    )
    commands.add_argument("name")
    commands.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="the vocabulary: UTF-8 plain text, one command a line (label | variant | variant; '#' comments), "
        "or CSV (label,variant,variant; a header row starting with 'label' is skipped)",
    )
    commands.add_argument(
        "--kind",
        choices=("commands", "conversation"),
        help="the project's kind (default with FILE: commands; without: unchanged)",
    )
    commands.add_argument(
        "--steer",
        action=argparse.BooleanOptionalAction,
        help="send every command and variant to Whisper as hotwords (default off: in "
        "bench/command_matching.py it proposed fewer right commands and drafted slower; unchanged when not given)",
    )
    commands.set_defaults(handler=run_project_commands)


def run_project_commands(workspace: Workspace, args: argparse.Namespace) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.core.commands import CommandSettings, ProjectKind
    from speechlabel.projects.commands import read_commands_file, update_command_settings

    project = workspace.store.get_project(args.name)
    current = project.command_settings
    if args.file is not None or args.kind is not None or args.steer is not None:
        commands = read_commands_file(args.file) if args.file is not None else current.commands
        kind = ProjectKind.parse(args.kind) if args.kind else ProjectKind.COMMANDS if args.file else current.kind
        steer = current.steer if args.steer is None else args.steer
        project = update_command_settings(workspace.store, SYSTEM, project, CommandSettings(kind, commands, steer))
    settings = project.command_settings
    steering = "steering Whisper" if settings.steer else "not steering Whisper"
    print(f"project {project.name!r}: {settings.kind.value}, {len(settings.commands)} commands, {steering}")
    for command in settings.commands:
        print("  " + " | ".join(command.forms))
    return 0
