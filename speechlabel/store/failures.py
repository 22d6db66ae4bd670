"""Database failures as one error users can read (``StoreUnavailable``), the details logged.

SQLAlchemy's OperationalError and InternalError are failures of the database, not of the
request: a read-only file or transaction, a full disk, a lock held past SQLite's busy timeout,
a lost connection. Their text (SQL, parameters, server paths) is for the server's log, never a
page. IntegrityError and the other DBAPI errors are left alone: the store catches some
(duplicates), the rest are bugs.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError

from speechlabel.core.errors import StoreUnavailable

log = logging.getLogger(__name__)

# What went wrong, in the order of the message keys below: the SQLite message parts and the
# PostgreSQL SQLSTATE prefixes that say so. Anything else is the last, general message.
_KINDS = (
    (("readonly database", "read-only"), ("25006",)),
    (("disk is full", "no space left", "disk i/o error"), ("53100", "53200")),
    (("database is locked", "table is locked"), ("55P03", "57014", "40001", "40P01")),
    (("unable to open database", "connection"), ("08", "57P")),
)
_UNREACHABLE, _FAILED = 3, 4


def unavailable(error: DBAPIError) -> StoreUnavailable:
    """The readable error for ``error``; its own text (and the statement, without its parameters,
    which can hold user data) goes to the server's log."""
    kind = _classify(error)
    log.error("database failure: %s: %s; statement: %s", type(error.orig).__name__, error.orig, error.statement)
    return StoreUnavailable(
        message_key=(
            "error.database_read_only",
            "error.database_full",
            "error.database_busy",
            "error.database_unreachable",
            "error.database_failed",
        )[kind]
    )


def _classify(error: DBAPIError) -> int:
    text = str(error.orig).lower()
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or ""
    for kind, (parts, states) in enumerate(_KINDS):
        if state.startswith(states) if state else any(part in text for part in parts):
            return kind
    return _UNREACHABLE if error.connection_invalidated else _FAILED
