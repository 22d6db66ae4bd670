"""What an export writes: format, which segments, which text, which audio, which splits."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeGuard

from speechlabel.audio.samples import TARGET_RATE
from speechlabel.conventions import Side
from speechlabel.core.choices import parse_choice
from speechlabel.core.errors import ValidationError
from speechlabel.core.lifecycle import ACCEPTED
from speechlabel.core.models import SegmentStatus
from speechlabel.export.command_clips import SpeechCommandsOptions
from speechlabel.export.formats import format_name, format_writer_class
from speechlabel.i18n.labels import labeled

MIN_SAMPLE_RATE = 8000
MAX_SAMPLE_RATE = 48000
SPLIT_NAMES = ("train", "dev", "test")


@labeled("format")
class ExportFormat(str, enum.Enum):
    """The formats that ship with speechlabel (each module registers its writer, see ``formats``).
    ``ExportOptions.format`` may also name another registered format (see ``parse_format``)."""

    JSONL = "jsonl"
    """Generic JSONL with full provenance (NeMo-compatible lines plus tags, labeler, draft words)."""
    NEMO = "nemo"
    HF = "hf"
    LHOTSE = "lhotse"
    KALDI = "kaldi"
    SPEECH_COMMANDS = "speech_commands"
    AIHUB = "aihub"

    @classmethod
    def parse(cls, value: str | ExportFormat) -> ExportFormat:
        return parse_choice(cls, value, message_key="error.export_format")


class TextVariant(str, enum.Enum):
    VERBATIM = "verbatim"
    """The text as stored, tags and all (with ``dual_side``: one side of each dual transcription)."""
    CLEAN = "clean"
    """Transcription tags of any scheme removed (``metrics.strip_tags``, what draft scores compare):
    the words that were spoken. Kept as it was; ``disfluent`` is the same by the project's scheme."""
    DISFLUENT = "disfluent"
    """By the project's tag scheme (``conventions.text_variant``): tags and marks removed, fillers
    and repetitions kept as words (ESPnet KsponSpeech ``--type df``)."""
    FLUENT = "fluent"
    """By the project's tag scheme: fillers and repetitions removed with their words too (``fl``)."""

    @classmethod
    def parse(cls, value: str | TextVariant) -> TextVariant:
        return parse_choice(cls, value, message_key="error.text_variant")


class SplitBy(str, enum.Enum):
    RECORDING = "recording"
    """No recording in two splits."""
    SPEAKER = "speaker"
    """No speaker in two splits (segments without a speaker are grouped by recording)."""

    @classmethod
    def parse(cls, value: str | SplitBy) -> SplitBy:
        return parse_choice(cls, value, message_key="error.split_by")


