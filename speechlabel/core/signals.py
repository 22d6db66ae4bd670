"""What confidence routing knows of one drafted segment (``speechlabel.routing`` reads it, the
store returns it)."""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.core.models import Draft


@dataclass(frozen=True)
class SegmentSignals:
    segment_id: str
    duration: float
    draft: Draft
    snr_db: float | None  # at ingest, of the whole recording (None: the probe could not tell)
    clipped_ratio: float  # at ingest, of the whole recording
    second_text: str | None  # the cheap second decode's text; None: none yet
