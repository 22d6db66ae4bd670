"""Export formats by name: the writer base class and the registry ``run`` picks writers from.

A format is a ``FormatWriter`` subclass registered under its name (``register_format``) by the
module that defines it. ``run`` makes a fresh writer for each export and calls ``write`` once per
split (once, with None, when the export is not split), so a writer may keep what several splits
share. The package imports its format modules (``speechlabel/export/__init__.py``), so the
built-in formats are registered whenever the export package is used; another format is one module
that registers itself and is imported before its name is used.
"""

from __future__ import annotations

import enum
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from speechlabel.core.errors import ValidationError

if TYPE_CHECKING:
    from speechlabel.export.job import ExportJob
    from speechlabel.export.options import ExportOptions
    from speechlabel.export.select import ExportItem


class FormatWriter(ABC):
    """Writes one export in one format."""

    how_to_load: ClassVar[str]
    """The dataset card's paragraph on loading the export (Markdown)."""

    @classmethod  # noqa: B027 — a hook most formats leave as it is (no refusal)
    def check_options(cls, options: ExportOptions) -> None:
        """Refuse choices this format cannot write (a ValidationError), before anything is written.
        Most formats take every choice."""

    @abstractmethod
    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        """Write ``items`` as ``split`` (None: the whole export), calling ``job.advance()`` per item;
        return the main file, recorded with ``job.wrote``."""


# The formats that ship with speechlabel (``options.ExportFormat``), in the order they are offered.
BUILTIN_FORMATS = ("jsonl", "nemo", "hf", "lhotse", "kaldi", "speech_commands", "aihub")

_FORMATS: dict[str, type[FormatWriter]] = {}
_LOCK = threading.Lock()


def register_format(name: str, writer: type[FormatWriter]) -> type[FormatWriter]:
    """Make ``name`` (lower case) a format the export options may choose. Registering a name again
    replaces it."""
    if name != name.strip().lower():
        raise ValueError(f"export format name {name!r} must be lower case without surrounding spaces")
    with _LOCK:
        _FORMATS[name] = writer
    return writer


def unregister_format(name: str) -> None:
    """Forget the format registered under ``name`` (nothing happens if there is none)."""
    with _LOCK:
        _FORMATS.pop(name, None)


def format_names() -> tuple[str, ...]:
    """Every format the export options may choose: the built-in ones first, in their order."""
    with _LOCK:
        registered = list(_FORMATS)
    return tuple(
        [name for name in BUILTIN_FORMATS if name in registered]
        + [name for name in registered if name not in BUILTIN_FORMATS]
    )


def format_name(value: object) -> str:
    """A format's name, from its name or an enum member (``ExportFormat.NEMO``), as written."""
    return str(value.value if isinstance(value, enum.Enum) else value).strip().lower()


def format_writer_class(value: object) -> type[FormatWriter]:
    """The registered writer of the format ``value`` names (any case, surrounding spaces allowed);
    a ValidationError naming the registered formats if none."""
    with _LOCK:
        writer = _FORMATS.get(format_name(value))
    if writer is None:
        allowed = ", ".join(format_names())
        raise ValidationError(message_key="error.export_format", params={"value": repr(value), "allowed": allowed})
    return writer


def new_format_writer(value: object) -> FormatWriter:
    """A fresh writer for one export in the format ``value`` names."""
    return format_writer_class(value)()
