"""Run an export: check who asks, select, write the chosen format per split, move into place.

The format's writer comes from the registry (``formats``) by the format's name.

The export is built in a hidden sibling folder and renamed into place at the end, so an
interrupted export never leaves files that look complete, and an existing export is replaced
only when asked: also when another export took the same folder while this one ran (the rename
into a filled folder fails, and this export is dropped with a clear error).
"""

from __future__ import annotations

import errno
import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from speechlabel.accounts.access import require_role
from speechlabel.core.errors import Conflict, ValidationError
from speechlabel.core.models import Actor, Project
from speechlabel.export.card import CARD_NAME, CARD_SIGNATURE, SplitSummary, summarize, write_card
from speechlabel.export.formats import format_name, new_format_writer
from speechlabel.export.job import ExportJob
from speechlabel.export.leftovers import remove_stale_leftovers
from speechlabel.export.media import AudioWriter
from speechlabel.export.names import SafeNames
from speechlabel.export.nemo import MANIFEST_NAME
from speechlabel.export.options import ExportOptions
from speechlabel.export.select import ExportItem, select_items
from speechlabel.projects.metadata import project_metadata
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportReport:
    out_dir: Path
    manifest: Path
    """The main file: the (first split's) manifest, metadata, supervisions or Kaldi ``text``."""
    segments: int
    audio_seconds: float
    splits: tuple[SplitSummary, ...] = ()
    card: Path | None = None
    files: tuple[Path, ...] = ()
    """Every manifest file written, relative to ``out_dir``."""


def export_dataset(
    store: Store,
    settings: Settings,
    project: Project,
    out_dir: str | Path,
    options: ExportOptions | None = None,
    on_segment: Callable[[int], None] | None = None,
    *,
    actor: Actor,
) -> ExportReport:
    """Write the project's chosen segments in ``options.format`` to ``out_dir`` (with a dataset
    card); leads of the project only. ``on_segment(count)`` is called after each segment."""
    require_role(actor, project, action="exporting")
    options = (options or ExportOptions()).validated()
    out_dir = Path(out_dir).resolve()
    _check_destination(out_dir, options.overwrite, settings.data_dir)
    items = select_items(store, project.id, options)
    remove_stale_leftovers(out_dir)
    staging = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        job = _new_job(staging, settings, project, options, on_segment)
        job.metadata = project_metadata(store, project.id)
        splits = _write_splits(job, items)
        card = write_card(staging, project, options, items, splits)
        _move_into_place(staging, out_dir, options.overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = sum(item.seconds for item in items)
    log.info("exported %d segments (%.1f s) as %s to %s", len(items), seconds, format_name(options.format), out_dir)
    manifest = out_dir / job.files[0] if job.files else out_dir / MANIFEST_NAME
    return ExportReport(out_dir, manifest, len(items), seconds, tuple(splits), out_dir / card.name, tuple(job.files))


# Kept under its old name: the JSONL export is ``export_dataset`` with the default format.
export_jsonl = export_dataset


def _new_job(staging: Path, settings: Settings, project: Project, options: ExportOptions, on_segment) -> ExportJob:
    recording_ids, segment_ids = SafeNames(what="recording id"), SafeNames(what="segment id")
    audio = AudioWriter(settings.data_dir, options.sample_rate, recording_ids, segment_ids)
    return ExportJob(staging, project, options, audio, recording_ids, segment_ids, on_segment)


def _write_splits(job: ExportJob, items: list[ExportItem]) -> list[SplitSummary]:
    names: tuple[str | None, ...] = job.options.split_names or (None,)
    writer = new_format_writer(job.options.format)  # one per export: it may keep what the splits share
    summaries = []
    for name in names:
        chosen = [item for item in items if item.split == name]
        if chosen or name is None:  # an empty split is left out; an empty export still gets its files
            writer.write(job, name, chosen)
        summaries.append(summarize(name, chosen))
    return summaries


def _check_destination(out_dir: Path, overwrite: bool, data_dir: Path) -> None:
    """An export goes to a new or empty folder; ``overwrite`` replaces only an earlier export
    (a folder with our dataset card), never a folder of other files, and never the data folder
    or a folder holding it: the old folder is deleted once the new one is in place."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValidationError(message_key="error.export_dir_not_folder", params={"out_dir": out_dir})
    data_dir = Path(data_dir).resolve()
    if out_dir == data_dir or out_dir in data_dir.parents:
        raise ValidationError(message_key="error.export_dir_data", params={"out_dir": out_dir, "data_dir": data_dir})
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return
    if not overwrite:
        raise ValidationError(message_key="error.export_dir_not_empty", params={"out_dir": out_dir})
    if not is_export_folder(out_dir):
        raise ValidationError(message_key="error.export_dir_foreign", params={"out_dir": out_dir})


def is_export_folder(folder: Path) -> bool:
    """Whether ``folder`` is an export we wrote: its dataset card says so."""
    card = folder / CARD_NAME
    try:
        with open(card, encoding="utf-8") as handle:
            return any(line.startswith(CARD_SIGNATURE) for line, _ in zip(handle, range(5)))
    except (OSError, UnicodeDecodeError):
        return False


def _move_into_place(staging: Path, out_dir: Path, overwrite: bool) -> None:
    """Rename the finished export into ``out_dir``. Without ``overwrite`` the rename itself is
    the check: it succeeds on a missing or empty folder and fails on a folder another export
    filled meanwhile (the check at the start cannot see that), so nothing is ever replaced."""
    previous = None
    if overwrite and out_dir.exists() and is_export_folder(out_dir):
        previous = out_dir.parent / f".{out_dir.name}.previous-{uuid.uuid4().hex[:8]}"
        out_dir.rename(previous)
    try:
        staging.rename(out_dir)
    except OSError as error:
        if previous is not None:
            previous.rename(out_dir)  # put the earlier export back
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise Conflict(message_key="error.export_dir_taken", params={"out_dir": out_dir}) from None
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
