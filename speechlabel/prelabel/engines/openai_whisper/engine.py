"""openai-whisper behind the same ``Engine`` interface as the default faster-whisper engine.

It runs the bundled weights, converted once into an openai-whisper checkpoint (``checkpoint``),
in float32 on the CPU unless the options ask for CUDA (torch has no int8 Whisper). Audio goes in as float32 arrays, so the
ffmpeg program is never needed. Its Whisper segments are turned into faster-whisper's
``Segment``/``Word`` objects so both engines share one Draft builder and one VAD (the Silero
model faster-whisper ships): the drafts differ only where the decoders do.

Importing this module registers the engine (``engine_registry``) without importing torch or
openai-whisper: they are imported when the engine is built, which explains how to install them
where they are missing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.base import SAMPLE_RATE, EngineBase, all_cores, glossary_prompt
from speechlabel.prelabel.engines.openai_whisper.checkpoint import openai_checkpoint
from speechlabel.prelabel.engines.options import OPENAI_WHISPER_COMPUTE_TYPES, TranscribeOptions
from speechlabel.prelabel.engines.registry import register_engine, resolve_device

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "the openai-whisper engine is not installed; install it with: pip install -r "
    "requirements-openai-whisper.txt && pip install --no-deps -r requirements-openai-whisper-nodeps.txt"
)


@dataclass(frozen=True)
class _Info:
    """The part of faster-whisper's TranscriptionInfo a Draft needs."""

    language: str
    language_probability: float


def import_whisper():
    """openai-whisper's module, or a ValidationError saying how to install it."""
    try:
        import whisper
    except ImportError as error:
        raise ValidationError(message_key="error.openai_whisper_missing") from error
    return whisper


@dataclass(eq=False)  # engines are compared by identity (one per cache key)
class OpenAIWhisperEngine(EngineBase):
    """openai-whisper (on CPU unless the options ask for CUDA). Load once (``get_engine``), then
    call ``transcribe`` many times.

    Calls are serialised by a lock: openai-whisper installs its key/value-cache and
    cross-attention hooks on the shared model for each decode, so two decodes at once would
    read each other's caches.
    """

    model: str = "base"
    compute_type: str = "float32"
    cpu_threads: int = 0
    device: str = "cpu"
    name: str = field(default="openai-whisper", init=False)
    model_path: str = field(default="", init=False)  # the converted checkpoint
    load_seconds: float = field(default=0.0, init=False)
    runs_on: str = field(default="cpu", init=False)

    def __post_init__(self) -> None:
        whisper = import_whisper()
        import torch

        if self.compute_type != "float32":
            raise ValidationError(
                message_key="error.openai_whisper_compute_type",
                params={"compute_type": self.compute_type},
            )
        self.runs_on = resolve_device(self.name, self.device)
        started = time.perf_counter()
        converted = openai_checkpoint(self.model)
        self.model_path = str(converted.checkpoint)
        self._threads = self.cpu_threads or all_cores()
        torch.set_num_threads(self._threads)
        self._whisper = whisper.load_model(self.model_path, device=self.runs_on)
        if converted.alignment_heads:
            self._whisper.set_alignment_heads(converted.alignment_heads)
        self._lock = threading.Lock()
        self.load_seconds = time.perf_counter() - started
        log.info(
            "loaded %s %s (float32, %s, %d threads) in %.2f s",
            self.name,
            self.model,
            self.runs_on,
            self._threads,
            self.load_seconds,
        )

    @property
    def multilingual(self) -> bool:
        return bool(self._whisper.is_multilingual)

    @property
    def whisper_model(self):
        """The loaded ``whisper.model.Whisper`` (for checks that compare engines layer by layer)."""
        return self._whisper

    def decode(self, samples: np.ndarray, options: TranscribeOptions, word_timestamps: bool) -> tuple[list, _Info]:
        from faster_whisper.transcribe import restore_speech_timestamps

        audio, speech_chunks = _keep_speech(samples) if options.vad_filter else (samples, None)
        if audio.shape[0] == 0:
            return [], _Info(options.language or "", 1.0 if options.language else 0.0)
        with self._lock:
            import torch

            torch.set_num_threads(self._threads)  # process-wide in torch: set for this call
            info = self._language(audio, options)
            result = self._run(audio, options, info.language, word_timestamps)
        segments = [_segment(s) for s in result["segments"]]
        if speech_chunks:
            segments = list(restore_speech_timestamps(segments, speech_chunks, SAMPLE_RATE))
        return segments, info

    def _run(self, audio: np.ndarray, options: TranscribeOptions, language: str, word_timestamps: bool) -> dict:
        whisper = import_whisper()
        # One prompt: openai-whisper has no hotwords. The glossary first, then the style prompt
        # next to the audio, as faster-whisper orders them. The loop guards are faster-whisper's
        # options; openai-whisper has no such options and ignores them.
        parts = [glossary_prompt(options.glossary), options.style_prompt]
        prompt = " ".join(part for part in parts if part) or None
        return whisper.transcribe(
            self._whisper,
            audio,
            verbose=None,
            language=language,
            # beam 1 is greedy; openai-whisper's beam search with one beam gives the same but slower.
            beam_size=options.beam_size if options.beam_size > 1 else None,
            best_of=5,  # faster-whisper's default for the temperature fallback
            fp16=False,
            condition_on_previous_text=False,  # as the default engine: segments are independent
            initial_prompt=prompt,
            carry_initial_prompt=prompt is not None,  # before every window, like faster-whisper's hotwords
            word_timestamps=word_timestamps,
            no_speech_threshold=options.no_speech_threshold,
        )

    def _language(self, audio: np.ndarray, options: TranscribeOptions) -> _Info:
        """The forced language, or the one detected on the first 30 s (as openai-whisper does)."""
        if options.language:
            return _Info(options.language, 1.0)
        if not self.multilingual:
            return _Info("en", 1.0)
        whisper = import_whisper()
        mel = whisper.log_mel_spectrogram(
            whisper.pad_or_trim(audio), self._whisper.dims.n_mels, device=self._whisper.device
        )
        _, probabilities = self._whisper.detect_language(mel)
        language = max(probabilities, key=probabilities.get)
        return _Info(language, float(probabilities[language]))