@dataclass(frozen=True)
class ExportOptions:
    statuses: tuple[SegmentStatus, ...] | None = ACCEPTED
    """Only segments in these states; None exports every segment, whatever its state. Approved
    only by default: unreviewed or reworked text must be asked for, never shipped by accident."""
    cut_clips: bool = True
    """Cut each segment into its own WAV; otherwise reference whole recordings (NeMo ``offset``,
    Kaldi ``segments``, Lhotse supervisions with ``start``). Hugging Face needs clips."""
    overwrite: bool = False
    """Replace an existing, non-empty output folder instead of refusing."""
    format: ExportFormat | str = ExportFormat.JSONL
    """A built-in format, or the name of another registered one (``formats.register_format``)."""
    edited_since: datetime | None = None
    """Only segments last edited at or after this moment (naive: UTC)."""
    edited_until: datetime | None = None
    """Only segments last edited before this moment (naive: UTC)."""
    labeler: str | None = None
    """Only segments whose labeler of record (who submitted the current text) is this user."""
    recording_ids: tuple[str, ...] | None = None
    """Only segments of these recordings; None: all recordings."""
    with_tags: tuple[str, ...] = ()
    """Only segments carrying at least one of these tags; empty: no condition."""
    without_tags: tuple[str, ...] = ()
    """Leave out segments carrying any of these tags."""
    text: TextVariant = TextVariant.VERBATIM
    dual_side: Side | None = None
    """Which side of each dual transcription ``(70%)/(칠십 퍼센트)`` stays: spelling, pronunciation or
    both (as typed). None: both for verbatim, pronunciation (what was said) for the others."""
    sample_rate: int = TARGET_RATE
    """Sample rate of the exported audio. The stored audio is 16 kHz mono, so other rates are
    resampled from it (soxr): a higher rate adds no bandwidth."""
    split_by: SplitBy | None = None
    """None: one dataset; otherwise train/dev/test with no recording (or speaker) in two."""
    split_shares: tuple[float, float, float] = (0.8, 0.1, 0.1)
    """Shares of audio duration for train, dev and test (summing to 1); a 0 share is left out."""
    seed: int = 0
    """Seed of the split's shuffle: the same seed and data give the same split."""
    speech_commands: SpeechCommandsOptions = SpeechCommandsOptions()
    """How the ``speech_commands`` format makes its clips and split (the other formats ignore it)."""

    def validated(self) -> ExportOptions:
        """Check every choice and return the options with enums for names and tuples for
        lists (so ``format="nemo"`` works). Raises ValidationError saying what is allowed."""
        options = replace(
            self,
            format=parse_format(self.format),
            text=TextVariant.parse(self.text),
            dual_side=_side(self.dual_side),
            split_by=SplitBy.parse(self.split_by) if self.split_by is not None else None,
            split_shares=tuple(self.split_shares) if isinstance(self.split_shares, list) else self.split_shares,
            with_tags=tuple(self.with_tags),
            without_tags=tuple(self.without_tags),
            recording_ids=tuple(self.recording_ids) if self.recording_ids is not None else None,
            statuses=tuple(self.statuses) if self.statuses is not None else None,
        )
        if options.text == TextVariant.CLEAN and options.dual_side == Side.BOTH:
            raise ValidationError(message_key="error.clean_text_both_sides")
        _check_rate(options.sample_rate)
        _check_shares(options.split_shares)
        if isinstance(options.seed, bool) or not isinstance(options.seed, int):
            raise ValidationError(message_key="error.export_seed", params={"seed": repr(options.seed)})
        format_writer_class(options.format).check_options(options)  # e.g. Hugging Face needs clips
        since, until = _utc(options.edited_since), _utc(options.edited_until)
        if since is not None and until is not None and until <= since:
            raise ValidationError(
                message_key="error.empty_date_range",
                params={
                    "since": since.date().isoformat(),
                    "until": until.date().isoformat(),
                    "since_time": since.isoformat(),
                    "until_time": until.isoformat(),
                },
            )
        if options.statuses is not None and not options.statuses:
            raise ValidationError(message_key="error.export_no_status")
        if options.recording_ids is not None and not options.recording_ids:
            raise ValidationError(message_key="error.empty_recording_filter")
        return options

    @property
    def included_statuses(self) -> str:
        """What the export includes, for reports and the dataset card: "approved",
        "approved, submitted" or "every status"."""
        return ", ".join(s.value for s in self.statuses) if self.statuses is not None else "every status"

    @property
    def split_names(self) -> tuple[str, ...]:
        """The splits to write: none without a split, else those with a share above 0."""
        if self.split_by is None:
            return ()
        return tuple(name for name, share in zip(SPLIT_NAMES, self.split_shares) if share > 0)


def parse_format(value: str | ExportFormat) -> ExportFormat | str:
    """A registered format: the ExportFormat member for a built-in one, else its name. Raises a
    ValidationError naming the registered formats."""
    format_writer_class(value)
    name = format_name(value)
    try:
        return ExportFormat(name)
    except ValueError:
        return name


def _check_rate(rate: object) -> None:
    if isinstance(rate, bool) or not isinstance(rate, int) or not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise ValidationError(
            message_key="error.export_sample_rate",
            params={"rate": repr(rate), "low": MIN_SAMPLE_RATE, "high": MAX_SAMPLE_RATE},
        )


def _are_shares(shares: object) -> TypeGuard[tuple[float, ...]]:
    return (
        isinstance(shares, tuple)
        and len(shares) == len(SPLIT_NAMES)
        and all(not isinstance(s, bool) and isinstance(s, (int, float)) and math.isfinite(s) and s >= 0 for s in shares)
    )


def _check_shares(shares: object) -> None:
    if not _are_shares(shares) or abs(sum(shares) - 1.0) > 1e-6 or shares[0] <= 0:
        raise ValidationError(message_key="error.export_split_shares", params={"shares": repr(shares)})


def _side(value: str | Side | None) -> Side | None:
    if value is None:
        return None
    return parse_choice(Side, value, message_key="error.dual_side")


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
