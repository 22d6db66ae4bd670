"""Command projects: setting and reading a project's kind and vocabulary, the vocabulary's rules,
its files, and the one rule a save in a command project follows (the text is a class).

A vocabulary file is UTF-8, one command a line: the canonical label, then its variants.

- plain text: ``label | variant | variant``; blank lines and lines starting with ``#`` skipped;
- CSV (a name ending in ``.csv``): ``label,variant,variant`` per row; a first row whose first
  cell is ``label`` is a header and skipped.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from speechlabel.accounts.access import require_role
from speechlabel.core.command_match import words_of
from speechlabel.core.commands import BUILT_IN_CLASSES, Command, CommandSettings, ProjectKind
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Actor, Project, Role
from speechlabel.projects.conventions import check_submittable
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote

MAX_COMMANDS = 300
MAX_VARIANTS = 30
# A label becomes a Speech Commands folder name (at most 200 UTF-8 bytes: 60 Hangul are 180)
# and a button on the label page.
MAX_COMMAND_CHARS = 60


def update_command_settings(store: Store, actor: Actor, project: Project | str, settings: CommandSettings) -> Project:
    """Set the project's kind and vocabulary; leads only, recorded in the audit log."""
    target = store.get_project(project) if isinstance(project, str) else project
    require_role(actor, target, action="changing the command vocabulary")
    cleaned = validate_commands(settings)
    changed = store.update_command_settings(target.id, cleaned)
    store.record_audit(AuditNote(actor.username, "command_settings", target.name, target.id, cleaned.to_dict()))
    return changed


def command_settings(store: Store, actor: Actor, project: Project | str) -> CommandSettings:
    """The project's kind and vocabulary, for anyone with a role in it."""
    target = store.get_project(project) if isinstance(project, str) else project
    require_role(actor, target, Role.LABELER, Role.REVIEWER, action="reading the command vocabulary")
    return target.command_settings


def validate_commands(settings: CommandSettings) -> CommandSettings:
    """The settings cleaned (NFC, stripped, blank variants and repeats of a command's own forms
    dropped), or ValidationError for the first broken rule: a command project needs commands;
    labels are not empty, not a built-in class; no form (label or variant) is said the same way
    (see ``command_match.words_of``) as another command's; no control characters; lengths."""
    kind = ProjectKind.parse(settings.kind)
    commands = [_clean_command(number, command) for number, command in enumerate(settings.commands, start=1)]
    if kind == ProjectKind.COMMANDS and not commands:
        raise ValidationError(message_key="error.commands_none")
    if len(commands) > MAX_COMMANDS:
        raise ValidationError(
            message_key="error.commands_too_many", params={"count": len(commands), "most": MAX_COMMANDS}
        )
    _refuse_said_twice(commands)
    return CommandSettings(kind, tuple(commands), settings.steer is True)


def _clean_command(number: int, command: Command) -> Command:
    label = _clean_form(number, command.label)
    if not words_of(label):
        raise ValidationError(message_key="error.command_label_empty", params={"number": number})
    if label.casefold() in BUILT_IN_CLASSES or "".join(words_of(label)) in {"unknown", "silence"}:
        raise ValidationError(message_key="error.command_reserved", params={"number": number, "label": label})
    variants = [_clean_form(number, variant) for variant in command.variants]
    kept = tuple(dict.fromkeys(v for v in variants if words_of(v) and v != label))
    if len(kept) > MAX_VARIANTS:
        raise ValidationError(
            message_key="error.command_variants", params={"label": label, "count": len(kept), "most": MAX_VARIANTS}
        )
    return Command(label, kept)


def _clean_form(number: int, raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError(message_key="error.command_not_text", params={"number": number, "raw": repr(raw)})
    text = unicodedata.normalize("NFC", raw.strip())
    control = next((ch for ch in text if unicodedata.category(ch) == "Cc"), None)
    if control is not None:
        raise ValidationError(
            message_key="error.command_control",
            params={"number": number, "text": text, "code": f"U+{ord(control):04X}"},
        )
    if len(text) > MAX_COMMAND_CHARS:
        raise ValidationError(
            message_key="error.command_too_long",
            params={"number": number, "text": text[:40], "length": len(text), "most": MAX_COMMAND_CHARS},
        )
    return text


def _refuse_said_twice(commands: Sequence[Command]) -> None:
    """Two commands that one utterance would match are ambiguous: refused, naming both."""
    said: dict[str, str] = {}
    for command in commands:
        for form in dict.fromkeys("".join(words_of(f)) for f in command.forms):
            first = said.get(form)
            if first is not None:
                raise ValidationError(
                    message_key="error.command_twice", params={"form": form, "first": first, "label": command.label}
                )
            said[form] = command.label


def parse_commands(text: str, csv_format: bool = False) -> tuple[Command, ...]:
    """The commands of a vocabulary file's text (see the module); not yet validated."""
    rows: Iterable[list[str]]
    if csv_format:
        rows = list(csv.reader(io.StringIO(text)))
        if rows and rows[0] and rows[0][0].strip().casefold() == "label":
            rows = rows[1:]
    else:
        lines = (line.strip() for line in text.splitlines())
        rows = [line.split("|") for line in lines if line and not line.startswith("#")]
    commands = []
    for row in rows:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        commands.append(Command(cells[0], tuple(cell for cell in cells[1:] if cell)))
    return tuple(commands)


def read_commands(name: str, data: bytes) -> tuple[Command, ...]:
    """The commands of an uploaded or given file (CSV when ``name`` ends in .csv)."""
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's CSV often starts with a BOM
    except UnicodeDecodeError:
        raise ValidationError(message_key="error.commands_file_not_utf8", params={"path": name}) from None
    return parse_commands(text, csv_format=name.casefold().endswith(".csv"))


def read_commands_file(path: str | Path) -> tuple[Command, ...]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(message_key="error.commands_file_missing", params={"path": str(path)}) from None
    return read_commands(path.name, data)


def format_commands(commands: Iterable[Command]) -> str:
    """The plain-text form of a vocabulary (what the page's text box shows)."""
    return "\n".join(" | ".join(command.forms) for command in commands)


def check_saveable(project: Project, text: str) -> None:
    """What a save's text must pass: in a command project, being one of its classes (the
    transcription convention's lint has no say over a class label); elsewhere, the convention's
    lint when the project blocks on its errors."""
    if project.command_settings.is_commands:
        check_command_label(project, text)
    else:
        check_submittable(project, text)


def check_command_label(project: Project, text: str) -> None:
    """In a command project a save's text is one class: a command's label, ``_unknown_`` or
    ``_silence_``, spelled exactly: the exports write it as it is."""
    settings = project.command_settings
    if not settings.is_commands or text in settings.labels:
        return
    raise ValidationError(
        message_key="error.not_a_command", params={"text": text[:60], "allowed": ", ".join(settings.labels[:12])}
    )


def save_command_form(
    store: Store,
    actor: Actor,
    project: Project | str,
    kind: ProjectKind | str,
    text: str,
    upload: tuple[str, bytes] | None = None,
    steer: bool = False,
) -> Project:
    """The Projects page's form: the kind, and the vocabulary from the uploaded file (name,
    bytes) when one is given, else from the text box (plain text, see the module)."""
    commands = read_commands(*upload) if upload is not None else parse_commands(text)
    wanted = CommandSettings(ProjectKind.parse(kind), commands, steer)
    return update_command_settings(store, actor, project, wanted)
