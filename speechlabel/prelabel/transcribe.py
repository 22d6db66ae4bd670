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
from dataclasses import dataclass, field

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
from speechlabel.prelabel.engines.options import COMPUTE_TYPES, TranscribeOptions
from speechlabel.prelabel.engines.registry import register_engine, resolve_device

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


@dataclass(eq=False)  # engines are compared by identity (one per cache key)
class FasterWhisperEngine(EngineBase):
    """faster-whisper (on CPU unless the options ask for CUDA). Load once (``get_engine``), then
    call ``transcribe`` many times.

    The glossary goes in as ``hotwords``, not ``initial_prompt``. In faster-whisper 1.2.1 both
    land in the same ``<|startofprev|>`` prompt slot, but ``initial_prompt`` only reaches the
    first 30 s window once ``condition_on_previous_text`` is off, while ``hotwords`` is sent
    before every window. Using both would put the terms in twice and spend the prompt's
    223-token budget (faster-whisper silently cuts hotwords beyond it; we log a warning).
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

    def _warn_if_glossary_cut(self, hotwords: str | None) -> None:
        if not hotwords:
            return
        budget = self._whisper.max_length // 2 - 1
        count = len(self._whisper.hf_tokenizer.encode(" " + hotwords).ids)
        if count > budget:
            log.warning("glossary is %d tokens; Whisper sees only the first %d of them", count, budget)


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
