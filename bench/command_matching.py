"""Command projects on real speech: how often the draft of a short command proposes the right
command, with and without the vocabulary steering Whisper.

    python bench/command_matching.py [--models tiny.en base] [--commands 30] [--held-out 10]

The corpus: the shared English recordings with references (as bench/prelabel_throughput.py
finds them) are transcribed once by ``base`` with word times, the words aligned with the
reference (``prelabel_throughput.boundaries``), and every stretch of 1-3 reference words between
two such boundaries, 0.3-1.6 s long, is a candidate command (its words are the reference's).
Seeded, distinct phrases are drawn: ``--commands`` of them make the vocabulary (each its own
command), ``--held-out`` more are said but are not in it (they should come out *outside the
vocabulary*). Each cut gets 0.4 s of silence on both sides, as a recorded command has.

Each cut is drafted alone (``Engine.transcribe``, language en, beam 1) with the glossary empty
(not steered) or the vocabulary's forms (steered: what a command project sends as hotwords), and
matched by ``core.command_match.match_command``. Printed per model and steering: in-vocabulary
cuts proposed right / wrong command / outside; held-out cuts outside (right) / given a command
(wrong); wall seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.prelabel_throughput import DEFAULT_SPEECH, boundaries, source_files  # noqa: E402
from speechlabel.analytics.metrics import normalize_text  # noqa: E402
from speechlabel.audio.samples import TARGET_RATE, load_mono_16k  # noqa: E402
from speechlabel.core.command_match import match_command  # noqa: E402
from speechlabel.core.commands import Command, CommandSettings, ProjectKind  # noqa: E402
from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine  # noqa: E402

SHORTEST, LONGEST, MOST_WORDS = 0.3, 1.6, 3
PAD = np.zeros(int(0.4 * TARGET_RATE), dtype=np.float32)


def candidates(speech_dir: Path) -> dict[str, np.ndarray]:
    """Phrase -> one cut of it (the first found), over every file."""
    options = TranscribeOptions(model="base", language="en")
    engine = get_engine(options)
    found: dict[str, np.ndarray] = {}
    for name, reference in source_files(speech_dir).items():
        samples = load_mono_16k(speech_dir / name)
        words = engine.transcribe(samples, options).words
        ref = normalize_text(reference).split()
        marks = boundaries(words, reference, samples.shape[0] / TARGET_RATE)
        for i, a in enumerate(marks):
            for b in marks[i + 1 :]:
                count = b.reference_index - a.reference_index
                if 1 <= count <= MOST_WORDS and SHORTEST <= b.time - a.time <= LONGEST:
                    phrase = " ".join(ref[a.reference_index : b.reference_index])
                    piece = samples[int(a.time * TARGET_RATE) : int(b.time * TARGET_RATE)]
                    found.setdefault(phrase, np.concatenate([PAD, piece, PAD]))
    return found


def run(model: str, steered: bool, vocabulary: CommandSettings, cuts: dict[str, np.ndarray]) -> dict[str, int | float]:
    terms = vocabulary.terms() if steered else ()
    options = TranscribeOptions(model=model, language="en", glossary=terms)
    engine = get_engine(options)
    engine.transcribe(next(iter(cuts.values())), options)  # warm-up, not timed
    labels = {command.label for command in vocabulary.commands}
    counts = dict.fromkeys(("right", "wrong", "missed", "outside", "false"), 0)
    started = time.perf_counter()
    for phrase, samples in cuts.items():
        proposed = match_command(vocabulary, engine.transcribe(samples, options).text).label
        if phrase in labels:
            counts["right" if proposed == phrase else "missed" if proposed is None else "wrong"] += 1
        else:
            counts["outside" if proposed is None else "false"] += 1
    return {**counts, "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--commands", type=int, default=30)
    parser.add_argument("--held-out", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    found = candidates(args.speech_dir)
    # Phrases said the same way as another (after matching's normalisation) would be ambiguous.
    phrases = sorted({"".join(p.split()): p for p in found}.values())
    chosen = random.Random(args.seed).sample(phrases, min(len(phrases), args.commands + args.held_out))
    vocabulary = CommandSettings(ProjectKind.COMMANDS, tuple(Command(p) for p in chosen[: args.commands]))
    cuts = {phrase: found[phrase] for phrase in chosen}
    seconds = sum(c.shape[0] for c in cuts.values()) / TARGET_RATE
    print(
        f"{len(found)} candidate phrases; {len(vocabulary.commands)} commands, {len(cuts) - len(vocabulary.commands)} held out; {seconds:.0f} s of audio"
    )
    print(f"{'model':8} {'steered':8} {'right':>6} {'wrong':>6} {'missed':>7} | {'outside':>8} {'false':>6} | seconds")
    for model in args.models:
        for steered in (False, True):
            r = run(model, steered, vocabulary, cuts)
            print(
                f"{model:8} {'yes' if steered else 'no':8} {r['right']:>6} {r['wrong']:>6} {r['missed']:>7} | "
                f"{r['outside']:>8} {r['false']:>6} | {r['seconds']}"
            )


if __name__ == "__main__":
    main()
