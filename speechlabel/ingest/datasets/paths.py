"""Where a manifest's audio path points, and whether the import may read it.

The rule: relative paths are resolved against the manifest's folder (NeMo's rule; for Lhotse
also the dataset folder, see ``lhotse_reader``) and must stay inside the dataset folder: a
``..`` that climbs out is refused. Absolute paths are accepted only from an *absolute-path style*
manifest, one whose every audio path is absolute, as NeMo's and Lhotse's own preparation
scripts write them; in a manifest that mixes styles, an absolute path must point inside the
dataset folder too. The check is on the path as written (normalised, ``..`` folded): symbolic
links inside the dataset folder are followed wherever they point, and an absolute-style
manifest may name any file the server can read. That is acceptable because ``import-dataset``
is a command-line action, run by someone who can read those files anyway; no page offers it.
A page that took datasets from users would have to resolve links and refuse absolute paths.
File names never reach the data folder: stored files are named by content hash and recording id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class AudioPathError(Exception):
    """The audio path is unusable; the message says why and what is allowed."""


@dataclass(frozen=True)
class AudioLocator:
    root: Path
    """The dataset folder (absolute)."""
    bases: tuple[Path, ...]
    """Folders a relative path is tried against, in order (absolute, inside ``root``)."""
    absolute_style: bool
    """Every audio path of the manifest is absolute: absolute paths may point anywhere."""

    def locate(self, written: str) -> Path:
        """The audio file ``written`` names; AudioPathError if it leaves the dataset or is missing."""
        if not written.strip():
            raise AudioPathError("the audio path is empty; give the audio file's path")
        path = Path(written)
        if path.is_absolute():
            candidates = [_normal(path)]
            if not self.absolute_style and not _inside(candidates[0], self.root):
                raise AudioPathError(
                    f"the absolute audio path {written!r} points outside the dataset folder {self.root}; in a "
                    "manifest with relative paths every audio file must be inside the dataset folder (a manifest "
                    "whose audio paths are all absolute may point anywhere)"
                )
        else:
            candidates = [_normal(base / path) for base in self.bases]
            if not all(_inside(candidate, self.root) for candidate in candidates):
                raise AudioPathError(
                    f"the audio path {written!r} leads out of the dataset folder {self.root}; "
                    "relative paths must stay inside it (no '..' above it)"
                )
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        looked = " or ".join(str(candidate) for candidate in dict.fromkeys(candidates))
        raise AudioPathError(f"audio file {written!r} not found (looked for {looked})")


def is_absolute_style(paths: list[str]) -> bool:
    return bool(paths) and all(Path(path).is_absolute() for path in paths)


def relative_name(path: Path, root: Path) -> str:
    """``path`` relative to the dataset folder for messages and labels (as given when outside)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path))


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)
