"""A zip of an export folder, for the Export page's download.

The zip is written to a file on disk, one member at a time (``ZipFile.write`` copies in
chunks), so an export of many hours of audio is never held in memory. Audio and gzipped
manifests are stored as they are (deflating PCM saves little and costs CPU); text is deflated.
Member names are relative to the export root, so unzipping gives the folder's layout.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from speechlabel.core.errors import ValidationError
from speechlabel.export.leftovers import remove_stale_leftovers

# Already compressed, or PCM that deflate barely shrinks.
STORED_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".gz"})


def zip_folder(folder: str | Path, zip_path: str | Path, on_file: Callable[[int, int], None] | None = None) -> Path:
    """Write every file under ``folder`` into ``zip_path`` (replacing it) and return its path.

    ``on_file(done, total)`` is called after each file. The zip is built under a hidden
    temporary name beside ``zip_path`` and renamed at the end, so a half-written zip is never
    offered. Symbolic links are left out: an export never makes them, and one could point at
    a file outside the export.
    """
    folder, zip_path = Path(folder).resolve(), Path(zip_path).resolve()
    if not folder.is_dir():
        raise ValidationError(message_key="error.zip_not_folder", params={"folder": folder})
    if zip_path.is_relative_to(folder):
        raise ValidationError(message_key="error.zip_inside", params={"zip_path": zip_path})
    files = folder_files(folder)
    remove_stale_leftovers(zip_path)
    partial = zip_path.with_name(f".{zip_path.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            for done, path in enumerate(files, start=1):
                archive.write(path, member_name(folder, path), compress_type=compression_for(path))
                if on_file:
                    on_file(done, len(files))
        os.replace(partial, zip_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return zip_path


def folder_files(folder: Path) -> list[Path]:
    """The regular files under ``folder`` in a stable order, without following links."""
    found: list[Path] = []
    for root, directories, names in os.walk(folder, followlinks=False):
        directories.sort()
        found.extend(Path(root) / name for name in sorted(names) if not (Path(root) / name).is_symlink())
    return found


def member_name(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators, as zip members are named."""
    return path.relative_to(root).as_posix()


def compression_for(path: Path) -> int:
    return zipfile.ZIP_STORED if path.suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
