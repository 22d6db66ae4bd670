"""Hidden partial files that a killed or failed write left behind, and the one rule for them.

Files are written under hidden names and renamed into place when complete (an import's
``.tmp-…`` originals and 16 kHz copies, an export's ``.NAME.partial-…`` folders). A crash,
``kill -9`` or a full disk in between leaves the hidden copy forever unless someone removes it.
A writer that is still running touches its file or folder within seconds, so one that nothing
has written to for ``STALE_SECONDS`` belongs to no running writer and is removed.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

STALE_SECONDS = 6 * 3600
# Where imports write their temporaries (speechlabel.ingest.files, speechlabel.audio.normalize).
# An original is staged in the originals folder itself until its hash names its place (older
# versions wrote it in the hash's folder).
_IMPORT_TEMPORARIES = (
    "audio/normalized/.tmp-*",
    "audio/originals/.tmp-*",
    "audio/originals/*/.tmp-*",
    "audio/uploads/.tmp-*",  # an upload streamed to disk (speechlabel.ingest.uploads)
)


def remove_stale(candidates: Iterable[Path], now: float | None = None) -> list[Path]:
    """Remove the files and folders among ``candidates`` untouched for STALE_SECONDS; returns
    what was removed."""
    now = time.time() if now is None else now
    removed = []
    for leftover in candidates:
        try:
            if now - _last_written(leftover) < STALE_SECONDS:
                continue
        except FileNotFoundError:  # its writer finished (renamed it) meanwhile
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        log.info("removed %s, left behind by a write that did not finish", leftover)
        removed.append(leftover)
    return removed


def remove_stale_temporaries(settings, now: float | None = None) -> list[Path]:
    """Remove what killed imports left in the data folder (called when a workspace opens and
    when an import starts)."""
    return remove_stale((path for pattern in _IMPORT_TEMPORARIES for path in settings.data_dir.glob(pattern)), now)


def _last_written(path: Path) -> float:
    """The newest modification time of ``path`` and, for a folder, of what it directly holds
    (a folder's own time changes only when entries are added to it, not to its subfolders)."""
    times = [path.lstat().st_mtime]
    if path.is_dir() and not path.is_symlink():
        times.extend(child.lstat().st_mtime for child in path.iterdir())
    return max(times)
