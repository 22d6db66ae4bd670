"""What a dataset import is told: the kind of dataset (or detect it) and the TextGrid tier."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace

from speechlabel.core.choices import parse_choice
from speechlabel.core.errors import ValidationError

MAX_END_TOLERANCE = 1.0


class DatasetKind(str, enum.Enum):
    NEMO = "nemo"
    """NeMo manifest(s): one JSON object per line with ``audio_filepath``, ``duration``, ``text``."""
    LHOTSE = "lhotse"
    """Lhotse ``recordings`` + ``supervisions`` manifests (``.jsonl`` or ``.jsonl.gz``)."""
    AIHUB = "aihub"
    """A folder of AI Hub label JSON files (one per utterance) beside their audio (``aihub``)."""
    SUBTITLES = "subtitles"
    """A folder of audio files with sidecar transcripts: ``name.srt``, ``name.vtt`` or ``name.TextGrid``."""

    @classmethod
    def parse(cls, value: str | DatasetKind) -> DatasetKind:
        return parse_choice(cls, value, message_key="error.dataset_kind")


@dataclass(frozen=True)
class ImportOptions:
    kind: DatasetKind | None = None
    """None: detect it from the path (see ``detect.find_dataset``); otherwise read it as this kind."""
    tier: str | None = None
    """The TextGrid tier to read, by name; None: the first interval tier of each file."""
    end_tolerance: float = 0.05
    """Seconds a segment may run past the end of its audio (manifests round durations; resampling
    moves the last sample): such a segment is cut at the end. Further out it is refused."""

    def validated(self) -> ImportOptions:
        """The options with an enum for the kind and a trimmed tier name; ValidationError
        saying what is allowed otherwise."""
        kind = DatasetKind.parse(self.kind) if self.kind is not None else None
        tier = self.tier.strip() if isinstance(self.tier, str) else self.tier
        if tier is not None and (not isinstance(tier, str) or not tier):
            raise ValidationError(message_key="error.dataset_tier", params={"tier": self.tier})
        tolerance = self.end_tolerance
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, (int, float))
            or not math.isfinite(tolerance)
            or not 0 <= tolerance <= MAX_END_TOLERANCE
        ):
            raise ValidationError(
                message_key="error.dataset_end_tolerance", params={"tolerance": tolerance, "most": MAX_END_TOLERANCE}
            )
        return replace(self, kind=kind, tier=tier)
