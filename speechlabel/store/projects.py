"""Project rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from speechlabel.core.commands import CommandSettings
from speechlabel.core.errors import Conflict, NotFound
from speechlabel.core.models import AssignmentSettings, ConventionSettings, LabelSettings, Project, ReviewSettings
from speechlabel.core.qc import QcRules
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import project_from_row, utc_now

# Built once: read on every label loop request (a statement built per call costs more than the query).
_PROJECT_BY_ID = select(schema.projects).where(schema.projects.c.id == bindparam("project_id"))


class ProjectQueries(StoreBase):
    def insert_project(
        self,
        name: str,
        language: str | None,
        segment_options: dict[str, Any],
        engine_options: dict[str, Any],
        glossary: tuple[str, ...],
        label_settings: LabelSettings | None = None,
        convention_settings: ConventionSettings | None = None,
    ) -> Project:
        values = {
            "name": name,
            "language": language,
            "segment_options": segment_options,
            "engine_options": engine_options,
            "glossary": list(glossary),
            "label_settings": (label_settings or LabelSettings()).to_dict(),
            "convention_settings": convention_settings.to_dict() if convention_settings else None,
            "created_at": utc_now(),
        }
        try:
            with self.write() as connection:
                connection.execute(insert(schema.projects).values(**values))
        except IntegrityError:
            raise Conflict(message_key="error.project_exists", params={"name": name}) from None
        return self.get_project(name)

    def update_label_settings(self, project_id: int, label_settings: LabelSettings) -> Project:
        """Replace a project's label settings (last writer wins: they are edited rarely, by leads)."""
        projects = schema.projects
        with self.write() as connection:
            changed = connection.execute(
                update(projects).where(projects.c.id == project_id).values(label_settings=label_settings.to_dict())
            ).rowcount
            row = connection.execute(select(projects).where(projects.c.id == project_id)).first()
        if not changed or row is None:
            raise NotFound(message_key="error.no_project_id", params={"project_id": project_id})
        return project_from_row(row)

    def update_assignment_settings(self, project_id: int, settings: AssignmentSettings) -> Project:
        """Replace how work is handed out in a project (batch size, lease time, daily quota)."""
        return self._update_settings(project_id, assignment_settings=settings.to_dict())

    def update_review_settings(self, project_id: int, settings: ReviewSettings) -> Project:
        """Replace a project's review sample share and quality policy."""
        return self._update_settings(project_id, review_settings=settings.to_dict())

    def update_convention_settings(self, project_id: int, settings: ConventionSettings) -> Project:
        """Replace a project's tag scheme and whether lint errors block a submit."""
        return self._update_settings(project_id, convention_settings=settings.to_dict())

    def update_engine_options(self, project_id: int, engine_options: dict[str, Any]) -> Project:
        """Replace a project's stored engine options (its style prompt is the one a lead edits)."""
        return self._update_settings(project_id, engine_options=engine_options)

    def update_qc_rules(self, project_id: int, rules: QcRules) -> Project:
        """Replace the recording checks a project's imports run."""
        return self._update_settings(project_id, qc_rules=rules.to_dict())

    def update_command_settings(self, project_id: int, settings: CommandSettings) -> Project:
        """Replace a project's kind and command vocabulary."""
        return self._update_settings(project_id, command_settings=settings.to_dict())

    def _update_settings(self, project_id: int, **values: Any) -> Project:
        projects = schema.projects
        with self.write() as connection:
            connection.execute(update(projects).where(projects.c.id == project_id).values(**values))
            row = connection.execute(select(projects).where(projects.c.id == project_id)).first()
        if row is None:
            raise NotFound(message_key="error.no_project_id", params={"project_id": project_id})
        return project_from_row(row)

    def get_project(self, name: str) -> Project:
        with self.read() as connection:
            row = connection.execute(select(schema.projects).where(schema.projects.c.name == name)).first()
        if row is None:
            raise NotFound(message_key="error.no_project", params={"name": name})
        return project_from_row(row)

    def get_project_by_id(self, project_id: int) -> Project:
        with self.read() as connection:
            row = connection.execute(_PROJECT_BY_ID, {"project_id": project_id}).first()
        if row is None:
            raise NotFound(message_key="error.no_project_id", params={"project_id": project_id})
        return project_from_row(row)

    def list_projects(self) -> list[Project]:
        with self.read() as connection:
            rows = connection.execute(select(schema.projects).order_by(schema.projects.c.name)).all()
        return [project_from_row(row) for row in rows]
