"""What a killed export or zip leaves behind, cleared by the next one of the same name.

Exports and zips are written under hidden names beside their target (``.NAME.partial-…``, and
``.NAME.previous-…`` for a replaced export) and renamed at the end; a crash or ``kill -9`` in
between leaves those hidden copies, possibly gigabytes of clips. The next export or zip to the
same target removes the ones nothing has written to for ``STALE_SECONDS``: a running export
writes its files within seconds of each other, so such a copy belongs to no running export.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)

STALE_SECONDS = 6 * 3600
_PATTERNS = (".{name}.partial-*", ".{name}.previous-*")


def remove_stale_leftovers(target: Path, now: float | None = None) -> list[Path]:
    """Remove the hidden partial and previous copies of ``target`` untouched for STALE_SECONDS;
    returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    for pattern in _PATTERNS:
        for leftover in target.parent.glob(pattern.format(name=target.name)):
            if now - _last_written(leftover) < STALE_SECONDS:
                continue
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            log.info("removed %s, left behind by an export or zip that did not finish", leftover)
            removed.append(leftover)
    return removed


def _last_written(path: Path) -> float:
    """The newest modification time of ``path`` and, for a folder, of what it directly holds
    (a folder's own time changes only when entries are added to it, not to its subfolders)."""
    times = [path.lstat().st_mtime]
    if path.is_dir() and not path.is_symlink():
        times.extend(child.lstat().st_mtime for child in path.iterdir())
    return max(times)
