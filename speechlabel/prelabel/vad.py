"""Voice activity detection and utterance-sized segments for labelers.

The Silero VAD model that faster-whisper ships gives one speech probability per 32 ms frame
(512 samples at 16 kHz). Segmentation needs nothing of the samples but those and one level per
frame (``FrameFeatures``), computed block by block: a recording of hours is segmented from its
file in the memory of a block, with the segments of the whole. From the probabilities we build
segments in four steps:

1. *runs*: stretches of speech with hysteresis (start at ``threshold``, continue until the
   probability falls below ``threshold - hysteresis``);
2. *regions*: runs joined across pauses shorter than ``min_silence``; a longer pause always
   ends a segment, and a region with less than ``min_speech`` of speech is dropped;
3. *joins*: inside a region, the pieces between pauses of at least ``split_pause`` are joined
   across their shortest pauses first, as long as the result stays within
   ``target_duration``. So segment boundaries sit in the longest pauses, never in a word;
4. *splits*: a piece that is longer than ``max_duration`` on its own (speech without a
   ``split_pause`` pause) is cut at its longest dip, recursively; only a stretch with no dip
   at all is cut at its least speech-like frame (logged: such a cut may fall in a word).

Segments get ``speech_pad`` of context (never past the middle of the pause to the next one);
short ones are widened into silence up to ``min_duration``: labelers dislike tiny clips.

No speaker-change cue is used: MFCC statistics (likelihood ratio, BIC) and pitch across pauses
did not tell turn changes from a speaker's own pauses on the reference recordings; blocking
joins on them fragmented monologues without purer conversation segments.
"""

from __future__ import annotations

import logging
import math
import numbers
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

import numpy as np

from speechlabel.audio.samples import TARGET_RATE as SAMPLE_RATE
from speechlabel.core.errors import ValidationError
from speechlabel.core.heap import release_free_memory

log = logging.getLogger(__name__)

FRAME_SAMPLES = 512  # the window Silero VAD v5/v6 takes at 16 kHz
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE  # 0.032 s


