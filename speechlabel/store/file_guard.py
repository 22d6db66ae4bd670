"""The SQLite file a running app writes to must still be the one it opened.

Deleting (or replacing) the database file under a running server leaves its connections
writing into the unlinked inode: every save "succeeds", and all of it is gone at the next start.
So before each write the file's identity (device and inode) is compared with the one at start;
a file that is gone or another one stops every write with a clear error instead.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine

from speechlabel.core.errors import SpeechLabelError

log = logging.getLogger(__name__)


class DatabaseFileGone(SpeechLabelError):
    """The database file was deleted or replaced while the app ran: nothing more can be saved."""


class DatabaseFileGuard:
    """Remembers a SQLite database file's identity; :meth:`check` refuses once it changed."""

    def __init__(self, path: Path):
        self.path = path
        self._identity = _identity(path)

    @classmethod
    def of(cls, engine: Engine) -> DatabaseFileGuard | None:
        """The guard of an engine on a SQLite file (None for PostgreSQL or an in-memory database)."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(Path(database).resolve())

    def check(self) -> None:
        if self._identity is None:  # created by the first connection (tests open empty paths)
            self._identity = _identity(self.path)
            return
        if _identity(self.path) != self._identity:
            log.error(
                "the database file %s was deleted or replaced while the app was running; refusing writes", self.path
            )
            raise DatabaseFileGone(message_key="error.database_file_gone", params={"path": str(self.path)})


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino
