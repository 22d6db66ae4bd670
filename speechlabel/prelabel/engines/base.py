"""What every engine shares: the interface callers use, the base class engines implement, the
Draft builders and input checks they share, and the process-wide engine cache.

``Engine`` is what prelabeling and the jobs call (any object with these members will do).
``EngineBase`` is what an engine implements: it loads its model when built and gives Whisper's
segments of some audio (``decode``; several windows at once: ``decode_batch``); the base turns
those into Drafts, one per segment or one per span of a window (``windowing``), so every engine's
drafts are built, scored and clipped alike.
``get_engine`` builds engines through the registry (``engine_registry``) and keeps one per
(engine, model, compute type, threads, device).
"""

from __future__ import annotations

import math
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from speechlabel.audio.samples import TARGET_RATE as SAMPLE_RATE
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Draft, Word
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.engines.registry import EngineKind, engine_kind
from speechlabel.prelabel.windowing import (
    ScoredStretch,
    TimedWord,
    assign_words,
    compression_ratio,
    join_words,
    overlapping_scores,
)


@runtime_checkable
class Engine(Protocol):
    """Anything that drafts one segment. Engines are shared between threads."""

    name: str  # e.g. "faster-whisper"
    model: str  # the model as the options named it, e.g. "base"

    def transcribe(self, samples: np.ndarray, options: TranscribeOptions, offset: float = 0.0) -> Draft: ...

    def transcribe_window(
        self, samples: np.ndarray, spans: Sequence[tuple[float, float]], options: TranscribeOptions, offset: float = 0.0
    ) -> list[Draft]: ...


class DecodeInfo(Protocol):
    """What a Draft needs of a decode besides its segments (faster-whisper's TranscriptionInfo has it)."""

    @property
    def language(self) -> str: ...

    @property
    def language_probability(self) -> float: ...


class EngineBase(ABC):
    """A Whisper engine: built for one (model, compute type, threads, device), it decodes audio
    into Whisper's segments; ``transcribe`` and ``transcribe_window`` are built on ``decode``.

    Subclasses set the attributes below (the first five as the options asked for them) and
    register themselves (``engine_registry.register_engine``).
    """

    name: str  # the name the engine is registered under
    model: str
    compute_type: str
    cpu_threads: int
    device: str  # as the options ask: "cpu", "cuda" or "auto"
    runs_on: str  # where it runs: "cpu" or "cuda" ("auto" resolved when it was built)

    @property
    @abstractmethod
    def multilingual(self) -> bool:
        """Whether the model knows languages other than English."""

    @abstractmethod
    def decode(self, samples: np.ndarray, options: TranscribeOptions, word_timestamps: bool) -> tuple[list, DecodeInfo]:
        """Whisper's segments of ``samples`` (in faster-whisper's ``Segment`` shape: start, end,
        text, avg_logprob, no_speech_prob, compression_ratio and ``words`` with start, end, word,
        probability; times in seconds within ``samples``) and the language of the decode."""

    def check_options(self, options: TranscribeOptions) -> None:
        """Refuse options this engine was not built for (see ``check_engine_options``)."""
        check_engine_options(self, options)

    def transcribe(self, samples: np.ndarray, options: TranscribeOptions, offset: float = 0.0) -> Draft:
        """Draft one segment; empty or silent audio gives an empty Draft, not an error."""
        self.check_options(options)
        check_samples(samples)
        check_offset(offset)
        if samples.shape[0] == 0:
            return empty_draft(self, options)
        segments, info = self.decode(samples, options, options.word_timestamps)
        return draft_from_segments(self, options, segments, info, offset, samples.shape[0] / SAMPLE_RATE)

    def transcribe_window(
        self, samples: np.ndarray, spans: Sequence[tuple[float, float]], options: TranscribeOptions, offset: float = 0.0
    ) -> list[Draft]:
        """Draft consecutive segments from one decode of ``samples`` (see ``windowing``).

        ``spans`` are the segments' (start, end) in seconds within ``samples``; the drafts come
        back in the same order, word times in the recording's timeline (``offset`` added).
        """
        return draft_window(self, samples, spans, options, offset)

    def transcribe_windows(
        self, windows: Sequence[tuple[np.ndarray, Sequence[tuple[float, float]]]], options: TranscribeOptions
    ) -> list[list[Draft]]:
        """``transcribe_window`` of several (samples, spans) windows decoded together
        (``decode_batch``); word times within each window's samples."""
        return draft_windows(self, windows, options)

    def decode_batch(
        self, windows: Sequence[np.ndarray], options: TranscribeOptions, word_timestamps: bool
    ) -> list[tuple[list, DecodeInfo]]:
        """``decode`` of several windows (each at most 30 s). One after another here; an engine
        whose library decodes a batch in one call overrides this."""
        return [self.decode(samples, options, word_timestamps) for samples in windows]


