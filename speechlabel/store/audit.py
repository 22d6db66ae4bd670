"""The audit log: who did what, when. Written in the same transaction as the change it records,
so a change and its log line exist together or not at all."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from speechlabel.core.models import AuditEntry
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import as_utc, utc_now

_audit = schema.audit_log
MAX_TARGET_LENGTH = 200


@dataclass(frozen=True)
class AuditNote:
    """What to log about a change (the store adds the time). ``details`` never hold a password."""

    actor: str
    action: str
    target: str | None = None
    project_id: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def write_audit(connection: Connection, note: AuditNote, at: datetime | None = None, **extra: Any) -> None:
    """Append ``note`` (with ``extra`` merged into its details) inside the caller's transaction."""
    connection.execute(
        insert(_audit).values(
            at=at or utc_now(),
            actor=note.actor[:100],
            action=note.action,
            project_id=note.project_id,
            target=note.target[:MAX_TARGET_LENGTH] if note.target is not None else None,
            details={**note.details, **extra},
        )
    )


class AuditQueries(StoreBase):
    def record_audit(self, note: AuditNote, at: datetime | None = None) -> None:
        """Log something that changes nothing else (a refused sign-in, say)."""
        with self.write() as connection:
            write_audit(connection, note, at)

    def list_audit(
        self,
        project_ids: Collection[int] | None = None,
        target: str | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest first. ``project_ids`` None: every line; a collection: only lines about those
        projects (lines about no project, such as sign-ins, are left out)."""
        query = select(_audit).order_by(_audit.c.id.desc()).limit(limit)
        if project_ids is not None:
            query = query.where(_audit.c.project_id.in_(list(project_ids)))
        if target is not None:
            query = query.where(_audit.c.target == target)
        with self.read() as connection:
            rows = connection.execute(query).all()
        return [
            AuditEntry(row.id, as_utc(row.at), row.actor, row.action, row.project_id, row.target, dict(row.details))
            for row in rows
        ]
