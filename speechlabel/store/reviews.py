"""Review decisions and the review queue's queries (filled in by the review work)."""

from __future__ import annotations

from .base import StoreBase


class ReviewQueries(StoreBase):
    pass
