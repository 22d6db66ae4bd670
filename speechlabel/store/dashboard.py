"""Bulk reads for the quality dashboard (filled in by the dashboard work)."""

from __future__ import annotations

from .base import StoreBase


class DashboardQueries(StoreBase):
    pass
