"""Where the Export page writes: ``<data folder>/exports/<project>/<export name>/``.

A lead on the page names an export, never a path: the name is checked (ASCII letters, digits,
``-``, ``_``, ``.``; no leading dot; at most 64 characters) and the project's folder name is made
safe by ``names.safe_id``, so nothing the page is given can reach outside the data folder's
``exports``. Beside each export folder the page keeps two hidden files: ``.<name>.export.json``
(what the export holds, for the list of earlier exports) and ``.<name>.zip`` (the download).
Their leading dot means no export name can ever clash with them.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Actor, Project
from speechlabel.export.archive import folder_files
from speechlabel.export.card import CARD_NAME
from speechlabel.export.names import safe_id
from speechlabel.export.options import ExportFormat
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

EXPORTS_DIR = "exports"
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9_.-]+\Z")
_CARD_FORMAT = re.compile(r"^- format: (\S+)$", re.MULTILINE)
_CARD_SEGMENTS = re.compile(r"^- segments: (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class ExportDestination:
    """One named export of a project in the data folder, and the files the page keeps beside it."""

    project_dir: Path
    name: str

    @property
    def folder(self) -> Path:
        return self.project_dir / self.name

    @property
    def zip_path(self) -> Path:
        return self.project_dir / f".{self.name}.zip"

    @property
    def summary_path(self) -> Path:
        return self.project_dir / f".{self.name}.export.json"


@dataclass(frozen=True)
class SavedExport:
    """An export found in the project's exports folder, as the page lists it."""

    name: str
    format: str
    """The format's name, or "unknown" for a folder this page did not write."""
    segments: int | None
    audio_seconds: float | None
    size_bytes: int
    created_at: datetime
    created_by: str | None
    folder: Path
    zip_path: Path | None
    """The zip ready for download, None when none was made yet."""


def check_export_name(name: object) -> str:
    """The name, trimmed; ValidationError saying what is wrong and what is allowed."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(message_key="error.export_name_empty")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            message_key="error.export_name_length", params={"name": name, "length": len(name), "limit": MAX_NAME_LENGTH}
        )
    if not _NAME.match(name):
        bad = "".join(dict.fromkeys(char for char in name if not _NAME.match(char)))
        raise ValidationError(
            message_key="error.export_name_characters", params={"name": name, "bad": bad, "limit": MAX_NAME_LENGTH}
        )
    if name.startswith("."):  # hidden, and "." / ".." are no folder of their own
        raise ValidationError(message_key="error.export_name_dot", params={"name": name, "limit": MAX_NAME_LENGTH})
    return name


def project_folder_name(project: Project) -> str:
    return safe_id(project.name)


def default_export_name(project: Project, export_format: ExportFormat | str, now: datetime | None = None) -> str:
    """``<project>-<format>-<UTC timestamp>``, e.g. ``calls-nemo-20260501T143000Z``; the project
    part is shortened when the whole would pass the length limit."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    tail = f"-{ExportFormat.parse(export_format).value}-{stamp}"
    return project_folder_name(project)[: MAX_NAME_LENGTH - len(tail)] + tail


def project_exports_dir(settings: Settings, project: Project) -> Path:
    return settings.data_dir / EXPORTS_DIR / project_folder_name(project)


def export_destination(settings: Settings, project: Project, name: str) -> ExportDestination:
    """Where the export ``name`` of ``project`` goes; the name is checked first."""
    return ExportDestination(project_exports_dir(settings, project), check_export_name(name))


def write_summary(destination: ExportDestination, summary: SavedExport) -> None:
    """Keep what an export holds beside it, so listing exports never walks their audio."""
    fields = asdict(summary)
    fields.update(created_at=summary.created_at.isoformat(), folder=None, zip_path=None)
    partial = destination.summary_path.with_name(destination.summary_path.name + ".partial")
    partial.write_text(json.dumps(fields, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(destination.summary_path)


def list_exports(settings: Settings, project: Project, *, actor: Actor) -> list[SavedExport]:
    """The project's exports in the data folder, newest first; leads of the project only."""
    require_role(actor, project, action="listing exports")
    project_dir = project_exports_dir(settings, project)
    if not project_dir.is_dir():
        return []
    found = []
    for folder in project_dir.iterdir():
        if folder.is_dir() and not folder.is_symlink() and not folder.name.startswith("."):
            found.append(read_saved_export(ExportDestination(project_dir, folder.name)))
    return sorted(found, key=lambda saved: (saved.created_at, saved.name), reverse=True)


def read_saved_export(destination: ExportDestination) -> SavedExport:
    """From the summary the page wrote; for a folder without one, from its dataset card."""
    zip_path = destination.zip_path if destination.zip_path.is_file() else None
    try:
        fields = json.loads(destination.summary_path.read_text(encoding="utf-8"))
        return SavedExport(
            name=destination.name,
            format=str(fields["format"]),
            segments=fields.get("segments"),
            audio_seconds=fields.get("audio_seconds"),
            size_bytes=int(fields["size_bytes"]),
            created_at=datetime.fromisoformat(fields["created_at"]),
            created_by=fields.get("created_by"),
            folder=destination.folder,
            zip_path=zip_path,
        )
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError) as error:  # a damaged summary: fall back, say so in the log
        log.warning("ignoring the unreadable export summary %s: %s", destination.summary_path, error)
    return _from_card(destination, zip_path)


def _from_card(destination: ExportDestination, zip_path: Path | None) -> SavedExport:
    card = destination.folder / CARD_NAME
    text = card.read_text(encoding="utf-8", errors="replace") if card.is_file() else ""
    export_format, segments = _CARD_FORMAT.search(text), _CARD_SEGMENTS.search(text)
    modified = datetime.fromtimestamp(destination.folder.stat().st_mtime, UTC)
    return SavedExport(
        destination.name,
        export_format.group(1) if export_format else "unknown",
        int(segments.group(1)) if segments else None,
        None,
        folder_size(destination.folder),
        modified,
        None,
        destination.folder,
        zip_path,
    )


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder_files(folder))
