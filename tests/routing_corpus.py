"""Real drafted utterances with known outcomes, for the routing tests and bench/routing.py.

The shared English recordings with references (bench/prelabel_throughput.py's ``source_files``)
are cut into 1-4 s utterances at word boundaries where the reference is exact (its
``boundaries``), drafted by the bundled ``base`` model as a project drafts (language en, word
times) and again by the cheap second decode (``routing.second_draft``). The reference stands in
for the final text: a draft needs no change when it equals the reference after normalisation.

Fit and held-out parts do not share audio: each file is divided into blocks of ``BLOCK``
seconds, alternately for fitting and held out (from one file to the next the first block
alternates too, since many files are one block long), and no cut crosses a block's edge (cuts
of one file overlap each other, so a random split of the cuts would put the same words on both
sides). Alternating blocks keep both parts alike (the same speakers and kinds of speech); a
first-60 % / last-40 % split held out other speakers and sentences, and the model's held-out
Brier score was then no better than the base rate's.

The cuts' edges lie between two words said one after the other, often without a pause, so a
word at the edge is sometimes drafted into the wrong cut: an error a VAD segment (which ends at
a pause) has less often. The corpus's drafts are so somewhat worse than a project's.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.prelabel_throughput import LONGEST, RATE, SHORTEST, Boundary, boundaries, source_files
from speechlabel.core.models import Draft

BLOCK = 16.0


@dataclass(frozen=True)
class Utterance:
    source: str
    start: float
    end: float
    reference: str
    samples: np.ndarray
    held_out: bool

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class DraftedUtterance:
    utterance: Utterance
    draft: Draft
    second_text: str
    snr_db: float | None
    clipped_ratio: float


@dataclass(frozen=True)
class DraftCost:
    audio_seconds: float
    draft_seconds: float
    second_seconds: float


def drafted_corpus(speech_dir: Path, partitions: int, seed: int = 21) -> tuple[list[DraftedUtterance], DraftCost]:
    """Every file cut ``partitions`` times into consecutive 1-4 s utterances (each time at other
    random boundaries), each cut drafted as the pipeline drafts a recording's segments: one
    ``transcribe_window`` over the file, split back by word times; and decoded again cheaply."""
    from speechlabel.audio.samples import load_mono_16k
    from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine
    from speechlabel.routing.second_draft import second_options

    first = TranscribeOptions(language="en")
    second = second_options(first)
    engines = get_engine(first), get_engine(second)
    rng = random.Random(seed)
    drafted: list[DraftedUtterance] = []
    spent, audio = [0.0, 0.0], 0.0
    for name, reference in sorted(source_files(speech_dir).items()):
        samples = load_mono_16k(speech_dir / name)
        words = engines[0].transcribe(samples, first).words
        marks = boundaries(words, reference, samples.shape[0] / RATE)
        for _ in range(partitions):
            cuts = _partition(marks, rng)
            if not cuts:
                continue
            spans = [(a.time, b.time) for a, b in cuts]
            drafts = []
            for engine, options, index in ((engines[0], first, 0), (engines[1], second, 1)):
                started = time.perf_counter()
                drafts.append(engine.transcribe_window(samples, spans, options))
                spent[index] += time.perf_counter() - started
            audio += samples.shape[0] / RATE
            drafted.extend(_utterance(name, reference, samples, cut, *pair) for cut, *pair in zip(cuts, *drafts))
    unique = {(d.utterance.source, d.utterance.start, d.utterance.end): d for d in drafted}  # partitions repeat cuts
    # Blocks alternate, starting with the fit part in the first file with cuts, held out in the
    # next, and so on (many files are a single block long).
    files = sorted({d.utterance.source for d in drafted})
    return [
        replace(
            d,
            utterance=replace(
                d.utterance, held_out=(block_of(d.utterance.start) + files.index(d.utterance.source)) % 2 == 1
            ),
        )
        for d in unique.values()
    ], DraftCost(audio, spent[0], spent[1])


def block_of(seconds: float) -> int:
    return int(seconds // BLOCK)


def _partition(marks: list[Boundary], rng: random.Random) -> list[tuple[Boundary, Boundary]]:
    """Consecutive cuts of 1-4 s at random marks, none across a block's edge."""
    cuts, at = [], 0
    while at < len(marks) - 1:
        a = marks[at]
        options = [
            j
            for j in range(at + 1, len(marks))
            if SHORTEST <= marks[j].time - a.time <= LONGEST
            and marks[j].reference_index > a.reference_index
            and block_of(a.time) == block_of(marks[j].time - 1e-6)
        ]
        if not options:
            at += 1
            continue
        at = rng.choice(options)
        cuts.append((a, marks[at]))
    return cuts


def _utterance(name: str, reference: str, samples: np.ndarray, cut, draft: Draft, other: Draft) -> DraftedUtterance:
    from speechlabel.analytics.metrics import normalize_text
    from speechlabel.audio.probe import estimate_snr_db

    a, b = cut
    text = " ".join(normalize_text(reference).split()[a.reference_index : b.reference_index])
    piece = samples[int(a.time * RATE) : int(b.time * RATE)]
    utterance = Utterance(name, a.time, b.time, text, piece, held_out=False)  # decided once all files are cut
    clipped = float(np.mean(np.abs(piece) >= 0.999))
    return DraftedUtterance(utterance, draft, other.text, estimate_snr_db(piece), clipped)
