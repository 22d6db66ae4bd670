"""Check a CTranslate2 Whisper model on this machine: load it with faster-whisper, draft a folder
of recordings with reference texts (``NAME.wav`` + ``NAME.txt``), and measure pooled WER and speed.

A model that does not load, or whose WER is above ``MAX_CHECK_WER``, fails: a Whisper that works
gets far below it on clean read speech (the bundled tiny.en: 0.0 to 0.1 on the shared English
files), while a broken one (random or truncated weights, a wrong tokenizer) writes unrelated
text or nothing, near 1.0.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from speechlabel.analytics.metrics import normalize_text, word_error_rate
from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.base import SAMPLE_RATE, all_cores
from speechlabel.workspace.registered_models import Verification

log = logging.getLogger(__name__)

MAX_CHECK_WER = 0.5
AUDIO_SUFFIXES = (".wav", ".flac")
CHECK_DIR_ENV = "SPEECHLABEL_MODEL_CHECK_DIR"


@dataclass(frozen=True)
class CheckPair:
    audio: Path
    reference: str


@dataclass(frozen=True)
class Loaded:
    """A loaded model and what it says about itself."""

    whisper: object  # faster_whisper.WhisperModel
    multilingual: bool


def check_pairs(folder: Path, limit: int = 0) -> list[CheckPair]:
    """The recordings of ``folder`` that have a reference text, shortest files first (``limit``:
    only that many; 0 = all)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(message_key="error.model_check_dir", params={"path": str(folder)})
    pairs = [
        CheckPair(audio, audio.with_suffix(".txt").read_text(encoding="utf-8").strip())
        for audio in folder.iterdir()
        if audio.suffix.lower() in AUDIO_SUFFIXES and audio.with_suffix(".txt").is_file()
    ]
    pairs = [pair for pair in sorted(pairs, key=lambda p: (p.audio.stat().st_size, p.audio.name)) if pair.reference]
    if not pairs:
        raise ValidationError(message_key="error.model_check_dir", params={"path": str(folder)})
    return pairs[:limit] if limit else pairs


def load(path: Path, device: str = "cpu", compute_type: str = "int8") -> Loaded:
    from faster_whisper import WhisperModel

    try:
        whisper = WhisperModel(str(path), device=device, compute_type=compute_type, cpu_threads=all_cores())
    except (RuntimeError, OSError, ValueError) as error:
        raise ValidationError(
            message_key="error.model_check_load", params={"path": str(path), "error": error}
        ) from error
    return Loaded(whisper, bool(whisper.model.is_multilingual))


def verify(
    loaded: Loaded,
    pairs: list[CheckPair],
    *,
    check_dir: Path,
    language: str = "en",
    device: str = "cpu",
    compute_type: str = "int8",
) -> Verification:
    """Draft every pair and pool the WER; the speed is measured after one untimed warm-up draft."""
    from faster_whisper import decode_audio

    edits = words = 0.0
    audio_seconds = wall = 0.0
    forced = language if loaded.multilingual else None  # an English-only model takes no language
    first = decode_audio(str(pairs[0].audio), sampling_rate=SAMPLE_RATE)
    _draft(loaded, first, forced)  # warm-up, not timed
    if loaded.multilingual:
        _draft(loaded, first, None)  # projects with language "auto" need its language detection
    for pair in pairs:
        samples = decode_audio(str(pair.audio), sampling_rate=SAMPLE_RATE)
        started = time.perf_counter()
        text = _draft(loaded, samples, forced)
        wall += time.perf_counter() - started
        audio_seconds += samples.shape[0] / SAMPLE_RATE
        reference_words = len(normalize_text(pair.reference).split())
        edits += word_error_rate(pair.reference, text) * reference_words
        words += reference_words
        log.info("%s: %r", pair.audio.name, text)
    wer = edits / words if words else 0.0
    return Verification(
        check_dir=str(check_dir),
        files=len(pairs),
        audio_seconds=round(audio_seconds, 2),
        wer=round(wer, 4),
        rtf=round(audio_seconds / wall, 2) if wall else 0.0,
        device=device,
        compute_type=compute_type,
        checked_at=datetime.now(UTC).isoformat(timespec="seconds"),
        passed=wer <= MAX_CHECK_WER,
    )


def _draft(loaded: Loaded, samples, language: str | None) -> str:
    """Greedy at temperature 0 only, no VAD: the files are short, clean read speech, where a
    working Whisper needs no sampling fallback (and a broken one would loop through all six
    temperatures to the token limit). A model that cannot decode fails."""
    try:
        segments, _ = loaded.whisper.transcribe(  # type: ignore[attr-defined]
            samples, language=language, beam_size=1, temperature=0.0, condition_on_previous_text=False
        )
        return " ".join(segment.text.strip() for segment in segments)
    except (RuntimeError, ValueError, IndexError) as error:
        raise ValidationError(message_key="error.model_check_decode", params={"error": error}) from error
