"""Users and their role per project. Every change writes its audit line in the same transaction.

``AccountQueries`` also carries the session and audit queries (``sessions.py``, ``audit.py``),
so ``Store`` registers one mixin for the whole account layer.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from speechlabel.core.errors import Conflict, NotFound
from speechlabel.core.models import Member, Role, User
from speechlabel.store import schema
from speechlabel.store.audit import AuditNote, write_audit
from speechlabel.store.rows import user_from_row, utc_now
from speechlabel.store.sessions import SessionQueries

_users = schema.users
_members = schema.project_members
_projects = schema.projects
_sessions = schema.sessions

# Built once: read on every label loop request (a statement built per call costs more than the query).
_ROLES_OF = select(_members.c.project_id, _members.c.role).where(_members.c.user_id == bindparam("user_id"))


class AccountQueries(SessionQueries):
    def insert_user(
        self, username: str, password_hash: str, is_admin: bool, note: AuditNote, at: datetime | None = None
    ) -> User:
        at = at or utc_now()
        try:
            with self.write() as connection:
                connection.execute(
                    insert(_users).values(
                        username=username, password_hash=password_hash, is_admin=is_admin, disabled=False, created_at=at
                    )
                )
                write_audit(connection, note, at)
        except IntegrityError:
            raise Conflict(message_key="error.user_exists", params={"name": username}) from None
        return self.get_user(username)

    def get_user(self, username: str) -> User:
        with self.read() as connection:
            row = connection.execute(select(_users).where(_users.c.username == username)).first()
        if row is None:
            raise NotFound(message_key="error.no_user", params={"username": username})
        return user_from_row(row)

    def user_credentials(self, username: str) -> tuple[User, str] | None:
        """The user and their stored password hash, for signing in; None when there is no such user."""
        with self.read() as connection:
            row = connection.execute(select(_users).where(_users.c.username == username)).first()
        return None if row is None else (user_from_row(row), row.password_hash)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's stored hash (the same password hashed at today's cost)."""
        with self.write() as connection:
            connection.execute(update(_users).where(_users.c.id == user_id).values(password_hash=password_hash))

    def list_users(self) -> list[User]:
        with self.read() as connection:
            rows = connection.execute(select(_users).order_by(_users.c.username)).all()
        return [user_from_row(row) for row in rows]

    def has_admin(self) -> bool:
        with self.read() as connection:
            return (
                connection.execute(select(_users.c.id).where(_users.c.is_admin.is_(True)).limit(1)).first() is not None
            )

    def set_user_disabled(self, user_id: int, disabled: bool, note: AuditNote) -> None:
        """Disable (their sessions end at once) or enable a user."""
        at = utc_now()
        with self.write() as connection:
            connection.execute(update(_users).where(_users.c.id == user_id).values(disabled=disabled))
            if disabled:
                connection.execute(delete(_sessions).where(_sessions.c.user_id == user_id))
            write_audit(connection, note, at)

    def set_membership(self, project_id: int, user_id: int, role: Role, note: AuditNote) -> Role | None:
        """Give the user ``role`` in the project; returns the role they had (logged as "previous")."""
        key = (_members.c.project_id == project_id) & (_members.c.user_id == user_id)
        try:
            with self.write() as connection:
                previous = connection.execute(select(_members.c.role).where(key).with_for_update()).scalar()
                if previous is None:
                    connection.execute(insert(_members).values(project_id=project_id, user_id=user_id, role=role.value))
                else:
                    connection.execute(update(_members).where(key).values(role=role.value))
                write_audit(connection, note, previous=previous)
        except IntegrityError:  # PostgreSQL: someone gave the same user a role in the same instant
            raise Conflict(message_key="error.role_race", params={"target": note.target}) from None
        return Role(previous) if previous else None

    def delete_membership(self, project_id: int, user_id: int, note: AuditNote) -> Role | None:
        """Take the user's role in the project away; returns it (None: they had none, nothing logged)."""
        key = (_members.c.project_id == project_id) & (_members.c.user_id == user_id)
        with self.write() as connection:
            previous = connection.execute(select(_members.c.role).where(key)).scalar()
            if previous is None:
                return None
            connection.execute(delete(_members).where(key))
            write_audit(connection, note, role=previous)
        return Role(previous)

    def roles_of(self, user_id: int) -> dict[int, Role]:
        """Project id → the user's role there."""
        with self.read() as connection:
            return {project_id: Role(role) for project_id, role in connection.execute(_ROLES_OF, {"user_id": user_id})}

    def list_memberships(self, project_ids: Collection[int] | None = None) -> list[Member]:
        """Roles in the given projects (None: in every project), by project name then username."""
        query = (
            select(_members.c.project_id, _members.c.role, _projects.c.name.label("project_name"), _users)
            .join(_projects, _projects.c.id == _members.c.project_id)
            .join(_users, _users.c.id == _members.c.user_id)
            .order_by(_projects.c.name, _users.c.username)
        )
        if project_ids is not None:
            query = query.where(_members.c.project_id.in_(list(project_ids)))
        with self.read() as connection:
            rows = connection.execute(query).all()
        return [Member(row.project_id, row.project_name, user_from_row(row), Role(row.role)) for row in rows]