def glossary_prompt(glossary: tuple[str, ...]) -> str | None:
    """The text Whisper sees before each window: ``"term, term, term."``.

    The closing full stop matters: without it the model ended the AMI transcript unpunctuated
    and invented "Thank you." after it. Other forms were measured on 19 English recordings
    with two glossaries ("Glossary: ..." labels, ``initial_prompt`` instead of ``hotwords``):
    none was better at the default (base, beam 1), where this form fixed the AMI names and
    changed nothing else. With beam 5 or tiny.en every form sometimes echoed glossary terms
    after the speech ("... New Jersey now. OK Nova, OK Nova, conveyor belt, PLC.").
    """
    terms = [t.strip() for t in glossary if t.strip()]
    if not terms:
        return None
    text = ", ".join(terms)
    return text if text.endswith((".", "!", "?", "。")) else text + "."


def engine_key(options: TranscribeOptions) -> tuple[str, str, str, int, str]:
    """What an engine is built for: options that differ only elsewhere share one engine."""
    return (options.engine, options.model, options.compute_type, options.cpu_threads, options.device)


def check_engine_options(engine: EngineBase, options: TranscribeOptions) -> None:
    """Every engine: ``options`` must ask for what ``engine`` holds (name, model, compute type,
    threads, device), and an English-only model cannot be forced to another language."""
    if not isinstance(options, TranscribeOptions):
        raise ValidationError(message_key="error.options_type", params={"type": type(options).__name__})
    mine = (engine.name, engine.model, engine.compute_type, engine.cpu_threads, engine.device)
    asked = engine_key(options)
    if mine != asked:
        # Otherwise the Draft's provenance would name a model that did not produce it.
        raise ValidationError(
            message_key="error.engine_mismatch",
            params={"asked": asked, "mine": mine},
        )
    if options.language not in (None, "en") and not engine.multilingual:
        # faster-whisper would quietly transcribe as English instead.
        raise ValidationError(
            message_key="error.model_english_only",
            params={"model": engine.model, "language": options.language},
        )


def draft_window(
    engine: EngineBase,
    samples: np.ndarray,
    spans: Sequence[tuple[float, float]],
    options: TranscribeOptions,
    offset: float,
) -> list[Draft]:
    """``transcribe_window`` of every engine: one decode of ``samples`` with word times, each
    span given the words whose sound is in it."""
    engine.check_options(options)
    check_samples(samples)
    check_offset(offset)
    if len(spans) == 1 or samples.shape[0] == 0:
        return [engine.transcribe(_cut(samples, span), options, offset + span[0]) for span in spans]
    segments, info = engine.decode(samples, options, word_timestamps=True)  # words decide the split
    return split_window(engine, options, segments, info, spans, offset)


def draft_windows(
    engine: EngineBase,
    windows: Sequence[tuple[np.ndarray, Sequence[tuple[float, float]]]],
    options: TranscribeOptions,
) -> list[list[Draft]]:
    """``transcribe_windows`` of every engine: ``draft_window`` of each window, with all the
    decodes in one ``decode_batch``. A window of one span is decoded as that span alone and
    drafted whole, as ``draft_window`` does."""
    engine.check_options(options)
    inputs = []
    for samples, spans in windows:
        check_samples(samples)
        inputs.append(_cut(samples, spans[0]) if len(spans) == 1 else samples)
    heard = [i for i, (audio, (_, spans)) in enumerate(zip(inputs, windows)) if audio.shape[0] and spans]
    decoded = dict(zip(heard, engine.decode_batch([inputs[i] for i in heard], options, word_timestamps=True)))
    drafts = []
    for index, (audio, (_, spans)) in enumerate(zip(inputs, windows)):
        if index not in decoded:
            drafts.append([empty_draft(engine, options) for _ in spans])
            continue
        segments, info = decoded[index]
        if len(spans) == 1:
            duration = audio.shape[0] / SAMPLE_RATE
            drafts.append([draft_from_segments(engine, options, segments, info, spans[0][0], duration)])
        else:
            drafts.append(split_window(engine, options, segments, info, spans, 0.0))
    return drafts


