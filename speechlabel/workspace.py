"""A workspace: the settings and the store opened from them; what the CLI and the app share."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .store import Store


@dataclass
class Workspace:
    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings | None = None) -> "Workspace":
        settings = settings or Settings.from_env()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings, Store.open(settings.resolved_database_url))

    def close(self) -> None:
        self.store.close()
