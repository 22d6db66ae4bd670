"""A browser upload written to disk as it arrives, then imported like a file named on the
command line (``import_uploads`` with its path): the server never holds more of it than the
chunk in flight and the import's own blocks, whatever the file's size.

The bytes go to a hidden file in the data folder (not the system's temporary folder: a 4-hour
recording is gigabytes, and the data folder is where the space for audio was planned), which is
removed once the import ends, is refused, fails or the client goes away. A server killed
meanwhile leaves it to ``remove_stale_temporaries`` (speechlabel.core.leftovers).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Actor, Project
from speechlabel.ingest.files import ImportReport, import_uploads
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

UPLOADS_FOLDER = "audio/uploads"
# Chunks arrive in tens of kB; they are gathered and written a MiB at a time (one write call,
# one thread hop, per MiB), which is all the upload the server holds at once.
WRITE_BYTES = 1 << 20
_FOLDERS = re.compile(r"^.*[/\\]")


class UploadTooLarge(ValidationError):
    """A body over the largest upload the server takes (413)."""


@dataclass(frozen=True)
class UploadLimit:
    """The largest upload the server takes, in bytes (Streamlit's ``server.maxUploadSize``, which
    the page's file picker kept before: one limit for both)."""

    most_bytes: int

    def check(self, size: int) -> None:
        if size > self.most_bytes:
            params = {"megabytes": size / 2**20, "most": self.most_bytes / 2**20}
            raise UploadTooLarge(message_key="error.upload_too_large", params=params)

    def check_declared(self, content_length: str | None) -> None:
        """Refuse before reading a byte when the request says it is too big (a body without a
        Content-Length, sent in chunks, is checked as it arrives)."""
        if content_length is not None and content_length.strip().isdigit():
            self.check(int(content_length))


def upload_name(name: str | None) -> str:
    """The file name an upload is labelled with: its last path part only (a browser sends none,
    and a name is never a path here: stored files have generated names). ``clean_label`` then
    drops control characters and bounds the length, as for every import."""
    if not name or not name.strip():
        raise ValidationError(message_key="error.upload_no_name")
    return _FOLDERS.sub("", name.strip()) or "unnamed"


class UploadSpool:
    """The hidden file an upload's body is written to. ``add`` counts each chunk against the
    limit (refusing as soon as the body passes it) and gathers it; ``write_due`` writes what was
    gathered (callers on an event loop run it in a thread). Use as a context manager: the file is
    removed on the way out, whatever happened."""

    def __init__(self, settings: Settings, limit: UploadLimit) -> None:
        folder = settings.data_dir / UPLOADS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        self.path: Path = folder / f".tmp-{uuid.uuid4().hex}"
        self.limit = limit
        self.size = 0
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._file: BinaryIO | None = open(self.path, "wb")

    def add(self, chunk: bytes) -> bool:
        """Gather ``chunk``; True when a MiB or more waits for ``write_due``."""
        self.size += len(chunk)
        self.limit.check(self.size)
        if chunk:
            self._pending.append(chunk)
            self._pending_bytes += len(chunk)
        return self._pending_bytes >= WRITE_BYTES

    def write_due(self) -> None:
        if self._file is None or not self._pending:
            return
        self._file.write(b"".join(self._pending))
        self._pending, self._pending_bytes = [], 0

    def finish(self) -> Path:
        """Write the rest and close the file; its path, for the import."""
        self.write_due()
        self._close()
        return self.path

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> UploadSpool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()
        self.path.unlink(missing_ok=True)


def import_upload(
    store: Store, settings: Settings, project: Project, actor: Actor, path: Path, name: str
) -> ImportReport:
    """Import the spooled upload at ``path`` under the label ``name`` (read from disk in chunks)."""
    return import_uploads(store, settings, project, [(upload_name(name), path)], actor=actor)
