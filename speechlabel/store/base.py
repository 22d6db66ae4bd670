"""Transaction helpers shared by the query mixins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from .engine import BEGIN_MODE


class StoreBase:
    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that may write; on SQLite it holds the write lock from its first line."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: on SQLite a deferred one, so readers never queue behind writers."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
            with connection.begin():
                yield connection

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()
