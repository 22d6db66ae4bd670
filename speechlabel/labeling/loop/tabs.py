"""Which segment each browser tab has open, so a request about another one is refused.

The label loop's component gives every page load an id of its own (a reload or a duplicated tab
is a new one). Opening a segment records it for that tab of that signed-in session; a
save, skip, split, merge or bounds change must then name the segment the tab has open. A tab
the registry does not know (the server restarted, or it was evicted as the oldest) is taken at
its word: the version check still guards the row, and the registry only refuses a mismatch.

Kept in the server process's memory: one labeler's tab lives on one server (the app's
websocket and its routes are served by the same process).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from speechlabel.core.errors import Conflict

# Tabs remembered per server process; the oldest is forgotten first (then taken at its word).
MAX_TABS = 20_000


@dataclass(frozen=True)
class TabKey:
    session: str  # the session token's hash: never the token itself
    tab: str


class NotOpen(Conflict):
    """A request named a segment other than the one its tab has open."""

    def __init__(self, segment_id: str, open_id: str):
        super().__init__(message_key="error.segment_not_open", params={"segment": segment_id, "open": open_id})
        self.segment_id = segment_id
        self.open_id = open_id


class OpenSegments:
    def __init__(self, limit: int = MAX_TABS):
        self._open: OrderedDict[TabKey, str] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def opened(self, tab: TabKey, segment_id: str) -> None:
        with self._lock:
            self._open[tab] = segment_id
            self._open.move_to_end(tab)
            while len(self._open) > self._limit:
                self._open.popitem(last=False)

    def open_in(self, tab: TabKey) -> str | None:
        with self._lock:
            return self._open.get(tab)

    def require_open(self, tab: TabKey, segment_id: str) -> None:
        """Refuse (NotOpen) when the tab has another segment open; an unknown tab passes."""
        current = self.open_in(tab)
        if current is not None and current != segment_id:
            raise NotOpen(segment_id, current)