def split_window(
    engine: EngineBase,
    options: TranscribeOptions,
    segments: list,
    info: DecodeInfo,
    spans: Sequence[tuple[float, float]],
    offset: float,
) -> list[Draft]:
    """One Draft per span out of one decode of ``samples``: each span gets the words whose sound
    is in it (``assign_words``), and the scores of Whisper's segments over it."""
    segments = believed(segments)
    words = [
        TimedWord(w.word, float(w.start), float(w.end), float(w.probability))
        for segment in segments
        for w in (segment.words or ())
    ]
    stretches = [ScoredStretch(s.start, s.end, s.avg_logprob, s.no_speech_prob) for s in segments]
    return [
        _window_draft(engine, options, info, span, span_words, stretches, offset)
        for span, span_words in zip(spans, assign_words(words, spans))
    ]


def all_cores() -> int:
    """The cores this process may run on (an engine's thread count when the options say 0)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_samples(samples: Any) -> None:
    if not isinstance(samples, np.ndarray):
        raise ValidationError(message_key="error.samples_type", params={"type": type(samples).__name__})
    if samples.dtype != np.float32 or samples.ndim != 1:
        raise ValidationError(
            message_key="error.samples_format",
            params={"dtype": samples.dtype, "shape": samples.shape},
        )
    if samples.size and not np.isfinite(samples).all():
        raise ValidationError(message_key="error.samples_not_finite_floats")


def check_offset(offset: Any) -> None:
    if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not math.isfinite(offset) or offset < 0:
        raise ValidationError(message_key="error.offset_seconds", params={"offset": offset})


def empty_draft(engine: EngineBase, options: TranscribeOptions) -> Draft:
    """Nothing heard: no text, no words. Scores say "no speech" with full confidence in that.

    Without speech a detected language means nothing, so it is "" (probability 0) unless the
    project forced one.
    """
    return Draft(
        text="",
        words=(),
        avg_logprob=0.0,
        no_speech_prob=1.0,
        compression_ratio=0.0,
        language=options.language or "",
        language_probability=1.0 if options.language else 0.0,
        engine=engine.name,
        model=engine.model,
        options=options.to_dict(),
    )


# Whisper's own no-speech rule drops a window whose no-speech probability is above its threshold
# and whose decode failed (average log-probability below -1). Beam search lifts the log-probability
# of text invented over noise: over a real noise piece, beam 5 gave "Thank you very much." at
# no-speech 0.72 and log-probability -0.98 (beam 1 gave nothing). So where Whisper is surer than
# its default threshold (0.6) that there is no speech, a weak decode is dropped too. Real speech
# stays: in the stored drafts of one run over 160 real 1-4 s utterances and the shared long files
# (beam 5; read from the store, not printed by a benchmark), no speech segment scored above 0.61
# with a log-probability below -0.52.
SURELY_NO_SPEECH = 0.6
WEAK_LOGPROB = -0.8


def believed(segments: Iterable) -> list:
    """Whisper's segments with text, without those it thinks are surely not speech and decoded
    weakly (``SURELY_NO_SPEECH``, ``WEAK_LOGPROB``)."""
    return [
        s
        for s in segments
        if s.text.strip() and not (s.no_speech_prob > SURELY_NO_SPEECH and s.avg_logprob < WEAK_LOGPROB)
    ]


def draft_from_segments(
    engine: EngineBase, options: TranscribeOptions, segments, info: DecodeInfo, offset: float, duration: float
) -> Draft:
    """Join Whisper's segments into one Draft.

    avg_logprob and compression_ratio are means over Whisper's segments weighted by their
    duration (a 0.2 s "Thank you." should not weigh as much as 8 s of speech); no_speech_prob
    is the worst (highest) one, so a single doubtful stretch still flags the segment.
    """
    segments = believed(segments)
    if not segments:
        return empty_draft(engine, options)
    weights = [max(s.end - s.start, 1e-3) for s in segments]
    return Draft(
        text=" ".join(" ".join(s.text.split()) for s in segments).strip(),
        words=tuple(_words(segments, offset, duration)),
        avg_logprob=_weighted_mean([s.avg_logprob for s in segments], weights),
        no_speech_prob=float(max(s.no_speech_prob for s in segments)),
        compression_ratio=_weighted_mean([s.compression_ratio for s in segments], weights),
        language=info.language,
        language_probability=float(info.language_probability),
        engine=engine.name,
        model=engine.model,
        options=options.to_dict(),
    )


def _words(segments, offset: float, duration: float) -> Iterable[Word]:
    """Words in the recording's timeline. Whisper's times come in 20 ms steps and the last word
    can end past the samples, so times are clipped to the segment."""
    for segment in segments:
        for word in segment.words or ():
            symbol = word.word.strip()
            if not symbol:
                continue
            start = min(max(float(word.start), 0.0), duration)
            end = min(max(float(word.end), start), duration)
            yield Word(
                symbol=symbol,
                start=round(offset + start, 3),
                duration=round(end - start, 3),
                score=min(max(float(word.probability), 0.0), 1.0),
            )


def _cut(samples: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    return samples[int(round(span[0] * SAMPLE_RATE)) : int(round(span[1] * SAMPLE_RATE))]


def _window_draft(
    engine: EngineBase,
    options: TranscribeOptions,
    info: DecodeInfo,
    span: tuple[float, float],
    words: list[TimedWord],
    stretches: list[ScoredStretch],
    offset: float,
) -> Draft:
    """One segment's Draft out of a window decode: its words, and the decoder scores of the
    Whisper segments that overlap it (compression ratio recomputed on its own text)."""
    text = join_words(words)
    if not text:
        return empty_draft(engine, options)
    logprob, no_speech = overlapping_scores(stretches, span) or (
        _weighted_mean([s.avg_logprob for s in stretches], [1.0] * len(stretches)),
        max(s.no_speech_prob for s in stretches),
    )
    start, end = span

    def clip(t: float) -> float:  # Whisper's word times may run a little past the segment
        return min(max(t, start), end)

    return Draft(
        text=text,
        words=tuple(
            Word(
                symbol=w.text.strip(),
                start=round(offset + clip(w.start), 3),
                duration=round(clip(w.end) - clip(w.start), 3),
                score=min(max(w.probability, 0.0), 1.0),
            )
            for w in words
            if w.text.strip()
        ),
        avg_logprob=float(logprob),
        no_speech_prob=float(no_speech),
        compression_ratio=compression_ratio(text),
        language=info.language,
        language_probability=float(info.language_probability),
        engine=engine.name,
        model=engine.model,
        options=options.to_dict(),
    )


def _weighted_mean(values: list[float], weights: list[float]) -> float:
    return float(sum(v * w for v, w in zip(values, weights)) / sum(weights))


# Built engines, one per registered engine and ``engine_key`` (the kind is part of the key, so an
# engine registered again under the same name is built anew).
_ENGINES: dict[tuple[EngineKind, str, str, int, str], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(options: TranscribeOptions) -> Engine:
    """The process-wide engine for (engine, model, compute_type, cpu_threads, device); built by the
    registered engine on first use.

    Building takes the lock, so two threads asking at once load the model once.
    """
    if not isinstance(options, TranscribeOptions):
        raise ValidationError(message_key="error.options_type", params={"type": type(options).__name__})
    kind = engine_kind(options.engine)
    _, model, compute_type, cpu_threads, device = engine_key(options)
    key = (kind, model, compute_type, cpu_threads, device)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = kind.build(options)
            _ENGINES[key] = engine
        return engine
