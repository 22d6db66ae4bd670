"""Turn one segment of speech into a Draft: the engine interface and the default engine.

The default engine is faster-whisper (CTranslate2, int8 on CPU) with the bundled weights (see
``bundled_models``). An engine takes the float32 16 kHz mono samples of one segment (up to about
30 s; longer input works but is decoded window by window) and returns one ``Draft`` whose word
times are in the recording's timeline (``offset`` is added).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from speechlabel.prelabel.engines.bundled_models import BUNDLED_MODELS, resolve_model
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Draft, Word
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.windowing import ScoredStretch, TimedWord, assign_words, compression_ratio, join_words, overlapping_scores

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
@runtime_checkable
class Engine(Protocol):
    """Anything that drafts one segment. Engines are shared between threads."""

    name: str  # e.g. "faster-whisper"
    model: str  # the model as the options named it, e.g. "base"

    def transcribe(self, samples: np.ndarray, options: TranscribeOptions, offset: float = 0.0) -> Draft:
        ...

    def transcribe_window(
        self, samples: np.ndarray, spans: Sequence[tuple[float, float]], options: TranscribeOptions, offset: float = 0.0
    ) -> list[Draft]:
        ...


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


@dataclass(eq=False)  # engines are compared by identity (one per cache key)
class FasterWhisperEngine:
    """faster-whisper on CPU. Load once (``get_engine``), then call ``transcribe`` many times.

    The glossary goes in as ``hotwords``, not ``initial_prompt``. In faster-whisper 1.2.1 both
    land in the same ``<|startofprev|>`` prompt slot, but ``initial_prompt`` only reaches the
    first 30 s window once ``condition_on_previous_text`` is off, while ``hotwords`` is sent
    before every window. Using both would put the terms in twice and spend the prompt's
    223-token budget (faster-whisper silently cuts hotwords beyond it; we log a warning).
    """

    model: str = "base"
    compute_type: str = "int8"
    cpu_threads: int = 0
    name: str = field(default="faster-whisper", init=False)
    model_path: str = field(default="", init=False)
    load_seconds: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        from faster_whisper import WhisperModel

        self.model_path = resolve_model(self.model)
        threads = self.cpu_threads or _all_cores()
        started = time.perf_counter()
        try:
            self._whisper = WhisperModel(
                self.model_path, device="cpu", compute_type=self.compute_type, cpu_threads=threads
            )
        except (RuntimeError, OSError, ValueError) as error:
            raise ValidationError(
                f"could not load Whisper model {self.model!r} from {self.model_path!r}: {error}; "
                f"use a bundled model ({', '.join(BUNDLED_MODELS)}) or a faster-whisper model directory",
                message_key="error.model_load",
                params={"model": self.model, "path": self.model_path, "error": error,
                        "bundled": ", ".join(BUNDLED_MODELS)},
            ) from error
        self.load_seconds = time.perf_counter() - started
        log.info("loaded %s %s (%s, %d threads) in %.2f s", self.name, self.model, self.compute_type,
                 threads, self.load_seconds)

    @property
    def multilingual(self) -> bool:
        return bool(self._whisper.model.is_multilingual)

    def transcribe(self, samples: np.ndarray, options: TranscribeOptions, offset: float = 0.0) -> Draft:
        """Draft one segment; empty or silent audio gives an empty Draft, not an error."""
        self._check_options(options)
        _check_samples(samples)
        _check_offset(offset)
        duration = samples.shape[0] / SAMPLE_RATE
        if samples.shape[0] == 0:
            return _empty_draft(self, options)
        segments, info = self._decode(samples, options, options.word_timestamps)
        return _draft_from_segments(self, options, segments, info, offset, duration)

    def transcribe_window(
        self, samples: np.ndarray, spans: Sequence[tuple[float, float]], options: TranscribeOptions, offset: float = 0.0
    ) -> list[Draft]:
        """Draft consecutive segments from one decode of ``samples`` (see ``windowing``).

        ``spans`` are the segments' (start, end) in seconds within ``samples``; the drafts come
        back in the same order, word times in the recording's timeline (``offset`` added).
        """
        return draft_window(self, samples, spans, options, offset)

    def _decode(self, samples: np.ndarray, options: TranscribeOptions, word_timestamps: bool):
        hotwords = glossary_prompt(options.glossary)
        self._warn_if_glossary_cut(hotwords)
        segments, info = self._whisper.transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size,
            # Segments are independent: carrying text over would leak one segment's words into
            # the next and repeat hallucinations.
            condition_on_previous_text=False,
            vad_filter=options.vad_filter,
            word_timestamps=word_timestamps,
            hotwords=hotwords,
            no_speech_threshold=options.no_speech_threshold,
        )
        return list(segments), info  # a generator: decoding happens here

    def _check_options(self, options: TranscribeOptions) -> None:
        check_engine_options(self, options)

    def _warn_if_glossary_cut(self, hotwords: str | None) -> None:
        if not hotwords:
            return
        budget = self._whisper.max_length // 2 - 1
        count = len(self._whisper.hf_tokenizer.encode(" " + hotwords).ids)
        if count > budget:
            log.warning("glossary is %d tokens; Whisper sees only the first %d of them", count, budget)


def check_engine_options(engine, options: TranscribeOptions) -> None:
    """Both engines: ``options`` must ask for what ``engine`` holds (name, model, compute type,
    threads), and an English-only model cannot be forced to another language."""
    if not isinstance(options, TranscribeOptions):
        raise ValidationError(f"options must be TranscribeOptions, got {type(options).__name__}",
                              message_key="error.options_type", params={"type": type(options).__name__})
    mine = (engine.name, engine.model, engine.compute_type, engine.cpu_threads)
    asked = (options.engine, options.model, options.compute_type, options.cpu_threads)
    if mine != asked:
        # Otherwise the Draft's provenance would name a model that did not produce it.
        raise ValidationError(
            f"options ask for engine/model/compute_type/cpu_threads {asked} but this engine holds "
            f"{mine}; get the right engine with get_engine(options)",
            message_key="error.engine_mismatch", params={"asked": asked, "mine": mine},
        )
    if options.language not in (None, "en") and not engine.multilingual:
        # faster-whisper would quietly transcribe as English instead.
        raise ValidationError(
            f"model {engine.model!r} is English-only, so language {options.language!r} cannot "
            "be forced; use a multilingual model such as 'base', or language 'en' or None",
            message_key="error.model_english_only", params={"model": engine.model, "language": options.language},
        )


def draft_window(engine, samples: np.ndarray, spans: Sequence[tuple[float, float]], options: TranscribeOptions,
                 offset: float) -> list[Draft]:
    """``transcribe_window`` of both engines: one decode of ``samples`` with word times, each
    span given the words whose middle lies in it. ``engine`` has ``transcribe``, ``_decode``
    (faster-whisper's segments and info, or the same shapes) and ``_check_options``."""
    engine._check_options(options)
    _check_samples(samples)
    _check_offset(offset)
    if len(spans) == 1 or samples.shape[0] == 0:
        return [engine.transcribe(_cut(samples, span), options, offset + span[0]) for span in spans]
    segments, info = engine._decode(samples, options, word_timestamps=True)  # words decide the split
    words = [TimedWord(w.word, float(w.start), float(w.end), float(w.probability))
             for segment in segments for w in (segment.words or ())]
    stretches = [ScoredStretch(s.start, s.end, s.avg_logprob, s.no_speech_prob) for s in segments if s.text.strip()]
    return [
        _window_draft(engine, options, info, span, span_words, stretches, offset)
        for span, span_words in zip(spans, assign_words(words, spans))
    ]


def _all_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_samples(samples: Any) -> None:
    if not isinstance(samples, np.ndarray):
        raise ValidationError(f"samples must be a numpy array, got {type(samples).__name__}",
                              message_key="error.samples_type", params={"type": type(samples).__name__})
    if samples.dtype != np.float32 or samples.ndim != 1:
        raise ValidationError(
            f"samples must be float32 mono (1-D) at 16 kHz, got {samples.dtype} with shape "
            f"{samples.shape}; decode with speechlabel.audio.samples.load_mono_16k",
            message_key="error.samples_format", params={"dtype": samples.dtype, "shape": samples.shape},
        )
    if samples.size and not np.isfinite(samples).all():
        raise ValidationError("samples contain NaN or infinite values; allowed: finite floats in [-1, 1]",
                              message_key="error.samples_not_finite_floats")


def _check_offset(offset: Any) -> None:
    if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not math.isfinite(offset) or offset < 0:
        raise ValidationError(f"offset must be a finite number of seconds >= 0, got {offset!r}",
                              message_key="error.offset_seconds", params={"offset": offset})


def _empty_draft(engine: Engine, options: TranscribeOptions) -> Draft:
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


def _draft_from_segments(engine, options, segments, info, offset: float, duration: float) -> Draft:
    """Join Whisper's segments into one Draft.

    avg_logprob and compression_ratio are means over Whisper's segments weighted by their
    duration (a 0.2 s "Thank you." should not weigh as much as 8 s of speech); no_speech_prob
    is the worst (highest) one, so a single doubtful stretch still flags the segment.
    """
    segments = [s for s in segments if s.text.strip()]
    if not segments:
        return _empty_draft(engine, options)
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
    return samples[int(round(span[0] * SAMPLE_RATE)): int(round(span[1] * SAMPLE_RATE))]


def _window_draft(engine, options, info, span, words, stretches, offset: float) -> Draft:
    """One segment's Draft out of a window decode: its words, and the decoder scores of the
    Whisper segments that overlap it (compression ratio recomputed on its own text)."""
    text = join_words(words)
    if not text:
        return _empty_draft(engine, options)
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
            Word(symbol=w.text.strip(), start=round(offset + clip(w.start), 3),
                 duration=round(clip(w.end) - clip(w.start), 3), score=min(max(w.probability, 0.0), 1.0))
            for w in words if w.text.strip()
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


_ENGINES: dict[tuple[str, str, str, int], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(options: TranscribeOptions) -> Engine:
    """The process-wide engine for (engine, model, compute_type, cpu_threads); loads it on first use.

    Loading takes the lock, so two threads asking at once load the model once.
    """
    if not isinstance(options, TranscribeOptions):
        raise ValidationError(f"options must be TranscribeOptions, got {type(options).__name__}",
                              message_key="error.options_type", params={"type": type(options).__name__})
    key = (options.engine, options.model, options.compute_type, options.cpu_threads)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _load_engine(*key)
            _ENGINES[key] = engine
        return engine


def _load_engine(name: str, model: str, compute_type: str, cpu_threads: int) -> Engine:
    if name == "openai-whisper":
        # Imported here: torch and openai-whisper are an optional install.
        from speechlabel.prelabel.engines.openai_whisper.engine import OpenAIWhisperEngine

        return OpenAIWhisperEngine(model, compute_type, cpu_threads)
    return FasterWhisperEngine(model, compute_type, cpu_threads)
