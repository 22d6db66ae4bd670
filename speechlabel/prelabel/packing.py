"""Packing the speech of several recordings into one Whisper window.

Whisper encodes a fixed 30 s window whatever the input length, so a 2 s voice command drafted on
its own pays for 30 s of encoder work, and short recordings are the common case for voice
assistants. ``windowing`` already shares a window between consecutive segments of ONE recording;
packing lays stretches of DIFFERENT recordings end to end, with ``gap_seconds`` of silence between
them, decodes the packed audio in one window (``Engine.transcribe_window``: each segment gets the
words whose middle lies in it) and moves each segment's words back into its own recording's
timeline: a word at packed time t in a stretch packed at p that starts at s in its recording is
at t - p + s.

A stretch is the continuous audio of one recording from one segment's start to a later one's end
(``stretches_of``: today's windows of a recording), so the real pauses inside a recording stay as
they are; only between recordings is silence made up. A stretch longer than a window goes alone,
as it did before packing.

Pure of the store: the pipeline loads the audio, calls ``draft_packed`` and stores what it yields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import numpy as np

from speechlabel.audio.samples import TARGET_RATE as SAMPLE_RATE
from speechlabel.core.models import Draft, Word
from speechlabel.prelabel.engines.base import Engine
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.windowing import group_into_windows

Span = tuple[float, float]


@dataclass(frozen=True)
class PackOptions:
    """How stretches of different recordings share Whisper windows.

    window_seconds: packed audio per window, gaps included (at most 30: Whisper's window). The
                    pipeline takes the project's ``TranscribeOptions.window_seconds``, so one
                    setting says how much one decode may hold; 0 decodes every stretch alone.
    gap_seconds:    silence between two packed stretches. VAD segments already carry 0.2 s of
                    their own quiet at each end; the gap keeps Whisper from running words of two
                    recordings together and leaves word middles clearly on one side (measured in
                    ``bench/prelabel_throughput.py --gaps``: see the README).
    batch_size:     windows per engine call. Above 1, engines that decode a batch at once
                    (``BatchEngine``: faster-whisper's batched pipeline) get several windows per
                    call; others decode them one by one. 1 by default: on a 2-core CPU batching
                    did not pay (see the README).
    unheard_seconds: a stretch whose words start this much after its first segment's start, or
                    end this much before its last one's end, or that got no words at all, is
                    decoded again on its own (``unheard``): Whisper sometimes ends a window's
                    decode early and skips the last stretch whole, or starts one late.
    longest_word_seconds: a stretch with a word Whisper timed longer than this is decoded again
                    on its own too: a word stretched over seconds is the packed decode's timing
                    running over speech it skipped: of 160 real 1-4 s utterances (beam 5), "the"
                    was timed 2.36 s over "native country the narrative would be tedious" and
                    "antecedents" 3.14 s over "will excuse me ... antecedents". 10 stretches had a
                    word over 1 s; the same utterances drafted alone had 29 fewer word errors
                    (one run, counted by a script outside bench/).
    edge_word_probability: a word that Whisper timed wholly outside its stretch (in the made-up
                    silence: its time clipped to nothing at the stretch's first start or last
                    end) and gave less than this probability is dropped (``without_edge_words``):
                    the end of a neighbour's speech, or a word invented across the gap.
    With them, packing in one process drafted 160 real 1-4 s utterances at WER 0.255 against
    0.224 one by one (beam 5; bench/prelabel_throughput.py, one run): which utterances share a
    window still moves the WER by a few hundredths (README: packing is opt-in).
    """

    window_seconds: float = TranscribeOptions.window_seconds
    gap_seconds: float = 0.4
    batch_size: int = 1
    unheard_seconds: float = 0.6
    longest_word_seconds: float = 1.0
    edge_word_probability: float = 0.5

    def __post_init__(self) -> None:
        # Not user input (no project setting holds these yet): a bad value is a programming error.
        if not (self.window_seconds == 0 or 1 <= self.window_seconds <= 30):
            raise ValueError(f"window_seconds must be 0 or from 1 to 30, got {self.window_seconds!r}")
        if not 0 <= self.gap_seconds <= 5:
            raise ValueError(f"gap_seconds must be from 0 to 5, got {self.gap_seconds!r}")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, got {self.batch_size!r}")
        if not self.unheard_seconds > 0:
            raise ValueError(f"unheard_seconds must be above 0, got {self.unheard_seconds!r}")
        if not self.longest_word_seconds > 0:
            raise ValueError(f"longest_word_seconds must be above 0, got {self.longest_word_seconds!r}")
        if not 0 <= self.edge_word_probability <= 1:
            raise ValueError(f"edge_word_probability must be from 0 to 1, got {self.edge_word_probability!r}")

    @classmethod
    def for_transcribe(cls, options: TranscribeOptions, **overrides) -> PackOptions:
        """Packing under ``options``: its window length, the defaults otherwise."""
        return cls(**dict({"window_seconds": options.window_seconds}, **overrides))


@dataclass(frozen=True)
class Stretch:
    """Continuous audio of one recording holding one or more of its segments."""

    samples: np.ndarray  # float32, 16 kHz, from ``start`` on
    start: float  # where ``samples`` begin in the recording, seconds
    spans: tuple[Span, ...]  # the segments' (start, end), seconds in the recording

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / SAMPLE_RATE


@dataclass(frozen=True)
class PackedWindow:
    """Which stretches one window holds, and where each begins in the packed audio."""

    members: tuple[int, ...]  # indices into the stretches, in packing order
    offsets: tuple[int, ...]  # sample index of each member's start in the packed audio


@dataclass(frozen=True)
class WindowDrafts:
    """What one decoded window gives back: per member stretch, its segments' drafts in order."""

    members: tuple[int, ...]
    drafts: tuple[tuple[Draft, ...], ...]


@runtime_checkable
class BatchEngine(Protocol):
    """An engine that decodes several windows in one call (``EngineBase.transcribe_windows``)."""

    def transcribe_windows(
        self, windows: Sequence[tuple[np.ndarray, Sequence[Span]]], options: TranscribeOptions
    ) -> list[list[Draft]]: ...


def stretches_of(samples: np.ndarray, bounds: Sequence[Span], window_seconds: float) -> list[Stretch]:
    """A recording's segments as stretches: consecutive ones sharing up to ``window_seconds``
    (``group_into_windows``), each with the recording's audio from its first start to its last end."""
    stretches = []
    for group in group_into_windows(bounds, window_seconds):
        start, end = bounds[group[0]][0], bounds[group[-1]][1]
        audio = samples[_sample(start) : _sample(end)]
        stretches.append(Stretch(audio, start, tuple(bounds[i] for i in group)))
    return stretches


def plan_windows(durations: Sequence[float], options: PackOptions) -> list[PackedWindow]:
    """Stretches in their order, each window filled while the next one still fits, gaps counted.

    In order rather than best fit: windows then follow the recordings, so a batch's drafts are
    stored recording after recording and a window of 1-4 s utterances wastes less than one of
    them. ``window_seconds`` of 0 puts every stretch alone.
    """
    gap = _sample(options.gap_seconds)
    limit = _sample(options.window_seconds)
    windows: list[tuple[list[int], list[int]]] = []
    used = 0
    for index, seconds in enumerate(durations):
        length = _sample(seconds)
        if windows and options.window_seconds > 0 and used + gap + length <= limit:
            windows[-1][0].append(index)
            windows[-1][1].append(used + gap)
            used += gap + length
        else:
            windows.append(([index], [0]))
            used = length
    return [PackedWindow(tuple(members), tuple(offsets)) for members, offsets in windows]


def packed_audio(stretches: Sequence[Stretch], window: PackedWindow) -> tuple[np.ndarray, list[Span]]:
    """The window's audio (silence between stretches) and every member segment's span in it."""
    end = window.offsets[-1] + stretches[window.members[-1]].samples.shape[0]
    audio = np.zeros(end, dtype=np.float32)
    spans: list[Span] = []
    for index, offset in zip(window.members, window.offsets):
        stretch = stretches[index]
        audio[offset : offset + stretch.samples.shape[0]] = stretch.samples
        shift = offset / SAMPLE_RATE - stretch.start
        spans.extend((start + shift, end + shift) for start, end in stretch.spans)
    return audio, spans


def draft_packed(
    engine: Engine, stretches: Sequence[Stretch], transcribe: TranscribeOptions, options: PackOptions
) -> Iterator[WindowDrafts]:
    """Decode the stretches packed into windows; yield each window's drafts as soon as it is done
    (so a caller can store them before the next decode), word times in each stretch's recording.
    A stretch the packed decode did not hear whole is decoded again on its own (``checked``)."""
    windows = plan_windows([s.duration for s in stretches], options)
    batched: BatchEngine | None = engine if options.batch_size > 1 and isinstance(engine, BatchEngine) else None
    step = options.batch_size if batched is not None else 1
    for first in range(0, len(windows), step):
        chunk = windows[first : first + step]
        packed = [packed_audio(stretches, window) for window in chunk]
        if batched is not None and len(chunk) > 1:
            decoded = batched.transcribe_windows(packed, transcribe)
        else:
            decoded = [engine.transcribe_window(audio, spans, transcribe) for audio, spans in packed]
        for window, drafts in zip(chunk, decoded):
            yield checked(engine, stretches, _unpack(stretches, window, drafts), transcribe, options)


def checked(
    engine: Engine,
    stretches: Sequence[Stretch],
    window: WindowDrafts,
    transcribe: TranscribeOptions,
    options: PackOptions,
) -> WindowDrafts:
    """``window``'s drafts with each member that the packed decode did not hear whole decoded
    again alone (as it was before packing), and the others' edge words dropped. A window of one
    stretch was decoded alone already: it stays as it is."""
    if len(window.members) == 1:
        return window
    drafts = []
    for member, member_drafts in zip(window.members, window.drafts):
        stretch = stretches[member]
        if unheard(stretch, member_drafts, options):
            drafts.append(tuple(_alone(engine, stretch, transcribe)))
        else:
            drafts.append(without_edge_words(stretch, member_drafts, options.edge_word_probability))
    return WindowDrafts(window.members, tuple(drafts))


def unheard(stretch: Stretch, drafts: Sequence[Draft], options: PackOptions) -> bool:
    """Whether the packed decode missed speech of ``stretch``: no words at all, none within
    ``unheard_seconds`` of its first segment's start or its last one's end, or a word timed longer
    than ``longest_word_seconds`` (stretched over speech it did not transcribe)."""
    words = [word for draft in drafts for word in draft.words]
    if not words:
        return True
    first, last = stretch.spans[0][0], stretch.spans[-1][1]
    return (
        words[0].start > first + options.unheard_seconds
        or words[-1].start + words[-1].duration < last - options.unheard_seconds
        or any(word.duration > options.longest_word_seconds for word in words)
    )


def _alone(engine: Engine, stretch: Stretch, transcribe: TranscribeOptions) -> list[Draft]:
    spans = [(start - stretch.start, end - stretch.start) for start, end in stretch.spans]
    return engine.transcribe_window(stretch.samples, spans, transcribe, offset=stretch.start)


def without_edge_words(stretch: Stretch, drafts: Sequence[Draft], below: float) -> tuple[Draft, ...]:
    """``drafts`` without the doubtful words Whisper timed outside the stretch: leading words of
    its first segment clipped to nothing at the stretch's start, trailing words of its last one
    clipped to nothing at its end, each with a probability under ``below``."""
    first, last = stretch.spans[0][0], stretch.spans[-1][1]
    kept = list(drafts)
    if kept:
        kept[0] = _trimmed(kept[0], lambda words: _outside(words[0], first, below), leading=True)
        kept[-1] = _trimmed(kept[-1], lambda words: _outside(words[-1], last, below), leading=False)
    return tuple(kept)


def _outside(word: Word, edge: float, below: float) -> bool:
    return word.duration == 0 and abs(word.start - edge) < 1e-3 and word.score < below


def _trimmed(draft: Draft, doubtful: Callable[[list[Word]], bool], leading: bool) -> Draft:
    words, text = list(draft.words), draft.text
    while words and doubtful(words):
        word = words.pop(0 if leading else -1)
        text = _without_symbol(text, word.symbol, leading)
    if len(words) == len(draft.words):
        return draft
    return replace(draft, text=text if words else "", words=tuple(words))


def _without_symbol(text: str, symbol: str, leading: bool) -> str:
    """``text`` without ``symbol`` at its start (or end): a draft's text is its words joined with
    Whisper's own spacing, so the word is there; in any other case the text is left as it is."""
    text = text.strip()
    if leading and text.startswith(symbol):
        return text[len(symbol) :].lstrip()
    if not leading and text.endswith(symbol):
        return text[: -len(symbol)].rstrip()
    return text


def _unpack(stretches: Sequence[Stretch], window: PackedWindow, drafts: Sequence[Draft]) -> WindowDrafts:
    """Split a window's drafts (in packed time) by member stretch and move them into its recording."""
    per_member, taken = [], 0
    for index, offset in zip(window.members, window.offsets):
        stretch = stretches[index]
        mine = drafts[taken : taken + len(stretch.spans)]
        taken += len(stretch.spans)
        shift = stretch.start - offset / SAMPLE_RATE
        per_member.append(tuple(shifted(draft, shift) for draft in mine))
    return WindowDrafts(window.members, tuple(per_member))


def shifted(draft: Draft, seconds: float) -> Draft:
    """``draft`` with every word moved by ``seconds``."""
    words = tuple(replace(w, start=round(max(w.start + seconds, 0.0), 3)) for w in draft.words)
    return replace(draft, words=words)


def _sample(seconds: float) -> int:
    return int(round(seconds * SAMPLE_RATE))
