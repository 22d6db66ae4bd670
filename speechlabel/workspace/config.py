"""Where data lives and which limits apply; read from the environment, overridable by callers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from speechlabel.audio.limits import MAX_SECONDS_SETTING, AudioLimits
from speechlabel.core.errors import ValidationError
from speechlabel.store.engine import DATABASE_DEFAULT_POOL, PoolLimits

DEFAULT_SESSION_HOURS = 12.0
MAX_SESSION_HOURS = 30 * 24.0
MAX_ROUTE_BUDGET = 1000.0
# A pool keeps at least one connection (SQLAlchemy reads a size of 0 as "no limit"); an overflow of
# 0 is a hard cap at the pool's size, for several servers sharing a PostgreSQL's connections.
LEAST_POOL_SIZE = 1
LEAST_MAX_OVERFLOW = 0


@dataclass(frozen=True)
class Settings:
    """``data_dir`` holds the SQLite database (unless ``database_url`` points elsewhere) and audio."""

    data_dir: Path
    database_url: str | None = None
    # What an imported file may be (length, rate, channels, decoding budget): AudioLimits.
    audio_limits: AudioLimits = AudioLimits()
    # How long a sign-in lasts ($SPEECHLABEL_SESSION_HOURS).
    session_hours: float = DEFAULT_SESSION_HOURS
    # The first admin's password ($SPEECHLABEL_ADMIN_PASSWORD; None: generate one and show it
    # once). Kept out of repr, so logging the settings cannot leak it.
    admin_password: str | None = field(default=None, repr=False, compare=False)
    # A factor on every session's budget of route requests and audio ($SPEECHLABEL_ROUTE_BUDGET;
    # rate_limit.py): above 1 for load tests whose clients run faster than any person.
    route_budget: float = 1.0
    # Whether "Pre-label" in the app starts a worker process on this machine when no runner is up
    # ($SPEECHLABEL_LOCAL_WORKER, default 1; 0 for sites whose workers run elsewhere).
    local_worker: bool = True
    # The database connections one process keeps and may open beyond them while busy
    # ($SPEECHLABEL_DB_POOL_SIZE, $SPEECHLABEL_DB_MAX_OVERFLOW; unset: the database's default,
    # store/engine.py): several servers on one PostgreSQL share its max_connections.
    database_pool: PoolLimits = DATABASE_DEFAULT_POOL

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike | None = None) -> Settings:
        chosen = data_dir or os.environ.get("SPEECHLABEL_DATA_DIR") or "data"
        max_seconds = os.environ.get(MAX_SECONDS_SETTING)
        return cls(
            data_dir=Path(chosen).resolve(),
            database_url=os.environ.get("SPEECHLABEL_DATABASE_URL") or None,
            audio_limits=AudioLimits(max_seconds=float(max_seconds)) if max_seconds else AudioLimits(),
            session_hours=_session_hours(os.environ.get("SPEECHLABEL_SESSION_HOURS")),
            admin_password=os.environ.get("SPEECHLABEL_ADMIN_PASSWORD") or None,
            route_budget=_route_budget(os.environ.get("SPEECHLABEL_ROUTE_BUDGET")),
            local_worker=_switch(os.environ.get("SPEECHLABEL_LOCAL_WORKER"), "SPEECHLABEL_LOCAL_WORKER", default=True),
            database_pool=PoolLimits(
                size=_connections("SPEECHLABEL_DB_POOL_SIZE", LEAST_POOL_SIZE, message_key="error.db_pool_size"),
                max_overflow=_connections(
                    "SPEECHLABEL_DB_MAX_OVERFLOW", LEAST_MAX_OVERFLOW, message_key="error.db_max_overflow"
                ),
            ),
        )

    @property
    def session_seconds(self) -> float:
        return self.session_hours * 3600.0

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'speechlabel.db'}"

    @property
    def models_dir(self) -> Path:
        """Registered Whisper models, one folder each (``registered_models``)."""
        return self.data_dir / "models"

    @property
    def originals_dir(self) -> Path:
        return self.data_dir / "audio" / "originals"

    @property
    def normalized_dir(self) -> Path:
        return self.data_dir / "audio" / "normalized"


def _session_hours(value: str | None) -> float:
    hours = _number_from_env(value, DEFAULT_SESSION_HOURS, 0.05, MAX_SESSION_HOURS)
    if hours is None:
        raise ValidationError(
            message_key="error.session_hours",
            params={"value": value, "most": MAX_SESSION_HOURS},
        )
    return hours


def _route_budget(value: str | None) -> float:
    factor = _number_from_env(value, 1.0, 0.01, MAX_ROUTE_BUDGET)
    if factor is None:
        raise ValidationError(
            message_key="error.route_budget",
            params={"value": value, "most": MAX_ROUTE_BUDGET},
        )
    return factor


def _switch(value: str | None, name: str, default: bool) -> bool:
    if not value:
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValidationError(message_key="error.switch_setting", params={"name": name, "value": value})


def _connections(variable: str, least: int, message_key: str) -> int | None:
    """A number of connections from the environment variable ``variable``: None when unset (the
    database's default); a whole number below ``least`` is refused with ``message_key``."""
    value = os.environ.get(variable)
    if not value:
        return None
    number: int | None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < least:
        raise ValidationError(message_key=message_key, params={"value": value, "least": least})
    return number


def _number_from_env(value: str | None, default: float, low: float, high: float) -> float | None:
    """An environment variable's number: ``default`` when unset, None when not a number from
    ``low`` to ``high`` (the caller says which variable and what is allowed)."""
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        return None
    return number if low <= number <= high else None  # NaN fails the comparison too
