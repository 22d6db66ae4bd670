"""A workspace: the settings and the store opened from them; what the CLI and the app share."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from speechlabel.core.leftovers import remove_stale_temporaries
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from speechlabel.workspace.registered_models import use_models_dir


@dataclass
class Workspace:
    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings | None = None) -> Workspace:
        settings = settings or Settings.from_env()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(settings)  # what imports killed before this start left behind
        use_models_dir(settings.models_dir)  # its registered Whisper models resolve by name
        return cls(settings, Store.open(settings.resolved_database_url, pool=settings.database_pool))

    @classmethod
    def shared(cls, settings: Settings | None = None) -> Workspace:
        """One workspace per settings for the whole server process: the app's script runs and
        its clip route (which Streamlit serves outside any script run) use the same store."""
        settings = settings or Settings.from_env()
        with _SHARED_LOCK:
            if settings not in _SHARED:
                _SHARED[settings] = cls.open(settings)
            return _SHARED[settings]

    def close(self) -> None:
        self.store.close()


_SHARED: dict[Settings, Workspace] = {}
_SHARED_LOCK = threading.Lock()
