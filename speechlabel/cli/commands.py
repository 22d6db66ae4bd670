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
    commands.set_defaults(handler=run_project_commands)


def run_project_commands(workspace: Workspace, args: argparse.Namespace) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.core.commands import CommandSettings, ProjectKind
    from speechlabel.projects.commands import read_commands_file, update_command_settings

    project = workspace.store.get_project(args.name)
    current = project.command_settings
    if args.file is not None or args.kind is not None:
        commands = read_commands_file(args.file) if args.file is not None else current.commands
        kind = ProjectKind.parse(args.kind) if args.kind else ProjectKind.COMMANDS if args.file else current.kind
        project = update_command_settings(workspace.store, SYSTEM, project, CommandSettings(kind, commands))
    settings = project.command_settings
    print(f"project {project.name!r}: {settings.kind.value}, {len(settings.commands)} commands")
    for command in settings.commands:
        print("  " + " | ".join(command.forms))
    return 0
