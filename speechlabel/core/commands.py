"""A project's kind and, for a command project, its closed vocabulary.

A free-conversation project (the default, and every project from before migration 0017) labels
what is said as text. A command project labels each segment with one class of a closed list:
one of the lead's commands (wake words too), or one of the two built-in classes ``_unknown_``
(speech outside the list) and ``_silence_`` (no speech). Each command has a canonical ``label``
and the ``variants`` people say for it ("lights on": "turn on the lights", "불 켜"). The class a
labeler picks is saved as the segment's text, through the ordinary save, so every export that
reads the text (Speech Commands folders, AI Hub's ``TransLabelText``) gets the class as it is.

The class names are Speech Commands' own (``_unknown_`` is its class of everything else,
``_silence_`` the class its training scripts add), so the layout's readers know them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from speechlabel.core.choices import parse_choice
from speechlabel.i18n.labels import labeled

UNKNOWN = "_unknown_"
SILENCE = "_silence_"
BUILT_IN_CLASSES = (UNKNOWN, SILENCE)


@labeled("project_kind")
class ProjectKind(str, enum.Enum):
    CONVERSATION = "conversation"
    COMMANDS = "commands"

    @classmethod
    def parse(cls, value: str) -> ProjectKind:
        return parse_choice(cls, value, message_key="error.unknown_project_kind")


@dataclass(frozen=True)
class Command:
    """One command: the class ``label`` a segment is saved with, and its spoken ``variants``."""

    label: str
    variants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.variants, list):  # from JSON
            object.__setattr__(self, "variants", tuple(self.variants))

    @property
    def forms(self) -> tuple[str, ...]:
        """Every way of saying it: the label itself, then the variants."""
        return (self.label, *self.variants)


@dataclass(frozen=True)
class CommandSettings:
    """The project's kind and vocabulary (checked by ``projects.commands.validate_commands``).
    ``commands`` is empty for a free-conversation project. ``steer``: the vocabulary's forms go
    to Whisper as hotwords. Off by default, a lead's choice: on 30 commands of 1-3 words cut from
    real English speech (bench/command_matching.py, one run), steering ``base`` proposed the right
    command for 18 of 30 instead of 21, a wrong one for 11 instead of 4, gave 7 of 10 phrases
    outside the vocabulary a command instead of 4, and drafted 7.8x slower (Whisper echoes
    hotwords); tiny.en stayed at 23 right, with 6 false commands instead of 4, 2.5x slower. With
    10 commands base got 7 of 10 right steered against 5, 5.5x slower (README has the tables);
    with four commands (tests/test_command_drafting.py) steering tiny.en fixed the one phrase it
    misheard alone ("I fell in America." for "my fellow Americans")."""

    kind: ProjectKind = ProjectKind.CONVERSATION
    commands: tuple[Command, ...] = ()
    steer: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.commands, list):
            object.__setattr__(self, "commands", tuple(self.commands))

    @property
    def is_commands(self) -> bool:
        return self.kind == ProjectKind.COMMANDS

    @property
    def labels(self) -> tuple[str, ...]:
        """Every class a segment may be saved with: the commands' labels, then the built-in ones."""
        return (*(command.label for command in self.commands), *BUILT_IN_CLASSES)

    def terms(self) -> tuple[str, ...]:
        """The words Whisper is steered with: every form of every command, each once."""
        return tuple(dict.fromkeys(form for command in self.commands for form in command.forms))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "commands": [{"label": c.label, "variants": list(c.variants)} for c in self.commands],
            "steer": self.steer,
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> CommandSettings:
        """NULL (projects from before migration 0017): a free-conversation project."""
        values = values or {}
        commands = tuple(
            Command(str(entry["label"]), tuple(entry.get("variants") or ())) for entry in values.get("commands") or ()
        )
        kind = ProjectKind(values.get("kind", ProjectKind.CONVERSATION.value))
        return cls(kind, commands, bool(values.get("steer", False)))
