"""``speechlabel lint``: check transcripts against a tag scheme from the command line.

    speechlabel lint --scheme kspon "b/ 아/ 모+몬 소리야"
    speechlabel lint --scheme rules.toml --file transcripts.txt     # one transcript per line

Prints ``position: severity: message (suggestion: …)`` per problem (the position is the
1-based column for a TEXT, ``line:column`` for a file) and a count, in the language of
``speechlabel --lang`` (``args.lang``; English without it). Exit status: 0 without errors
(warnings allowed), 1 with errors, 2 when the scheme or the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from speechlabel.conventions.builtin import BUILTIN_SCHEMES
from speechlabel.conventions.lint import lint
from speechlabel.conventions.lint_text import problem_message
from speechlabel.conventions.problems import Problem, Severity
from speechlabel.conventions.scheme_file import resolve_scheme
from speechlabel.conventions.schemes import TagScheme
from speechlabel.core.errors import ValidationError
from speechlabel.i18n import Lang, error_message, translate

USAGE_ERROR = 2


def add_lint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scheme",
        required=True,
        metavar="SCHEME",
        help=f"{' | '.join(BUILTIN_SCHEMES)} or a scheme file (.toml or .json)",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="one transcript")
    source.add_argument("--file", type=Path, help="a UTF-8 file with one transcript per line (empty lines skipped)")


def run_lint_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    lang = Lang(getattr(args, "lang", None) or Lang.EN)
    try:
        scheme = resolve_scheme(args.scheme)
        lines = read_lines(args.file) if args.file is not None else [(None, args.text)]
    except ValidationError as error:
        print(translate("cli.error", lang, message=error_message(error, lang)), file=err)
        return USAGE_ERROR
    errors = warnings = 0
    for number, text in lines:
        for item in lint(text, scheme):
            print(format_problem(item, number, scheme, lang), file=out)
            errors += item.severity == Severity.ERROR
            warnings += item.severity == Severity.WARNING
    print(lint_count(errors, warnings, len(lines) if args.file is not None else None, scheme, lang), file=out)
    return 1 if errors else 0


def format_problem(
    item: Problem, line: int | None = None, scheme: TagScheme | None = None, lang: Lang = Lang.EN
) -> str:
    """One problem's line; ``scheme`` (the one linted) renders tag meanings in ``lang``."""
    column = item.start + 1
    position = f"{line}:{column}" if line is not None else str(column)
    severity = translate("conventions.error", lang) if item.is_error else translate("conventions.warning", lang)
    message = problem_message(item, scheme, lang) if scheme is not None else item.message
    text = f"{position}: {severity}: {message}"
    if item.fix is not None:
        replacement = item.fix.replacement
        shown = (
            replacement
            if replacement.strip()
            else (translate("cli.one_space", lang) if replacement else translate("cli.delete_it", lang))
        )
        text += translate("cli.suggestion", lang, replacement=shown)
    return text


def lint_count(errors: int, warnings: int, lines: int | None, scheme: TagScheme, lang: Lang = Lang.EN) -> str:
    """The last line: errors and warnings (and lines, for a file) under ``scheme``."""
    # One key per plural form: Korean has one form, English two ("1 error", "2 errors").
    counted = {
        "errors": translate("cli.errors_one", lang, count=errors)
        if errors == 1
        else translate("cli.errors_many", lang, count=errors),
        "warnings": translate("cli.warnings_one", lang, count=warnings)
        if warnings == 1
        else translate("cli.warnings_many", lang, count=warnings),
        "lines": ""
        if lines is None
        else translate("cli.lines_one", lang, count=lines)
        if lines == 1
        else translate("cli.lines_many", lang, count=lines),
    }
    return translate("cli.lint_count", lang, scheme=scheme.name, **counted)


def read_lines(path: Path, keep_empty: bool = False) -> list[tuple[int, str]]:
    """(line number, text) of a UTF-8 file (a BOM and CRLF endings are fine); empty lines are
    skipped unless ``keep_empty`` (a conversion keeps the file's line numbering)."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(message_key="error.file_not_utf8", params={"path": path}) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ValidationError(message_key="error.file_unreadable", params={"path": path, "reason": reason}) from None
    lines = (line.removesuffix("\r") for line in content.split("\n"))
    numbered = list(enumerate(lines, start=1))
    if keep_empty and numbered and numbered[-1][1] == "":
        numbered.pop()  # the newline that ends the last line does not start another
    return [(number, line) for number, line in numbered if line or keep_empty]


def add_lint_command(lint: argparse.ArgumentParser) -> None:
    from speechlabel.cli.lint import add_lint_arguments

    add_lint_arguments(lint)
    lint.set_defaults(handler=run_lint, needs_workspace=False)  # checks text only: no data folder


def run_lint(_workspace: None, args) -> int:
    from speechlabel.cli.lint import run_lint_command

    return run_lint_command(args)
