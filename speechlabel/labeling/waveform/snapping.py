"""Where a dragged segment edge lands: in the nearest pause, if one is close enough."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from speechlabel.core.bounds import in_ms
from speechlabel.core.errors import ValidationError
from speechlabel.labeling.waveform.signal import Span


@dataclass(frozen=True)
class SnapOptions:
    """tolerance_seconds: an edge dropped this close to a pause moves into it (0.05);
    inset_seconds: how far into the pause it goes, at most half the pause (0.01), so the edge sits
    in silence rather than on the last sound of a word."""

    tolerance_seconds: float = 0.05
    inset_seconds: float = 0.01

    def validate(self) -> None:
        for name in ("tolerance_seconds", "inset_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValidationError(message_key="error.waveform_snap_option", params={"name": name, "value": value})


def snap(time: float, pauses: Sequence[Span], options: SnapOptions = SnapOptions()) -> float:
    """``time`` moved to the closest point inside the nearest pause within the tolerance;
    unchanged when it already is in a pause or no pause is that close."""
    options.validate()
    best, best_distance = time, options.tolerance_seconds + 1e-9
    for pause in pauses:
        inset = min(options.inset_seconds, pause.duration / 2)
        low, high = pause.start + inset, pause.end - inset
        if low <= time <= high:
            return time
        target = low if time < low else high
        if abs(target - time) <= best_distance:
            best, best_distance = target, abs(target - time)
    return in_ms(best)
