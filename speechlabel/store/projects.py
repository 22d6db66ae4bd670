"""Project rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound
from ..models import Project
from . import schema
from .base import StoreBase
from .rows import project_from_row, utc_now


class ProjectQueries(StoreBase):
    def insert_project(
        self,
        name: str,
        language: str | None,
        segment_options: dict[str, Any],
        engine_options: dict[str, Any],
        glossary: tuple[str, ...],
    ) -> Project:
        values = {
            "name": name,
            "language": language,
            "segment_options": segment_options,
            "engine_options": engine_options,
            "glossary": list(glossary),
            "created_at": utc_now(),
        }
        try:
            with self.write() as connection:
                connection.execute(insert(schema.projects).values(**values))
        except IntegrityError:
            raise Conflict(f"a project named {name!r} already exists; choose another name") from None
        return self.get_project(name)

    def get_project(self, name: str) -> Project:
        with self.read() as connection:
            row = connection.execute(select(schema.projects).where(schema.projects.c.name == name)).first()
        if row is None:
            raise NotFound(f"no project named {name!r}; `speechlabel project list` shows the projects")
        return project_from_row(row)

    def list_projects(self) -> list[Project]:
        with self.read() as connection:
            rows = connection.execute(select(schema.projects).order_by(schema.projects.c.name)).all()
        return [project_from_row(row) for row in rows]
