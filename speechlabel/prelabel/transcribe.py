"""Turn one segment of speech into a Draft: the default engine, faster-whisper.

The default engine is faster-whisper (CTranslate2, int8 on CPU) with the bundled weights (see
``bundled_models``). An engine takes the float32 16 kHz mono samples of one segment (up to about
30 s; longer input works but is decoded window by window) and returns one ``Draft`` whose word
times are in the recording's timeline (``offset`` is added).

The interface, the Draft builders every engine shares and the engine cache are in
``engine_base``; the names callers know from here (``Engine``, ``get_engine``, ...) are
re-exported. This module registers faster-whisper (``engine_registry``) when imported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.base import (
    SAMPLE_RATE,
    DecodeInfo,
    Engine,
    EngineBase,
    all_cores,
    check_engine_options,
    draft_window,
    get_engine,
    glossary_prompt,
)
from speechlabel.prelabel.engines.bundled_models import BUNDLED_MODELS, resolve_model
from speechlabel.prelabel.engines.options import COMPUTE_TYPES, TranscribeOptions, max_new_tokens
from speechlabel.prelabel.engines.registry import register_engine, resolve_device
from speechlabel.prelabel.engines.style_prompt import fit_prompt

__all__ = [
    "SAMPLE_RATE",
    "Engine",
    "EngineBase",
    "FasterWhisperEngine",
    "TranscribeOptions",
    "check_engine_options",
    "draft_window",
    "get_engine",
    "glossary_prompt",
]

log = logging.getLogger(__name__)

# Whisper's "the decode failed" log-probability (faster-whisper's ``log_prob_threshold``), half of
# its no-speech rule.
FAILED_LOGPROB = -1.0


@dataclass(eq=False)  # engines are compared by identity (one per cache key)
class FasterWhisperEngine(EngineBase):
    """faster-whisper (on CPU unless the options ask for CUDA). Load once (``get_engine``), then
    call ``transcribe`` many times.

    The glossary goes in as ``hotwords``, the style prompt as ``initial_prompt``. In
    faster-whisper 1.2.1 both land in the same ``<|startofprev|>`` prompt slot (hotwords first),
    but ``initial_prompt`` only reaches the first 30 s window of a call once
    ``condition_on_previous_text`` is off, while ``hotwords`` is sent before every window; our
    windows are at most 30 s, one call each, so both reach every window. Together they share
    the prompt's 223-token budget: faster-whisper silently cuts hotwords beyond it (we log a
    warning) and we cut the style prompt's start to what the hotwords leave.
    """

    model: str = "base"
    compute_type: str = "int8"
    cpu_threads: int = 0
    device: str = "cpu"
    name: str = field(default="faster-whisper", init=False)
    model_path: str = field(default="", init=False)
    load_seconds: float = field(default=0.0, init=False)
    runs_on: str = field(default="cpu", init=False)

    def __post_init__(self) -> None:
        from faster_whisper import WhisperModel

        self.runs_on = resolve_device(self.name, self.device)
        self.model_path = resolve_model(self.model)
        threads = self.cpu_threads or all_cores()
        started = time.perf_counter()
        try:
            self._whisper = WhisperModel(
                self.model_path, device=self.runs_on, compute_type=self.compute_type, cpu_threads=threads
            )
        except (RuntimeError, OSError, ValueError) as error:
            raise ValidationError(
                message_key="error.model_load",
                params={
                    "model": self.model,
                    "path": self.model_path,
                    "error": error,
                    "bundled": ", ".join(BUNDLED_MODELS),
                },
            ) from error
        self.load_seconds = time.perf_counter() - started
        log.info(
            "loaded %s %s (%s, %s, %d threads) in %.2f s",
            self.name,
            self.model,
            self.compute_type,
            self.runs_on,
            threads,
            self.load_seconds,
        )

    @property
    def multilingual(self) -> bool:
        return bool(self._whisper.model.is_multilingual)

    def decode(self, samples: np.ndarray, options: TranscribeOptions, word_timestamps: bool) -> tuple[list, DecodeInfo]:
        segments, info = self._whisper.transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size,
            # Segments are independent: carrying text over would leak one segment's words into
            # the next and repeat hallucinations. The style prompt still reaches every window: a
            # window (at most 30 s) is one call, and its first window always gets the prompt.
            condition_on_previous_text=False,
            vad_filter=options.vad_filter,
            word_timestamps=word_timestamps,
            no_speech_threshold=options.no_speech_threshold,
            **self.prompt_arguments(options, samples.shape[0] / SAMPLE_RATE),
        )
        return list(segments), info  # a generator: decoding happens here

    def prompt_arguments(self, options: TranscribeOptions, seconds: float) -> dict:
        """What goes before the window and how far its decode may run: the glossary as hotwords,
        the style prompt as ``initial_prompt`` (cut to the budget the hotwords leave) and the
        loop guards (``max_new_tokens`` for a window of ``seconds``)."""
        hotwords = glossary_prompt(options.glossary)
        self._warn_if_glossary_cut(hotwords)
        hotword_tokens = len(self._encode(" " + hotwords)) if hotwords else 0
        prompt = fit_prompt(options.style_prompt, hotword_tokens, self._encode, self._whisper.hf_tokenizer.decode)
        if prompt != options.style_prompt:
            kept = len(self._encode(" " + prompt)) if prompt else 0
            log.warning("style prompt cut to its last %d tokens beside the glossary", kept)
        return {
            "hotwords": hotwords,
            "initial_prompt": prompt or None,
            "repetition_penalty": options.repetition_penalty,
            "no_repeat_ngram_size": options.no_repeat_ngram_size,
            "max_new_tokens": max_new_tokens(options, seconds),
        }

    def _encode(self, text: str) -> list[int]:
        return self._whisper.hf_tokenizer.encode(text, add_special_tokens=False).ids

    def decode_batch(
        self, windows: Sequence[np.ndarray], options: TranscribeOptions, word_timestamps: bool
    ) -> list[tuple[list, DecodeInfo]]:
        """Several windows in one batched CTranslate2 decode (faster-whisper's
        ``BatchedInferencePipeline``, given each window as a clip of their concatenation).

        The batched pipeline decodes at the first temperature only and ignores both VAD (clips
        are given) and the no-speech rule, so the rule is applied here, as ``WhisperModel``
        applies it to a window: no-speech probability above the threshold and a failed decode
        (average log-probability not above -1) drop the window's text.
        """
        if len(windows) < 2:
            return super().decode_batch(windows, options, word_timestamps)
        from faster_whisper import BatchedInferencePipeline

        starts = np.cumsum([0] + [w.shape[0] for w in windows[:-1]]) / SAMPLE_RATE
        clips = [{"start": float(s), "end": float(s) + w.shape[0] / SAMPLE_RATE} for s, w in zip(starts, windows)]
        arguments = self.prompt_arguments(
            options, max(w.shape[0] for w in windows) / SAMPLE_RATE
        )  # longest window's limit
        if arguments["initial_prompt"]:
            # The batched pipeline encodes the prompt as given; WhisperModel puts a space first.
            arguments["initial_prompt"] = " " + arguments["initial_prompt"]
        # One pipeline per call: it keeps per-decode state, and engines are shared between threads.
        segments, info = BatchedInferencePipeline(self._whisper).transcribe(
            np.concatenate(windows),
            language=options.language,
            beam_size=options.beam_size,
            word_timestamps=word_timestamps,
            without_timestamps=False,  # as WhisperModel decodes: timestamp tokens between sentences
            clip_timestamps=clips,
            batch_size=len(windows),
            **arguments,
        )
        by_window: list[list] = [[] for _ in windows]
        for segment in segments:
            if segment.no_speech_prob > options.no_speech_threshold and segment.avg_logprob <= FAILED_LOGPROB:
                continue
            index = int(np.searchsorted(starts, segment.start + 1e-3, side="right")) - 1
            by_window[index].append(_moved(segment, -float(starts[index])))
        return [(found, info) for found in by_window]

    def _warn_if_glossary_cut(self, hotwords: str | None) -> None:
        if not hotwords:
            return
        budget = self._whisper.max_length // 2 - 1
        count = len(self._encode(" " + hotwords))
        if count > budget:
            log.warning("glossary is %d tokens; Whisper sees only the first %d of them", count, budget)


def _moved(segment, seconds: float):
    """A faster-whisper ``Segment`` with its times and its words' moved by ``seconds``."""
    words = [replace(w, start=w.start + seconds, end=w.end + seconds) for w in segment.words or ()]
    return replace(segment, start=segment.start + seconds, end=segment.end + seconds, words=words or segment.words)


def cuda_available() -> bool:
    """Whether CTranslate2 (faster-whisper's runtime) finds a CUDA device."""
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0


register_engine(
    "faster-whisper",
    lambda options: FasterWhisperEngine(options.model, options.compute_type, options.cpu_threads, options.device),
    compute_types=COMPUTE_TYPES,
    default_compute_type=TranscribeOptions.compute_type,
    cuda_available=cuda_available,
)
