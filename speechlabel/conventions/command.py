"""``speechlabel lint``: check transcripts against a tag scheme from the command line.

    speechlabel lint --scheme kspon "b/ 아/ 모+몬 소리야"
    speechlabel lint --scheme rules.toml --file transcripts.txt     # one transcript per line

Prints ``position: severity: message (suggestion: …)`` per problem (the position is the
1-based column for a TEXT, ``line:column`` for a file) and a count. Exit status: 0 without
errors (warnings allowed), 1 with errors, 2 when the scheme or the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..errors import ValidationError
from .builtin import BUILTIN_SCHEMES
from .lint import lint
from .problems import Problem, Severity
from .scheme_file import resolve_scheme

USAGE_ERROR = 2


def add_lint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheme", required=True, metavar="SCHEME",
                        help=f"{' | '.join(BUILTIN_SCHEMES)} or a scheme file (.toml or .json)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="one transcript")
    source.add_argument("--file", type=Path, help="a UTF-8 file with one transcript per line (empty lines skipped)")


def run_lint_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        scheme = resolve_scheme(args.scheme)
        lines = read_lines(args.file) if args.file is not None else [(None, args.text)]
    except ValidationError as error:
        print(f"error: {error}", file=err)
        return USAGE_ERROR
    errors = warnings = 0
    for number, text in lines:
        for item in lint(text, scheme):
            print(format_problem(item, number), file=out)
            errors += item.severity == Severity.ERROR
            warnings += item.severity == Severity.WARNING
    checked = f" in {len(lines)} {'line' if len(lines) == 1 else 'lines'}" if args.file is not None else ""
    print(f"{_count(errors, 'error')}, {_count(warnings, 'warning')}{checked} ({scheme.name})", file=out)
    return 1 if errors else 0


def format_problem(item: Problem, line: int | None = None) -> str:
    column = item.start + 1
    position = f"{line}:{column}" if line is not None else str(column)
    text = f"{position}: {item.severity.value}: {item.message}"
    if item.fix is not None:
        replacement = item.fix.replacement
        shown = replacement if replacement.strip() else "one space" if replacement else "delete it"
        text += f" (suggestion: {shown})"
    return text


def read_lines(path: Path, keep_empty: bool = False) -> list[tuple[int, str]]:
    """(line number, text) of a UTF-8 file (a BOM and CRLF endings are fine); empty lines are
    skipped unless ``keep_empty`` (a conversion keeps the file's line numbering)."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise ValidationError(f"cannot read {path}: {error.strerror or error}") from None
    lines = (line.removesuffix("\r") for line in content.split("\n"))
    numbered = list(enumerate(lines, start=1))
    if keep_empty and numbered and numbered[-1][1] == "":
        numbered.pop()  # the newline that ends the last line does not start another
    return [(number, line) for number, line in numbered if line or keep_empty]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
