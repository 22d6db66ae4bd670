"""What a killed export or zip leaves behind, cleared by the next one of the same name.

Exports and zips are written under hidden names beside their target (``.NAME.partial-…``, and
``.NAME.previous-…`` for a replaced export) and renamed at the end; a crash or ``kill -9`` in
between leaves those hidden copies, possibly gigabytes of clips. The next export or zip to the
same target removes the ones nothing has written to for ``STALE_SECONDS`` (the rule all hidden
partial files follow: speechlabel.core.leftovers).
"""

from __future__ import annotations

from pathlib import Path

from speechlabel.core.leftovers import STALE_SECONDS, remove_stale

__all__ = ["STALE_SECONDS", "remove_stale_leftovers"]

_PATTERNS = (".{name}.partial-*", ".{name}.previous-*")


def remove_stale_leftovers(target: Path, now: float | None = None) -> list[Path]:
    """Remove the hidden partial and previous copies of ``target`` untouched for STALE_SECONDS;
    returns what was removed."""
    candidates = (path for pattern in _PATTERNS for path in target.parent.glob(pattern.format(name=target.name)))
    return remove_stale(candidates, now)
