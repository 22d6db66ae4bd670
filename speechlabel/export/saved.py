"""The Export page's actions: export a project into the data folder under a checked name, note
what it holds, zip it for download; and zip an earlier export on demand.

The command line's ``export`` writes wherever it is told (it has the machine's trust); these
functions only ever write under ``<data folder>/exports/<project>/`` (see ``destinations``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.core.models import Actor, Project
from speechlabel.export.archive import zip_folder
from speechlabel.export.destinations import (
    ExportDestination,
    SavedExport,
    export_destination,
    folder_size,
    write_summary,
)
from speechlabel.export.formats import format_name
from speechlabel.export.options import ExportOptions
from speechlabel.export.run import ExportReport, export_dataset
from speechlabel.export.select import select_items
from speechlabel.store import Store
from speechlabel.workspace.config import Settings


class Stage(str, enum.Enum):
    SEGMENTS = "segments"
    ZIP = "zip"


@dataclass(frozen=True)
class ExportProgress:
    """How far an export is: segments written, then files zipped."""

    stage: Stage
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, self.done / self.total)


ProgressCallback = Callable[[ExportProgress], None]


@dataclass(frozen=True)
class SavedExportRun:
    """What the page shows after an export: where it is, what it holds, the zip (if made)."""

    destination: ExportDestination
    report: ExportReport
    saved: SavedExport

    @property
    def zip_path(self) -> Path | None:
        return self.saved.zip_path


def export_to_data_folder(
    store: Store,
    settings: Settings,
    project: Project,
    name: str,
    options: ExportOptions,
    on_progress: ProgressCallback | None = None,
    *,
    actor: Actor,
    make_zip: bool = True,
) -> SavedExportRun:
    """Export ``project`` as ``options`` say to ``<data folder>/exports/<project>/<name>`` and,
    with ``make_zip``, zip it beside; leads of the project only. An existing export of that
    name is replaced only with ``options.overwrite``."""
    require_role(actor, project, action="exporting")
    destination = export_destination(settings, project, name)
    options = options.validated()
    _refuse_existing(destination, project, options.overwrite)
    # Selected once more inside export_dataset: a second query is cheap next to writing audio,
    # and the progress bar needs the total before the first segment is written.
    total = len(select_items(store, project.id, options))
    report = export_dataset(
        store, settings, project, destination.folder, options, _stage(on_progress, Stage.SEGMENTS, total), actor=actor
    )
    destination.zip_path.unlink(missing_ok=True)  # a zip of the export it replaced is stale
    saved = SavedExport(
        destination.name,
        format_name(options.format),
        report.segments,
        round(report.audio_seconds, 3),
        folder_size(destination.folder),
        datetime.now(UTC),
        actor.username,
        destination.folder,
        None,
    )
    write_summary(destination, saved)
    if make_zip:
        saved = replace(saved, zip_path=zip_folder(destination.folder, destination.zip_path, _files_stage(on_progress)))
    return SavedExportRun(destination, report, saved)


def zip_saved_export(
    settings: Settings, project: Project, name: str, on_progress: ProgressCallback | None = None, *, actor: Actor
) -> Path:
    """The zip of the earlier export ``name``, made now if there is none; leads only."""
    require_role(actor, project, action="downloading exports")
    destination = export_destination(settings, project, name)
    if not destination.folder.is_dir():
        raise NotFound(message_key="error.no_export", params={"project": project.name, "name": destination.name})
    if destination.zip_path.is_file():
        return destination.zip_path
    return zip_folder(destination.folder, destination.zip_path, _files_stage(on_progress))


def _refuse_existing(destination: ExportDestination, project: Project, overwrite: bool) -> None:
    folder = destination.folder
    if folder.exists() and not overwrite and (not folder.is_dir() or any(folder.iterdir())):
        raise ValidationError(
            message_key="error.export_exists", params={"project": project.name, "name": destination.name}
        )


def _stage(on_progress: ProgressCallback | None, stage: Stage, total: int) -> Callable[[int], None] | None:
    if on_progress is None:
        return None
    return lambda done: on_progress(ExportProgress(stage, done, total))


def _files_stage(on_progress: ProgressCallback | None) -> Callable[[int, int], None] | None:
    if on_progress is None:
        return None
    return lambda done, total: on_progress(ExportProgress(Stage.ZIP, done, total))
