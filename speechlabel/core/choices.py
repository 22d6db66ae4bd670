"""Reading a choice (a command-line flag, a form value, a request field) as a member of an enum.

One rule for every enum the app reads from text: a member is taken as it is, anything else by
its value, trimmed and in lower case ("Approved " is ``approved``). A value that is none of them
is refused with a ValidationError that says what was given and what is allowed, translated
through ``message_key``; every such catalog entry fills ``{value}`` (the value as repr shows it)
and ``{allowed}`` (the members' values, comma-separated). Imports only ``errors``, so any
module may use it, ``models`` included.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from speechlabel.core.errors import ValidationError

Choice = TypeVar("Choice", bound=enum.Enum)


def parse_choice(choices: type[Choice], value: object, message_key: str, *, fold: bool = True) -> Choice:
    """``value`` as a member of ``choices``; ``message_key`` names the refusal's catalog entry.
    ``fold`` False: the value must be spelled exactly (no trimming, no case folding)."""
    if isinstance(value, choices):
        return value
    text = str(value)
    try:
        return choices(text.strip().lower() if fold else text)
    except ValueError:
        allowed = allowed_values(choices)
        raise ValidationError(message_key=message_key, params={"value": repr(value), "allowed": allowed}) from None


def allowed_values(choices: type[enum.Enum]) -> str:
    """The members' values as the messages list them: "jsonl, nemo, hf"."""
    return ", ".join(str(member.value) for member in choices)
