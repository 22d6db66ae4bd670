"""Translated labels of the enums the pages show (statuses, review reasons, roles, ...).

The models keep their codes; a label is ``translate(f"{prefix}.{member.value}")``. Each such
enum registers its prefix where it is defined (``@labeled("status")``), so this module imports
nothing that has enums: both the pages and ``error_text`` (for enum params) use it, and
tests/test_i18n.py checks every member of every registered enum has a label in both catalogs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

from speechlabel.i18n.core import Lang, translate

ENUM_PREFIXES: dict[type[enum.Enum], str] = {}
_Kind = TypeVar("_Kind", bound=type[enum.Enum])


def labeled(prefix: str) -> Callable[[_Kind], _Kind]:
    """Class decorator: the enum's members are labeled ``<prefix>.<value>`` in the catalogs."""

    def register(kind: _Kind) -> _Kind:
        ENUM_PREFIXES[kind] = prefix
        return kind

    return register


def enum_label(member: enum.Enum, lang: Lang) -> str:
    return translate(f"{ENUM_PREFIXES[type(member)]}.{member.value}", lang)