def _keep_speech(samples: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """The speech parts only (faster-whisper's Silero VAD with its default settings)."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    speech_chunks = get_speech_timestamps(samples, VadOptions())
    if not speech_chunks:
        return np.zeros(0, dtype=np.float32), []
    audio_chunks, _ = collect_chunks(samples, speech_chunks)
    return np.concatenate(audio_chunks, axis=0), speech_chunks


def _segment(data: dict):
    """openai-whisper's segment dict as faster-whisper's Segment (what the Draft builder reads)."""
    from faster_whisper.transcribe import Segment, Word

    words = data.get("words")
    return Segment(
        id=data["id"],
        seek=data["seek"],
        start=float(data["start"]),
        end=float(data["end"]),
        text=data["text"],
        tokens=list(data["tokens"]),
        avg_logprob=float(data["avg_logprob"]),
        compression_ratio=float(data["compression_ratio"]),
        no_speech_prob=float(data["no_speech_prob"]),
        words=None
        if words is None
        else [
            Word(start=float(w["start"]), end=float(w["end"]), word=w["word"], probability=float(w["probability"]))
            for w in words
        ],
        temperature=float(data["temperature"]),
    )


def cuda_available() -> bool:
    """Whether torch finds a CUDA device (False where torch is not installed)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def check_compute_type(options: TranscribeOptions) -> None:
    """The openai-whisper rule of ``TranscribeOptions``: float32 only, said as such."""
    if options.compute_type not in OPENAI_WHISPER_COMPUTE_TYPES:
        raise ValidationError(
            message_key="error.compute_type_openai_whisper",
            params={"compute_type": options.compute_type, "allowed": ", ".join(OPENAI_WHISPER_COMPUTE_TYPES)},
        )


register_engine(
    "openai-whisper",
    lambda options: OpenAIWhisperEngine(options.model, options.compute_type, options.cpu_threads, options.device),
    compute_types=OPENAI_WHISPER_COMPUTE_TYPES,
    default_compute_type=OPENAI_WHISPER_COMPUTE_TYPES[0],
    cuda_available=cuda_available,
    check_options=check_compute_type,
)
