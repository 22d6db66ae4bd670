"""Translated labels of the enums the pages show (statuses, review reasons, roles, ...).

The models keep their codes; a label is ``translate(f"{prefix}.{member.value}")``. Both the
pages and ``error_text`` (for enum params) use this, and tests/test_i18n.py checks every member
of every enum here has a label in both catalogs.
"""

from __future__ import annotations

import enum

from speechlabel.export.options import ExportFormat
from speechlabel.prelabel.jobs import JobState
from speechlabel.core.lifecycle import Action
from speechlabel.core.models import PrelabelState, ReviewDecision, ReviewReason, Role, SegmentStatus
from speechlabel.i18n.core import Lang, translate

ENUM_PREFIXES: dict[type[enum.Enum], str] = {
    SegmentStatus: "status",
    ReviewReason: "reason",
    ReviewDecision: "decision",
    Role: "role",
    PrelabelState: "prelabel_state",
    JobState: "job_state",
    ExportFormat: "format",
    Action: "status_action",
}


def enum_label(member: enum.Enum, lang: Lang) -> str:
    return translate(f"{ENUM_PREFIXES[type(member)]}.{member.value}", lang)
