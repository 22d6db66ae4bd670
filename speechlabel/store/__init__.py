"""Persistence: SQLAlchemy 2, SQLite by default, PostgreSQL by URL. Returns dataclasses."""

from __future__ import annotations

from speechlabel.store.accounts import AccountQueries
from speechlabel.store.dashboard import DashboardQueries
from speechlabel.store.engine import DATABASE_DEFAULT_POOL, PoolLimits, make_engine, upgrade_schema
from speechlabel.store.exports import ExportQueries, ExportRow
from speechlabel.store.imports import ImportQueries
from speechlabel.store.jobs import JobQueries
from speechlabel.store.labeling import LabelingQueries
from speechlabel.store.labor import LaborQueries
from speechlabel.store.leases import LeaseQueries
from speechlabel.store.metadata import MetadataQueries
from speechlabel.store.projects import ProjectQueries
from speechlabel.store.recordings import RecordingQueries
from speechlabel.store.reviews import ReviewQueries
from speechlabel.store.routing import RoutingQueries
from speechlabel.store.second_labels import SecondLabelQueries
from speechlabel.store.segments import SegmentQueries
from speechlabel.store.work import WorkQueries


class Store(
    ProjectQueries,
    RecordingQueries,
    SegmentQueries,
    ExportQueries,
    LabelingQueries,
    AccountQueries,
    LeaseQueries,
    SecondLabelQueries,
    ReviewQueries,
    DashboardQueries,
    ImportQueries,
    JobQueries,
    WorkQueries,
    MetadataQueries,
    LaborQueries,
    RoutingQueries,
):
    """All queries of the app; one instance per process, safe to share between threads."""

    @classmethod
    def open(
        cls, url: str, schema: str | None = None, migrate: bool = True, pool: PoolLimits = DATABASE_DEFAULT_POOL
    ) -> Store:
        engine = make_engine(url, schema=schema, pool=pool)
        if migrate:
            upgrade_schema(engine)
        return cls(engine, schema=schema)


__all__ = ["ExportRow", "PoolLimits", "Store"]
