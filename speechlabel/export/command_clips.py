"""The rules of Google's Speech Commands layout, apart from writing files (``speech_commands.py``).

- **Label**: the segment's exported text, NFC, lower case, punctuation removed, words joined by
  ``_`` ("Turn on the light!" → ``turn_on_the_light``; "불 켜" → ``불_켜``). A project without a
  closed command vocabulary has only its texts, so the whole normalised text is the label; an
  empty one is ``_unknown_`` (Speech Commands' name for the class of everything else). A command
  project saves each segment's class as its text (a command's label, ``_unknown_`` or
  ``_silence_``), so its folders are its classes; the two built-in names are kept as they are.
- **Clip**: exactly ``clip_seconds`` (1 s) at 16 kHz. A shorter segment is padded with zeros on
  both sides (centred); a longer one is cut around its middle and listed in ``trimmed_list.txt``,
  or refused when ``long_clips`` is ``refuse`` (a lead who wants no word cut off).
- **Names and splits**: ``<label>/<speaker hash>_nohash_<n>.wav`` with the speaker hash the first
  8 hex digits of SHA-1 of the speaker (a segment without one: of its recording, as the export's
  speaker split groups it). The split is ``which_set`` of TensorFlow's speech_commands
  ``input_data.py``, which the dataset's lists were made with: SHA-1 of the file name before
  ``_nohash_``, modulo 2^27 - 1 + 1, scaled to a percentage; below ``validation_percentage`` is
  validation, below both percentages together testing, the rest training. The hash depends on
  the speaker alone, so no speaker is in two splits.
"""

from __future__ import annotations

import enum
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from speechlabel.core.choices import parse_choice
from speechlabel.core.commands import BUILT_IN_CLASSES
from speechlabel.core.errors import ValidationError

MAX_NUM_WAVS_PER_CLASS = 2**27 - 1  # ~134M, as in TensorFlow's input_data.py
UNKNOWN_LABEL = "_unknown_"
NOISE_FOLDER = "_background_noise_"
MAX_LABEL_BYTES = 200  # file systems allow 255 bytes per name; Hangul takes 3 each
_SPACES = re.compile(r"\s+")


class LongClips(str, enum.Enum):
    TRIM = "trim"
    """Cut around the middle to ``clip_seconds``; the clip is listed in ``trimmed_list.txt``."""
    REFUSE = "refuse"
    """Refuse the export, naming the first segment longer than ``clip_seconds``."""


@dataclass(frozen=True)
class SpeechCommandsOptions:
    clip_seconds: float = 1.0
    """Every clip's length (Speech Commands: 1 s)."""
    long_clips: LongClips = LongClips.TRIM
    validation_percentage: float = 10.0
    """Share of speakers (by hash, see the module) in ``validation_list.txt``; the dataset's 10."""
    testing_percentage: float = 10.0
    """Share of speakers in ``testing_list.txt``; the dataset's 10."""
    noise_tags: tuple[str, ...] = ("noise",)
    """Segments carrying one of these tags go whole to ``_background_noise_/`` instead of a label."""

    def validated(self) -> SpeechCommandsOptions:
        long_clips = parse_choice(LongClips, self.long_clips, message_key="error.long_clips")
        clip = self.clip_seconds
        if isinstance(clip, bool) or not isinstance(clip, int | float) or not 0.1 <= clip <= 10.0:
            raise ValidationError(message_key="error.clip_seconds", params={"value": repr(clip)})
        shares = (self.validation_percentage, self.testing_percentage)
        if any(not isinstance(s, int | float) or isinstance(s, bool) or not 0 <= s <= 100 for s in shares) or (
            sum(shares) > 100
        ):
            raise ValidationError(message_key="error.command_percentages", params={"value": repr(shares)})
        return SpeechCommandsOptions(
            clip_seconds=float(clip),
            long_clips=long_clips,
            validation_percentage=float(shares[0]),
            testing_percentage=float(shares[1]),
            noise_tags=tuple(self.noise_tags),
        )


def command_label(text: str) -> str:
    """The folder a segment of ``text`` goes to (see the module). A command project's built-in
    classes (``core.commands``) are saved as Speech Commands' own names and keep them."""
    if text in BUILT_IN_CLASSES:
        return text
    kept = "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if unicodedata.category(ch)[0] not in "PSC")
    label = _SPACES.sub("_", kept.strip())
    if not label:
        return UNKNOWN_LABEL
    if len(label.encode("utf-8")) > MAX_LABEL_BYTES:
        raise ValidationError(message_key="error.command_label_too_long", params={"label": label[:40] + "…"})
    return label


def speaker_hash(group: str) -> str:
    """The file name's speaker part: 8 hex digits of SHA-1, as the dataset's names look."""
    return hashlib.sha1(group.encode("utf-8")).hexdigest()[:8]


def which_set(file_name: str, validation_percentage: float, testing_percentage: float) -> str:
    """``training``, ``validation`` or ``testing`` for a file, exactly as TensorFlow's
    ``input_data.which_set`` decides it."""
    hash_name = re.sub(r"_nohash_.*$", "", file_name.rsplit("/", 1)[-1])
    hashed = hashlib.sha1(hash_name.encode("utf-8")).hexdigest()
    percentage = (int(hashed, 16) % (MAX_NUM_WAVS_PER_CLASS + 1)) * (100.0 / MAX_NUM_WAVS_PER_CLASS)
    if percentage < validation_percentage:
        return "validation"
    if percentage < testing_percentage + validation_percentage:
        return "testing"
    return "training"


def fit_clip(samples: np.ndarray, length: int) -> tuple[np.ndarray, bool]:
    """``samples`` made exactly ``length`` long, centred: zeros added evenly on both sides, or the
    middle ``length`` kept; and whether anything was cut."""
    size = int(samples.shape[0])
    if size >= length:
        start = (size - length) // 2
        return samples[start : start + length], size > length
    left = (length - size) // 2
    return np.pad(samples, (left, length - size - left)), False


def clip_frames(options: SpeechCommandsOptions, rate: int) -> int:
    return int(math.floor(options.clip_seconds * rate + 0.5))
