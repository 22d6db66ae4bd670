"""Real speech tiled into long recordings, and drafts for their segments: the corpus of the label
loop's browser test (tests/e2e/test_label_loop.py) and of the label page's benches
(bench/label_page.py builds its 20,000-segment project with it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speechlabel.audio.samples import TARGET_RATE, load_mono_16k
from speechlabel.core.models import Draft, Word

GAP_SECONDS = 0.25  # silence between tiled utterances


@dataclass(frozen=True)
class Utterance:
    samples: np.ndarray
    words: tuple[str, ...]


@dataclass(frozen=True)
class Tiled:
    samples: np.ndarray
    spans: list[tuple[float, float, tuple[str, ...]]]  # start, end, reference words


def load_utterances(speech_dir: Path) -> list[Utterance]:
    """The ``<speech_dir>/en/*.wav`` that have a ``.txt`` reference beside them, with its words."""
    found = []
    for path in sorted((speech_dir / "en").glob("*.wav")):
        reference = path.with_suffix(".txt")
        if reference.exists():
            found.append(Utterance(load_mono_16k(path), tuple(reference.read_text().split())))
    if not found:
        raise FileNotFoundError(f"no .wav with a .txt reference in {speech_dir / 'en'}")
    return found


def tile(utterances: list[Utterance], seconds: float, rotate: int) -> Tiled:
    """``seconds`` of audio: the utterances one after another (starting at ``rotate``, so every
    recording has different bytes) with a short silence between them."""
    total = int(seconds * TARGET_RATE)
    gap = np.zeros(int(GAP_SECONDS * TARGET_RATE), dtype=np.float32)
    samples = np.zeros(total, dtype=np.float32)
    spans = []
    at, index = 0, rotate
    while True:
        utterance = utterances[index % len(utterances)]
        end = at + len(utterance.samples)
        if end > total:
            break
        samples[at:end] = utterance.samples
        spans.append((at / TARGET_RATE, end / TARGET_RATE, utterance.words))
        at = end + len(gap)
        index += 1
    return Tiled(samples, spans)


def draft_for(words: tuple[str, ...], start: float, end: float, rng: np.random.Generator) -> Draft:
    """A draft whose words are spread over the segment, with scores of which some are unsure."""
    step = (end - start) / len(words)
    timed = tuple(
        Word(symbol, round(start + i * step, 3), round(step * 0.9, 3), round(float(rng.uniform(0.3, 1.0)), 3))
        for i, symbol in enumerate(words)
    )
    return Draft(
        text=" ".join(words),
        words=timed,
        avg_logprob=-0.3,
        no_speech_prob=0.01,
        compression_ratio=1.4,
        language="en",
        language_probability=0.99,
        engine="bench",
        model="tiled-references",
        options={},
    )
