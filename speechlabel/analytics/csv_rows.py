"""Rows of frozen dataclasses as CSV text (the dashboard's downloads)."""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from speechlabel.core.control_chars import without_controls
from speechlabel.core.errors import ValidationError

# A cell starting with one of these is a formula to a spreadsheet: a labeler could type one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(rows: Sequence[Any], row_type: type | None = None) -> str:
    """Rows of one dataclass as CSV text with a header of their field names.

    Enums are written as their value, dates and times in ISO 8601, None as an empty cell, a
    tuple of small dataclasses (e.g. ``ReasonCount``) as their fields joined by ":" and the
    items by ";" ("text_minor:1;wrong_speaker:2"). Text starting like a formula (= + - @) gets a
    leading apostrophe so a spreadsheet shows it instead of running it. ``row_type`` gives the
    header when ``rows`` is empty (else the result is ""). Encode it as "utf-8-sig" for Excel,
    which otherwise misreads Korean.
    """
    kind = row_type or (type(rows[0]) if rows else None)
    if kind is None:
        return ""
    if not is_dataclass(kind):
        raise ValidationError(message_key="error.csv_rows_type", params={"type": kind.__name__})
    names = [field.name for field in fields(kind)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        if type(row) is not kind:
            raise ValidationError(
                message_key="error.csv_rows_mixed", params={"kind": kind.__name__, "type": type(row).__name__}
            )
        writer.writerow([_cell(getattr(row, name)) for name in names])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(_item(item) for item in value)
    if isinstance(value, str):
        # A name or text saved before the control-character rule: no raw NUL, ESC or line break
        # in a cell (core.control_chars). A tab or CR that started it still marks a formula.
        formula = value.startswith(_FORMULA_STARTS)
        value = without_controls(value)
        return "'" + value if formula or value.startswith(_FORMULA_STARTS) else value
    return value


def _item(item: Any) -> str:
    if is_dataclass(item):
        return ":".join(str(_cell(getattr(item, field.name))) for field in fields(item))
    return str(_cell(item))
