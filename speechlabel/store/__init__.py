"""Persistence: SQLAlchemy 2, SQLite by default, PostgreSQL by URL. Returns dataclasses."""

from __future__ import annotations

from .accounts import AccountQueries
from .dashboard import DashboardQueries
from .engine import make_engine, upgrade_schema
from .exports import ExportQueries, ExportRow
from .imports import ImportQueries
from .jobs import JobQueries
from .labeling import LabelingQueries
from .leases import LeaseQueries
from .projects import ProjectQueries
from .recordings import RecordingQueries
from .reviews import ReviewQueries
from .second_labels import SecondLabelQueries
from .segments import SegmentQueries


class Store(ProjectQueries, RecordingQueries, SegmentQueries, ExportQueries, LabelingQueries, AccountQueries,
            LeaseQueries, SecondLabelQueries, ReviewQueries, DashboardQueries, ImportQueries, JobQueries):
    """All queries of the app; one instance per process, safe to share between threads."""

    @classmethod
    def open(cls, url: str, schema: str | None = None, migrate: bool = True) -> Store:
        engine = make_engine(url, schema=schema)
        if migrate:
            upgrade_schema(engine)
        return cls(engine)


__all__ = ["ExportRow", "Store"]
