"""Sessions (by the SHA-256 of their token) and the failed sign-ins that pause a username."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select

from ..models import User
from . import schema
from .audit import AuditNote, AuditQueries, write_audit
from .rows import as_utc, user_from_row

_sessions = schema.sessions
_failures = schema.login_failures
_users = schema.users

# Built once: read on every label loop request (a statement built per call costs more than the query).
_SESSION_USER = (
    select(_users, _sessions.c.expires_at).join(_sessions, _sessions.c.user_id == _users.c.id)
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)


class SessionQueries(AuditQueries):
    def login_failures_since(self, username: str, since: datetime) -> list[datetime]:
        """When ``username`` failed to sign in after ``since``, newest first."""
        query = (
            select(_failures.c.at)
            .where(_failures.c.username == username, _failures.c.at > since)
            .order_by(_failures.c.at.desc())
        )
        with self.read() as connection:
            return [as_utc(at) for at in connection.execute(query).scalars()]

    def record_login_failure(self, username: str, at: datetime, forget_before: datetime, note: AuditNote) -> None:
        """Count one failed sign-in; failures from before ``forget_before`` no longer matter and go."""
        with self.write() as connection:
            connection.execute(delete(_failures).where(_failures.c.username == username,
                                                       _failures.c.at <= forget_before))
            connection.execute(insert(_failures).values(username=username, at=at))
            write_audit(connection, note, at)

    def open_session(
        self, user_id: int, username: str, token_hash: str, at: datetime, expires_at: datetime, note: AuditNote
    ) -> None:
        """Start a session: the user's failed sign-ins are forgiven, their expired sessions dropped."""
        with self.write() as connection:
            connection.execute(delete(_failures).where(_failures.c.username == username))
            connection.execute(delete(_sessions).where(_sessions.c.user_id == user_id, _sessions.c.expires_at <= at))
            connection.execute(insert(_sessions).values(
                token_hash=token_hash, user_id=user_id, created_at=at, expires_at=expires_at))
            write_audit(connection, note, at)

    def session_user(self, token_hash: str) -> tuple[User, datetime] | None:
        """The user of a session and when it expires (expired or not); None for an unknown token."""
        with self.read() as connection:
            row = connection.execute(_SESSION_USER, {"token_hash": token_hash}).first()
        return None if row is None else (user_from_row(row), as_utc(row.expires_at))

    def close_session(self, token_hash: str, at: datetime) -> str | None:
        """End a session and log it; returns its user's name (None: no such session, nothing logged)."""
        query = (
            select(_users.c.username)
            .join(_sessions, _sessions.c.user_id == _users.c.id)
            .where(_sessions.c.token_hash == token_hash)
        )
        with self.write() as connection:
            username = connection.execute(query).scalar()
            if username is None:
                return None
            connection.execute(delete(_sessions).where(_sessions.c.token_hash == token_hash))
            write_audit(connection, AuditNote(actor=username, action="logout", target=username), at)
        return username
