"""Command line: ``speechlabel`` / ``python -m speechlabel``.

This module parses the global options and runs one command; each command group is a module of
this package (``COMMANDS`` names it), imported only when the command line names its command.

Every command calls the same domain functions as the app, importing them when it runs. Errors
print one line to stderr and exit with status 1 (2 for wrong usage, as argparse does).
``--lang ko`` (or a Korean locale) prints errors, lint problems and convert-text notes in
Korean; the help and the commands' reports stay English.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

# Only what parsing the arguments and printing an error need: each command imports its own
# modules (the store, the engines, audio, exports) when it runs, and its arguments' modules when
# the command line names it, so ``speechlabel lint`` loads no database or audio library.
from speechlabel.core.errors import SpeechLabelError
from speechlabel.i18n import Lang, environment_language, error_message, translate


@dataclass(frozen=True)
class Command:
    """One command of ``speechlabel``: its name and help, and the function of this package's
    ``module`` that adds its arguments and its handler (``set_defaults(handler=...)``)."""

    name: str
    help: str
    module: str
    add: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        getattr(importlib.import_module(f"speechlabel.cli.{self.module}"), self.add)(parser)


# In `speechlabel -h`'s order.
COMMANDS = (
    Command("project", "create and list projects", "projects", "add_project_command"),
    Command(
        "user", "add and list users (the command line acts with admin rights, as 'cli')", "users", "add_user_command"
    ),
    Command(
        "assign", "lease work to a labeler (as the command line, with admin rights)", "assign", "add_assign_command"
    ),
    Command(
        "review",
        "list the review queue, approve or reject (as the command line, with admin rights)",
        "review",
        "add_review_command",
    ),
    Command("import", "import audio files or folders (recursive) into a project", "ingest", "add_import_command"),
    Command(
        "import-dataset",
        "import a NeMo, Lhotse, AI Hub or subtitled dataset for correction (its texts become drafts)",
        "datasets",
        "add_import_dataset_command",
    ),
    Command(
        "prelabel",
        "queue every recording not yet drafted and draft them (with any other runner that is up)",
        "prelabel",
        "add_prelabel_command",
    ),
    Command(
        "worker",
        "draft queued recordings of any project until stopped (run one per machine or GPU)",
        "prelabel",
        "add_worker_command",
    ),
    Command(
        "model",
        "list, add, check and remove the Whisper models projects draft with (as the command line)",
        "models",
        "add_model_command",
    ),
    Command(
        "speaker",
        "set and list a project's speakers' gender, age group, dialect, native language",
        "metadata",
        "add_speaker_command",
    ),
    Command(
        "recording",
        "set and list how a project's recordings were made (environment, device, mic distance)",
        "metadata",
        "add_recording_command",
    ),
    Command("status", "recordings, audio hours and segments by status", "prelabel", "add_status_command"),
    Command("export", "write a dataset (manifests, audio, README) for ASR training", "export", "add_export_command"),
    Command(
        "lint",
        "check transcripts against a tag scheme (KsponSpeech, AI Hub, generic or a scheme file)",
        "lint",
        "add_lint_command",
    ),
    Command(
        "convert-text",
        "rewrite transcripts from one tag scheme into another (KsponSpeech <-> AI Hub), reporting what did not map",
        "convert_text",
        "add_convert_text_command",
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = command_named(argv)
    args = build_parser(command).parse_args(argv)
    if command is not None and args.command != command:  # not expected: command_named reads as the parser does
        args = build_parser().parse_args(argv)
    args.lang = Lang(args.lang) if args.lang else environment_language(os.environ)
    logging.basicConfig(
        level=logging.WARNING if not args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    workspace = None
    try:
        if args.needs_workspace:
            from speechlabel.workspace.config import Settings
            from speechlabel.workspace.workspace import Workspace

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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. With ``only`` (a command's name), the other commands are there
    for the list of commands but without their arguments, so their modules are not imported."""
    parser = argparse.ArgumentParser(prog="speechlabel", description="Speech-data transcription and labeling.")
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command_parser = commands.add_parser(command.name, help=command.help)
        if only is None or only == command.name:
            command.add_arguments(command_parser)
    return parser


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data folder (default: $SPEECHLABEL_DATA_DIR or ./data)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument(
        "--lang",
        choices=[lang.value for lang in Lang],
        help="language of errors, lint problems and convert-text notes: en or ko (default: ko when "
        "LC_ALL, LC_MESSAGES or LANG starts with ko, else en); this help and the commands' "
        "reports stay English",
    )
    parser.set_defaults(needs_workspace=True)


class _NoExit(argparse.ArgumentParser):
    def error(self, message: str):
        raise ValueError(message)


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (its first word after the global options, read as the parser
    reads them); None when it names none or an unknown one: then the parser gets every command."""
    first = _NoExit(add_help=False)
    _add_global_options(first)
    first.add_argument("command", nargs="?")
    try:
        known, _ = first.parse_known_args(argv)
    except ValueError:
        return None
    return known.command if known.command in {command.name for command in COMMANDS} else None
