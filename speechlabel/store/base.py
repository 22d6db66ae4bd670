"""Transaction helpers shared by the query mixins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InternalError, OperationalError

from speechlabel.store.engine import BEGIN_MODE
from speechlabel.store.failures import unavailable
from speechlabel.store.file_guard import DatabaseFileGuard


@dataclass
class _Shared:
    """The one connection of a :meth:`StoreBase.shared` block, and how deep its reads and writes nest."""

    store: StoreBase
    connection: Connection
    reads: int = 0
    writing: bool = False
    # A write nested in one of the block's reads took its own connection: the block's open read
    # transaction predates it, so reads take their own connections until that one has ended.
    behind: bool = False


# The shared block open in this thread or task, if any (a ContextVar: each worker thread of the
# server, and each copy of a context, sees its own).
_SHARED: ContextVar[_Shared | None] = ContextVar("speechlabel_shared_connection", default=None)


class StoreBase:
    def __init__(self, engine: Engine, schema: str | None = None):
        self.engine = engine
        self.schema = schema  # PostgreSQL: the tables' own namespace (make_engine), if any
        # SQLite lets one writer in at a time, and one that finds the lock taken polls for it,
        # sleeping up to 100 ms between tries: twenty labelers saving at once waited mostly in
        # those sleeps. This process's writers queue here instead, and the next one starts as soon
        # as the last commits. (Reentrant: a write nested in a write waits on SQLite, as before.)
        self._write_turn = threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        self._file_guard = DatabaseFileGuard.of(engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that may write; on SQLite it holds the write lock from its first line.
        Here, in ``read`` and in ``shared``, a database failure (read-only, disk full, locked past
        the busy timeout, connection lost) leaves as ``StoreUnavailable`` (store/failures.py),
        after the transaction was rolled back."""
        if self._file_guard is not None:
            self._file_guard.check()
        try:
            shared = self._shared()
            if shared is None or shared.reads or shared.writing:
                # Outside a shared block, or nested in one of its reads (whose snapshot must not end
                # under it): a connection of its own, as always.
                with self._write_turn, self.engine.begin() as connection:
                    yield connection
                if shared is not None and shared.reads:
                    shared.behind = True
                return
            connection = shared.connection
            if connection.in_transaction():  # the reads so far: end them, so the write starts from now
                connection.commit()
            connection.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
            shared.writing = True
            try:
                with self._write_turn, connection.begin():
                    yield connection
            finally:
                shared.writing = False
        except (OperationalError, InternalError) as error:
            raise unavailable(error) from error

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: on SQLite a deferred one, so readers never queue behind writers."""
        try:
            shared = self._shared()
            if shared is not None and shared.behind and shared.reads:
                shared = None  # see _Shared.behind
            if shared is None:
                with self.engine.connect() as connection:
                    connection = connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
                    with connection.begin():
                        yield connection
                return
            connection = shared.connection
            if shared.behind:  # the read that was open during a nested write has ended: start afresh
                connection.commit()
                shared.behind = False
            if not connection.in_transaction():
                connection.execution_options(**{BEGIN_MODE: "DEFERRED"})
                connection.begin()
            shared.reads += 1
            try:
                yield connection  # the transaction stays open for the block's next read
            except BaseException:
                if shared.reads == 1 and not shared.writing:
                    connection.rollback()  # a failed statement may have spoiled it (PostgreSQL): start afresh
                raise
            finally:
                shared.reads -= 1
        except (OperationalError, InternalError) as error:
            raise unavailable(error) from error

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Within the block, this store's reads share one connection and one read transaction
        instead of taking a connection and a transaction each (a label loop request makes a few
        dozen small reads: their BEGIN/COMMIT pairs cost more than the queries). A write in the
        block first ends that read transaction and runs on the same connection, so the reads
        after it see it, as they would without the block. Nothing is held after the block."""
        try:
            if self._shared() is not None:  # already in one: nothing more to do
                yield
                return
            with self.engine.connect() as connection:
                token = _SHARED.set(_Shared(self, connection))
                try:
                    yield
                finally:
                    _SHARED.reset(token)
                    if connection.in_transaction():
                        connection.rollback()  # only reads are left open: nothing to keep
        except (OperationalError, InternalError) as error:
            raise unavailable(error) from error

    def _shared(self) -> _Shared | None:
        shared = _SHARED.get()
        return shared if shared is not None and shared.store is self else None

    def url_for_other_processes(self) -> str:
        """The database URL (password included) that opens this store in another process: a
        PostgreSQL schema of its own travels as the connection's search_path."""
        url = self.engine.url
        if self.schema:
            url = url.update_query_dict({"options": f"-csearch_path={self.schema}"})
        return url.render_as_string(hide_password=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()
