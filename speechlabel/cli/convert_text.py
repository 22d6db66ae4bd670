"""``speechlabel convert-text``: rewrite transcripts from one tag scheme into another.

    speechlabel convert-text --from kspon --to aihub "b/ 아/ 모+ 몬 소리야 n/"
    speechlabel convert-text --from aihub --to kspon --file aihub.txt > kspon.txt

Writes the converted text (one line per input line) to standard output and, to standard error,
one note per item that could not be written exactly: ``position: unmapped|approximate: source ->
written (reason)``, in the language of ``speechlabel --lang`` (``args.lang``). Exit status: 0
when everything mapped exactly, 1 when there were notes (the output is still complete), 2 when a
scheme or the file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from speechlabel.cli.lint import USAGE_ERROR, read_lines
from speechlabel.conventions.builtin import BUILTIN_SCHEMES
from speechlabel.conventions.convert import ConversionNote, convert
from speechlabel.conventions.lint_text import note_message
from speechlabel.conventions.scheme_file import resolve_scheme
from speechlabel.core.errors import ValidationError
from speechlabel.i18n import Lang, error_message, translate


def add_convert_arguments(parser: argparse.ArgumentParser) -> None:
    schemes = f"{' | '.join(BUILTIN_SCHEMES)} or a scheme file (.toml or .json)"
    parser.add_argument("--from", dest="source", required=True, metavar="SCHEME", help=f"the text's scheme: {schemes}")
    parser.add_argument("--to", dest="target", required=True, metavar="SCHEME", help=f"the scheme to write: {schemes}")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="one transcript")
    source.add_argument("--file", type=Path, help="a UTF-8 file with one transcript per line (empty lines kept)")


def run_convert_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    lang = Lang(getattr(args, "lang", None) or Lang.EN)
    try:
        source, target = resolve_scheme(args.source), resolve_scheme(args.target)
        lines = read_lines(args.file, keep_empty=True) if args.file is not None else [(None, args.text)]
    except ValidationError as error:
        print(translate("cli.error", lang, message=error_message(error, lang)), file=err)
        return USAGE_ERROR
    notes = 0
    for number, text in lines:
        converted = convert(text, source, target)
        print(converted.text, file=out)
        for kind, items in (
            (translate("convert_kind.unmapped", lang), converted.unmapped),
            (translate("convert_kind.approximate", lang), converted.approximate),
        ):
            for note in items:
                print(format_note(note, kind, number, lang), file=err)
                notes += 1
    return 1 if notes else 0


def format_note(note: ConversionNote, kind: str, line: int | None = None, lang: Lang = Lang.EN) -> str:
    """One note's line; ``kind``: the note list's name (unmapped, approximate) as printed."""
    column = note.start + 1
    position = f"{line}:{column}" if line is not None else str(column)
    written = note.written if note.written is not None else translate("cli.left_out", lang)
    return f"{position}: {kind}: {note.source} -> {written} ({note_message(note, lang)})"


def add_convert_text_command(convert_text: argparse.ArgumentParser) -> None:
    from speechlabel.cli.convert_text import add_convert_arguments

    add_convert_arguments(convert_text)
    convert_text.set_defaults(handler=run_convert_text, needs_workspace=False)


def run_convert_text(_workspace: None, args) -> int:
    from speechlabel.cli.convert_text import run_convert_command

    return run_convert_command(args)
