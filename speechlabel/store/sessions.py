"""Sessions (by the SHA-256 of their token) and the failed sign-ins that pause a username at
an address, or an address (``login_limits.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, or_, select

from speechlabel.core.models import Role, User
from speechlabel.store import schema
from speechlabel.store.audit import AuditNote, AuditQueries, write_audit
from speechlabel.store.rows import as_utc, user_from_row

_sessions = schema.sessions
_failures = schema.login_failures
_users = schema.users

_members = schema.project_members

# Built once and one statement: every label loop request starts with it (a statement built per
# call costs more than the query; on PostgreSQL each statement is a round trip too). A row per
# role of the user, or one row with no role.
_SESSION_USER = (
    select(_users, _sessions.c.expires_at, _members.c.project_id.label("role_in"), _members.c.role.label("role"))
    .join(_sessions, _sessions.c.user_id == _users.c.id)
    .outerjoin(_members, _members.c.user_id == _users.c.id)
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class SessionUser:
    """A session's user, when the session ends (ended or not) and the user's roles by project id."""

    user: User
    expires_at: datetime
    roles: dict[int, Role]


@dataclass(frozen=True)
class RecentFailures:
    """Failed sign-ins after a moment: times newest first, and how many for the username in all."""

    user_at_address: list[datetime]
    at_address: list[datetime]
    for_user: int


class SessionQueries(AuditQueries):
    def recent_login_failures(self, username: str, address: str, since: datetime) -> RecentFailures:
        """The failures after ``since`` for ``username`` from ``address``, from ``address`` for any
        username, and the number for ``username`` from anywhere."""
        recent = _failures.c.at > since
        newest_first = select(_failures.c.at).where(recent).order_by(_failures.c.at.desc())
        with self.read() as connection:
            pair = (
                connection.execute(newest_first.where(_failures.c.username == username, _failures.c.address == address))
                .scalars()
                .all()
            )
            everyone = connection.execute(newest_first.where(_failures.c.address == address)).scalars().all()
            anywhere = connection.execute(
                select(func.count()).select_from(_failures).where(recent, _failures.c.username == username)
            ).scalar_one()
        return RecentFailures([as_utc(at) for at in pair], [as_utc(at) for at in everyone], int(anywhere))

    def login_failures_since(self, username: str, since: datetime) -> list[datetime]:
        """When ``username`` failed to sign in after ``since``, newest first."""
        query = (
            select(_failures.c.at)
            .where(_failures.c.username == username, _failures.c.at > since)
            .order_by(_failures.c.at.desc())
        )
        with self.read() as connection:
            return [as_utc(at) for at in connection.execute(query).scalars()]

    def record_login_failure(
        self, username: str, address: str, at: datetime, forget_before: datetime, note: AuditNote
    ) -> None:
        """Count one failed sign-in; the username's and the address's failures from before
        ``forget_before`` no longer matter and go."""
        with self.write() as connection:
            connection.execute(
                delete(_failures).where(
                    or_(_failures.c.username == username, _failures.c.address == address),
                    _failures.c.at <= forget_before,
                )
            )
            connection.execute(insert(_failures).values(username=username, address=address, at=at))
            write_audit(connection, note, at)

    def open_session(
        self,
        user_id: int,
        username: str,
        token_hash: str,
        at: datetime,
        expires_at: datetime,
        note: AuditNote,
        address: str = "",
    ) -> None:
        """Start a session: the user's failed sign-ins from this address are forgiven (not those
        from elsewhere, which may be someone guessing), their expired sessions dropped."""
        with self.write() as connection:
            connection.execute(
                delete(_failures).where(_failures.c.username == username, _failures.c.address == address)
            )
            connection.execute(delete(_sessions).where(_sessions.c.user_id == user_id, _sessions.c.expires_at <= at))
            connection.execute(
                insert(_sessions).values(token_hash=token_hash, user_id=user_id, created_at=at, expires_at=expires_at)
            )
            write_audit(connection, note, at)

    def session_user(self, token_hash: str) -> SessionUser | None:
        """The user of a session, when it expires (expired or not) and their roles; None for an
        unknown token."""
        with self.read() as connection:
            rows = connection.execute(_SESSION_USER, {"token_hash": token_hash}).all()
        if not rows:
            return None
        roles = {row.role_in: Role(row.role) for row in rows if row.role_in is not None}
        return SessionUser(user_from_row(rows[0]), as_utc(rows[0].expires_at), roles)

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
