"""Where data lives and which limits apply; read from the environment, overridable by callers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_AUDIO_SECONDS = 4 * 3600.0


@dataclass(frozen=True)
class Settings:
    """``data_dir`` holds the SQLite database (unless ``database_url`` points elsewhere) and audio."""

    data_dir: Path
    database_url: str | None = None
    max_audio_seconds: float = DEFAULT_MAX_AUDIO_SECONDS

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike | None = None) -> "Settings":
        chosen = data_dir or os.environ.get("SPEECHLABEL_DATA_DIR") or "data"
        max_seconds = os.environ.get("SPEECHLABEL_MAX_AUDIO_SECONDS")
        return cls(
            data_dir=Path(chosen).resolve(),
            database_url=os.environ.get("SPEECHLABEL_DATABASE_URL") or None,
            max_audio_seconds=float(max_seconds) if max_seconds else DEFAULT_MAX_AUDIO_SECONDS,
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'speechlabel.db'}"

    @property
    def originals_dir(self) -> Path:
        return self.data_dir / "audio" / "originals"

    @property
    def normalized_dir(self) -> Path:
        return self.data_dir / "audio" / "normalized"