@dataclass(frozen=True)
class SegmentOptions:
    """Settings of :func:`segment_speech`; every duration is in seconds.

    threshold:       speech probability at which speech starts (0.5, Silero's own default).
    hysteresis:      speech continues while the probability stays at or above
                     ``threshold - hysteresis`` (0.15), so a word's soft end is not clipped.
    min_speech:      a region (speech between pauses of ``min_silence``) with less detected
                     speech than this is dropped as a click or breath (0.25 s).
    min_silence:     a pause at least this long always ends a segment (1.5 s); shorter pauses
                     stay inside a segment unless ``target_duration`` needs a cut there.
    split_pause:     the shortest pause that may become a segment boundary (0.064 s, two VAD
                     frames); shorter dips are treated as inside a word.
    speech_pad:      context added before and after the speech of a segment (0.2 s), never
                     beyond the middle of the pause to the next segment.
    min_duration:    shorter segments are joined to a neighbour or widened into surrounding
                     silence up to this, and no split leaves a shorter piece (0.5 s).
    target_duration: pieces are joined across their shortest pauses while the segment stays
                     within this (6.0 s; capped at ``max_duration``). Lower it for
                     conversations: fewer segments then straddle a speaker turn, at the price
                     of more, shorter segments (0 joins nothing but stubs).
    max_duration:    no segment is longer than this (15.0 s; at least 1 s).
    """

    threshold: float = 0.5
    hysteresis: float = 0.15
    min_speech: float = 0.25
    min_silence: float = 1.5
    split_pause: float = 0.064
    speech_pad: float = 0.2
    min_duration: float = 0.5
    target_duration: float = 6.0
    max_duration: float = 15.0

    def validate(self) -> None:
        """Raise ValidationError naming the first setting that makes no sense."""
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValidationError(
                    message_key="error.segment_option_number", params={"name": item.name, "value": value}
                )
        if not 0 < self.threshold < 1:
            raise ValidationError(message_key="error.vad_threshold", params={"threshold": self.threshold})
        if not 0 <= self.hysteresis < self.threshold:
            raise ValidationError(
                message_key="error.vad_hysteresis",
                params={"threshold": self.threshold, "hysteresis": self.hysteresis},
            )
        for name in ("min_speech", "min_silence", "split_pause", "speech_pad", "min_duration", "target_duration"):
            if getattr(self, name) < 0:
                raise ValidationError(
                    message_key="error.segment_option_negative", params={"name": name, "value": getattr(self, name)}
                )
        if self.max_duration < 1.0:
            raise ValidationError(message_key="error.max_duration", params={"max_duration": self.max_duration})
        if self.min_duration > self.max_duration / 2:
            raise ValidationError(
                message_key="error.min_duration",
                params={"min_duration": self.min_duration, "max_duration": self.max_duration},
            )
        if self.split_pause > self.min_silence:
            raise ValidationError(
                message_key="error.split_pause",
                params={"split_pause": self.split_pause, "min_silence": self.min_silence},
            )

    def to_dict(self) -> dict:
        """Plain JSON-ready values, stored with the segments they produced (provenance)."""
        return {key: float(value) for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> SegmentOptions:
        """Options from stored or user-supplied values; missing keys take their defaults."""
        if not isinstance(data, dict):
            raise ValidationError(message_key="error.segment_options_type", params={"type": type(data).__name__})
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise ValidationError(
                message_key="error.segment_options_unknown",
                params={"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)},
            )
        options = cls(**data)
        options.validate()
        return options


@dataclass(frozen=True)
class Span:
    """A stretch of a recording in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


# --- the model ---------------------------------------------------------------------------

_model_lock = threading.Lock()
_model = None


def _vad_model():
    """The Silero ONNX session, created once per process (onnxruntime's run is thread-safe)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from faster_whisper.vad import get_vad_model

                # faster-whisper's own cached instance, so transcription with vad_filter shares it.
                _model = get_vad_model()
                log.debug("loaded Silero VAD model")
    return _model


def _checked(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    if sample_rate != SAMPLE_RATE:
        raise ValidationError(
            message_key="error.vad_sample_rate",
            params={"rate": SAMPLE_RATE, "sample_rate": sample_rate},
        )
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValidationError(message_key="error.samples_shape", params={"shape": samples.shape})
    if not np.issubdtype(samples.dtype, np.floating):
        raise ValidationError(
            message_key="error.samples_dtype",
            params={"dtype": samples.dtype},
        )
    if samples.size and not np.isfinite(samples).all():
        raise ValidationError(message_key="error.samples_not_finite")
    return samples.astype(np.float32, copy=False)


def speech_probabilities(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """One speech probability per 32 ms frame (512 samples); the last frame is zero-padded."""
    samples = _checked(samples, sample_rate)
    stream = _SileroStream()
    stream.add(samples)
    return stream.finish()


# Frames per run of the model's ONNX session: 32 s of audio. The numbers do not depend on it
# (the state is carried from run to run; 100 to 10,000 frames give identical probabilities),
# but the session's working memory does: faster-whisper's 10,000 frames took +250 MB at peak,
# 1,000 take +60 MB and run as fast.
_BATCH_FRAMES = 1000
_CONTEXT_SAMPLES = 64  # of the previous frame, put before each frame
_STATE_SHAPE = (1, 1, 128)


class _SileroStream:
    """Silero's speech probabilities for a recording fed in consecutive blocks: the same numbers
    as faster-whisper's ``SileroVADModel`` called on the whole recording (its session; each
    frame with the end of the previous one as context; the model's state carried from batch to
    batch), holding a batch or two of samples instead of the recording and two copies of it.

    Tied to faster-whisper 1.2.1's model (its ``session`` and inputs ``input``, ``h``, ``c``);
    tests/test_segment.py compares the two on real speech, so an upgrade that changes it fails."""

    def __init__(self) -> None:
        self._session = _vad_model().session
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)  # the first frame's: silence
        self._pending: list[np.ndarray] = []
        self._pending_samples = 0
        self._outputs: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        self._pending.append(samples)
        self._pending_samples += samples.size
        batch = _BATCH_FRAMES * FRAME_SAMPLES
        # A batch is run once more samples follow it: the recording's last frame is treated
        # apart (``finish``).
        if self._pending_samples > batch:
            pending = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
            ready = (pending.size - 1) // batch * batch
            for start in range(0, ready, batch):
                self._run(pending[start : start + batch])
            self._pending = [pending[ready:]]
            self._pending_samples = pending.size - ready

    def finish(self) -> np.ndarray:
        """The probabilities of every frame fed; the last frame is zero-padded."""
        if self._pending_samples:
            rest = np.concatenate(self._pending)
            last = np.pad(rest, (0, -rest.size % FRAME_SAMPLES))
            # faster-whisper silences the end of the recording's last frame (it zeroes the
            # context it takes from there, which is a view of the samples); so do we, to stay
            # the same numbers.
            last[-_CONTEXT_SAMPLES:] = 0
            self._run(last)
            self._pending, self._pending_samples = [], 0
        if not self._outputs:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self._outputs).astype(np.float32, copy=False).reshape(-1)

    def _run(self, samples: np.ndarray) -> None:
        frames = samples.reshape(-1, FRAME_SAMPLES)
        context = np.concatenate([self._context[None], frames[:-1, -_CONTEXT_SAMPLES:]])
        batch = np.concatenate([context, frames], axis=1)
        output, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._outputs.append(np.asarray(output, dtype=np.float32))
        self._context = frames[-1, -_CONTEXT_SAMPLES:].copy()


# --- frame features: all that segmentation needs of the samples ---------------------------


@dataclass(frozen=True)
class FrameFeatures:
    """Per 32 ms frame: the speech probability and the level of the frame's quietest quarter
    (dB); and the recording's length in samples. 12 bytes a frame (5 MB for 4 h): a recording
    is segmented from these, so its samples are needed only one block at a time."""

    probabilities: np.ndarray
    valley_db: np.ndarray
    samples: int


def frame_features(blocks: Iterable[np.ndarray], sample_rate: int = SAMPLE_RATE) -> FrameFeatures:
    """The frame features of a recording given as consecutive blocks of samples (any sizes)."""
    stream = _SileroStream()
    valleys: list[np.ndarray] = []
    rest = np.zeros(0, dtype=np.float32)  # samples short of a whole frame, carried to the next block
    total = 0
    for block in blocks:
        block = _checked(block, sample_rate)
        total += block.size
        stream.add(block)
        joined = np.concatenate([rest, block]) if rest.size else block
        whole = joined.size // FRAME_SAMPLES * FRAME_SAMPLES
        valleys.append(_valley_db(joined[:whole]))
        rest = joined[whole:].copy()
        # onnxruntime frees its working memory after every run, and glibc keeps it, a little
        # more of it with every block: a 4 h recording then took +137 MB at peak, 30 min +69 MB.
        # Handed back after each block, any length takes the memory of a block (+66 MB).
        release_free_memory()
    if rest.size:
        valleys.append(_valley_db(np.pad(rest, (0, FRAME_SAMPLES - rest.size))))
    probabilities = stream.finish()
    valley_db = np.concatenate(valleys) if valleys else np.zeros(0)
    return FrameFeatures(probabilities, valley_db, total)


# Frames whose quarter levels are computed at once: 8 MB of float64 however long the block.
_VALLEY_CHUNK_FRAMES = 2048


def _valley_db(samples: np.ndarray) -> np.ndarray:
    """Per frame of ``samples`` (whole frames), the level of its quietest quarter in dB: a short
    gap between words is quieter than any 32 ms average over it."""
    frames = samples.reshape(-1, 4, FRAME_SAMPLES // 4)
    levels = [
        np.mean(frames[start : start + _VALLEY_CHUNK_FRAMES].astype(np.float64) ** 2, axis=2).min(axis=1)
        for start in range(0, len(frames), _VALLEY_CHUNK_FRAMES)
    ]
    return 10 * np.log10(np.concatenate(levels) + 1e-12) if levels else np.zeros(0)


# --- segmentation ------------------------------------------------------------------------

Run = tuple[int, int]  # frames [first, last) in which the VAD hears speech


def segment_speech(
    samples: np.ndarray, sample_rate: int = SAMPLE_RATE, options: SegmentOptions | None = None
) -> list[Span]:
    """Utterance-sized speech segments, sorted, non-overlapping, inside the recording, in ms."""
    return segment_blocks([samples], sample_rate, options)


def segment_blocks(
    blocks: Iterable[np.ndarray], sample_rate: int = SAMPLE_RATE, options: SegmentOptions | None = None
) -> list[Span]:
    """``segment_speech`` of a recording given as consecutive blocks of samples (read from its
    file): the same segments, in the memory of a block."""
    options = options or SegmentOptions()
    options.validate()
    return segment_frames(frame_features(blocks, sample_rate), options)


def segment_frames(features: FrameFeatures, options: SegmentOptions) -> list[Span]:
    """The segments of a recording from its frame features."""
    if features.samples < FRAME_SAMPLES:
        return []  # shorter than one VAD frame: nothing a labeler could use
    probs = features.probabilities
    groups = []
    for region in _regions(_speech_runs(probs, options), options):
        for group in _join(region, probs.size, options):
            groups.extend(_split(group, features.valley_db, probs, options))
    spans = _to_spans(groups, features.samples / SAMPLE_RATE, options)
    log.debug("segmented %.1f s into %d segments", features.samples / SAMPLE_RATE, len(spans))
    return spans


def _frames(seconds: float) -> int:
    return int(math.ceil(seconds / FRAME_SECONDS - 1e-9))


def _speech_runs(probs: np.ndarray, options: SegmentOptions) -> list[Run]:
    """Hysteresis: speech starts at ``threshold`` and lasts until it drops below the lower one."""
    high = probs >= options.threshold
    low = probs < options.threshold - options.hysteresis
    runs, start = [], None
    for index in range(probs.size):
        if start is None and high[index]:
            start = index
        elif start is not None and low[index]:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, probs.size))
    return runs


def _regions(runs: list[Run], options: SegmentOptions) -> list[list[Run]]:
    """Join runs across pauses shorter than ``min_silence``; drop regions with too little speech."""
    regions: list[list[Run]] = []
    max_gap = _frames(options.min_silence)
    for run in runs:
        if regions and run[0] - regions[-1][-1][1] < max_gap:
            regions[-1].append(run)
        else:
            regions.append([run])
    min_frames = options.min_speech / FRAME_SECONDS
    return [r for r in regions if sum(b - a for a, b in r) >= min_frames]


def _extent(runs: list[Run], options: SegmentOptions) -> float:
    """Seconds a group of runs will span once padded on both sides."""
    return (runs[-1][1] - runs[0][0]) * FRAME_SECONDS + 2 * options.speech_pad


# Slack so that rounding to milliseconds can never push a segment over a limit.
_SLACK = 0.002


def _join(region: list[Run], n_frames: int, options: SegmentOptions) -> list[list[Run]]:
    """Grow segments from the pieces between pauses, across the shortest pauses first.

    A piece is speech between pauses of at least ``split_pause``. Neighbours are joined while
    the result stays within ``target_duration``; a stub (a piece that cannot reach
    ``min_duration`` even with all the silence around it) may grow up to ``max_duration``
    instead, so labelers get no clips too short to hear. The pauses left between segments
    are therefore the longest ones in the region.

    One pass over the pauses, shortest first, is enough: groups only grow, so a join refused
    once stays refused.
    """
    pieces = _pieces(region, options)
    bounds = [(piece[0][0], piece[-1][1]) for piece in pieces]
    first_of = list(range(len(pieces)))  # valid at the last piece of each group
    last_of = list(range(len(pieces)))  # valid at the first piece of each group
    target = min(options.target_duration, options.max_duration) - _SLACK
    pauses = sorted(range(len(pieces) - 1), key=lambda i: (bounds[i + 1][0] - bounds[i][1], i))
    for end in pauses:  # the pause after piece ``end``
        first, last = first_of[end], last_of[end + 1]
        stub = (
            min(_reach(bounds, first, end, n_frames, options), _reach(bounds, end + 1, last, n_frames, options))
            < options.min_duration
        )
        limit = options.max_duration - _SLACK if stub else target
        if (bounds[last][1] - bounds[first][0]) * FRAME_SECONDS + 2 * options.speech_pad <= limit:
            last_of[first], first_of[last] = last, first
    groups, index = [], 0
    while index < len(pieces):
        groups.append([run for piece in pieces[index : last_of[index] + 1] for run in piece])
        index = last_of[index] + 1
    return groups


def _pieces(region: list[Run], options: SegmentOptions) -> list[list[Run]]:
    """Runs joined across dips shorter than ``split_pause``: too short to be between words."""
    min_gap = _frames(options.split_pause)
    pieces = [[region[0]]]
    for run in region[1:]:
        if run[0] - pieces[-1][-1][1] < min_gap:
            pieces[-1].append(run)
        else:
            pieces.append([run])
    return pieces


def _reach(bounds: list[Run], first: int, last: int, n_frames: int, options: SegmentOptions) -> float:
    """The longest span pieces ``first..last`` can get: speech plus half the pause each side.

    Beyond the region the next speech is at least ``min_silence`` away, or the recording ends.
    """
    outside = _frames(options.min_silence)
    start, end = bounds[first][0], bounds[last][1]
    left = start - bounds[first - 1][1] if first else min(outside, 2 * start)
    right = bounds[last + 1][0] - end if last + 1 < len(bounds) else min(outside, 2 * (n_frames - end))
    return (end - start + (left + right) / 2) * FRAME_SECONDS


def _split(runs: list[Run], valley_db: np.ndarray, probs: np.ndarray, options: SegmentOptions) -> list[list[Run]]:
    """Cut a group longer than ``max_duration`` at its longest pause, recursively.

    Only a stretch without any pause of ``split_pause`` gets here, so every dip of the speech
    probability counts as a pause; without one, :func:`_cut_inside_speech` decides.
    """
    if _extent(runs, options) <= options.max_duration - _SLACK:
        return [runs]
    cut = _best_pause(runs, options)
    if cut is not None:
        left, right = runs[:cut], runs[cut:]
    else:
        left, right = _cut_inside_speech(runs, valley_db, probs, options)
    return _split(left, valley_db, probs, options) + _split(right, valley_db, probs, options)


def _best_pause(runs: list[Run], options: SegmentOptions) -> int | None:
    """Index of the run after the longest pause; None when there is no usable pause.

    Both sides must keep at least ``min_duration``. Among equally long pauses the one nearest
    the middle wins, so the pieces come out even rather than one long and one stub.
    """
    middle = (runs[0][0] + runs[-1][1]) / 2
    best, best_key = None, None
    for index in range(1, len(runs)):
        gap = runs[index][0] - runs[index - 1][1]
        if min(_extent(runs[:index], options), _extent(runs[index:], options)) < options.min_duration:
            continue
        key = (gap, -abs(runs[index][0] - middle))
        if best_key is None or key > best_key:
            best, best_key = index, key
    return best


# A valley this many dB below the loudest frame nearby weighs as much as a speech probability
# falling from 1 to 0: energy finds the gaps between words that the VAD smooths over.
_VALLEY_DB = 30.0


def _cut_inside_speech(
    runs: list[Run], valley_db: np.ndarray, probs: np.ndarray, options: SegmentOptions
) -> tuple[list[Run], list[Run]]:
    """No pause to cut at: give up the quietest, least speech-like frame as a one-frame pause.

    Only reached for more than ``max_duration`` of speech without a single dip, which real
    single-speaker speech almost never has; logged because such a cut may fall in a word.
    """
    first, last = runs[0][0], runs[-1][1]
    margin = max(1, _frames(max(options.min_duration, 2 * options.speech_pad)))
    lo, hi = first + margin, last - margin
    if hi <= lo:  # cannot happen with validated options; keep the cut inside the group anyway
        lo, hi = first + 1, max(first + 2, last - 1)
    valley = valley_db[lo:hi]
    score = probs[lo:hi] + (valley - valley.max()) / _VALLEY_DB
    cut = lo + int(np.argmin(score))
    log.warning(
        "no pause in %.1f s of speech; cutting at %.2f s", (last - first) * FRAME_SECONDS, (cut + 0.5) * FRAME_SECONDS
    )
    left = [r for r in runs if r[1] <= cut] + [(a, cut) for a, b in runs if a < cut < b]
    right = [(cut + 1, b) for a, b in runs if a <= cut < b - 1] + [r for r in runs if r[0] > cut]
    return sorted(left), sorted(right)


def _to_spans(groups: list[list[Run]], duration: float, options: SegmentOptions) -> list[Span]:
    """Pad each group, widen short ones, round to ms; never cross the midpoint between groups."""
    speech = [(g[0][0] * FRAME_SECONDS, min(g[-1][1] * FRAME_SECONDS, duration)) for g in groups]
    limit_end = math.floor(duration * 1000) / 1000
    spans: list[Span] = []
    for index, (start, end) in enumerate(speech):
        left = (speech[index - 1][1] + start) / 2 if index else 0.0
        right = (end + speech[index + 1][0]) / 2 if index + 1 < len(speech) else limit_end
        left = max(left, spans[-1].end if spans else 0.0)
        start, end = max(left, start - options.speech_pad), min(right, end + options.speech_pad)
        start, end = _widen(start, end, left, right, options.min_duration)
        start, end = round(start, 3), min(round(end, 3), limit_end)
        if end > start:
            spans.append(Span(start, end))
    return spans


def _widen(start: float, end: float, left: float, right: float, target: float) -> tuple[float, float]:
    """Grow [start, end) to ``target`` seconds, evenly, within [left, right]."""
    missing = target - (end - start)
    if missing <= 0:
        return start, end
    grow_left = min(missing / 2, start - left)
    grow_right = min(missing - grow_left, right - end)
    grow_left = min(missing - grow_right, start - left)
    return start - grow_left, end + grow_right
