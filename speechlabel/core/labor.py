"""Labor telemetry: what one labeler spent on one segment, as their browser measured it.

The label loop's component counts, per segment, the seconds the person was active (the page
focused and visible, and a key, a mouse move or the clip playing within the idle limit), the
keys pressed in the loop, the edits (input events that changed the text) and the plays of the
clip; it sends them with the save (or the skip) and starts again from zero. The server keeps
them beside the revision the save made (``store.labor``), with whether the draft was shown,
which the server decides (``from_scratch``), never the browser.

A browser is not trusted: ``read_labor`` refuses what no honest component sends (not numbers,
negative, NaN, infinite: a 422, and nothing is saved) and clamps what is merely implausible to
``LaborLimits`` (marked ``clamped``), so a hostile client can neither write absurd figures nor
lose an honest labeler's save over one odd count.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

from speechlabel.core.errors import ValidationError

FIELDS = ("active_seconds", "keys", "edits", "plays")


@dataclass(frozen=True)
class LaborLimits:
    """The most one save may claim. ``active_seconds``: one hour on one segment (the loop's
    segments are utterances of seconds; a person who works on one for an hour saved it or was
    away, and a lease lapses after 30 minutes without a save anyway). ``keys`` and ``edits``:
    20,000, the most characters a transcript may have, typed five times over. ``plays``: 2,000."""

    active_seconds: float = 3600.0
    keys: int = 100_000
    edits: int = 100_000
    plays: int = 2_000


@dataclass(frozen=True)
class Labor:
    """One save's telemetry. ``clamped``: some count was above ``LaborLimits`` and was cut to it."""

    active_seconds: float
    keys: int
    edits: int
    plays: int
    clamped: bool = False


def read_labor(raw: object, limits: LaborLimits = LaborLimits()) -> Labor | None:
    """The telemetry a request carried (None: none, as from the command line or an older page).
    Refuses anything but an object of four non-negative finite numbers (whole numbers for the
    counts); clamps each to its limit."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValidationError(message_key="error.labor_not_object")
    values: dict[str, float] = {}
    for name in FIELDS:
        value = raw.get(name)
        whole = name != "active_seconds"
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value < 0:
            raise ValidationError(message_key="error.labor_field", params={"field": name, "value": repr(value)[:40]})
        values[name] = value
    capped = {name: min(values[name], getattr(limits, name)) for name in FIELDS}
    return Labor(
        active_seconds=round(float(capped["active_seconds"]), 3),
        keys=int(capped["keys"]),
        edits=int(capped["edits"]),
        plays=int(capped["plays"]),
        clamped=capped != values,
    )


@dataclass(frozen=True)
class LaborRecord:
    """A save's telemetry as stored: who, which segment and how much of its audio (its duration
    at the save), whether the draft was shown, and the revision the save made (None for a second
    labeling, which makes no revision)."""

    segment_id: str
    project_id: int
    labeler: str
    labor: Labor
    draft_shown: bool
    audio_seconds: float
    second_labeling: bool = False


# Resolution of the pick: shares are honoured to 1 in 10,000 (as double labeling's).
_PICK_SCALE = 10_000
# A salt of its own, so the from-scratch share is drawn independently of the double-labeled one
# (which hashes the bare id): the two sets are not nested, and either's figures stay unbiased.
_SALT = b"from-scratch:"


def from_scratch(segment_id: str, share: float) -> bool:
    """Whether ``segment_id`` is in a project's from-scratch ``share`` (0-1): labeled without the
    draft, whoever labels it. Stable: a hash of the id, so every open of it and every labeler agree."""
    return share > 0 and _bucket(segment_id) < share * _PICK_SCALE


def scratch_rank(segment_id: str) -> float:
    """Where the segment falls in 0-1, in steps of 1/10,000: a share above it picks it, a share
    at or below it does not."""
    return _bucket(segment_id) / _PICK_SCALE


def _bucket(segment_id: str) -> int:
    return int.from_bytes(hashlib.sha256(_SALT + segment_id.encode()).digest()[:4], "big") % _PICK_SCALE
