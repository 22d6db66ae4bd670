"""Decoding per language on the shared English files: the style prompt and the loop guards.

    python -m bench.decoding [--utterances 60]

One run, each row the real pre-labeling (``prelabel_project`` on a fresh SQLite workspace, via
bench/prelabel_throughput.py's ``child_pipeline``) of two sets: the short-utterance corpus
(``build_corpus``: 1-4 s cuts of the shared English files at word boundaries, and five noise
pieces) and the long shared files. Rows: no prompt (what English projects get) against an
English spoken-style prompt, and with that prompt each loop guard of ``TranscribeOptions`` off
and on (a prompt at the first temperature is what sends short clips into loops), then the kept
guard without the prompt.

Columns: WER (pooled, ``normalize_text``), RTF (audio seconds per wall second, the whole
pre-labeling), "loops": decodes whose compression ratio passed 2.4 (faster-whisper then decodes
again at a higher temperature), "fallbacks": all such re-decodes (loops and failed decodes), as
faster-whisper logs them. The machine is shared: RTF moves with its load (printed).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.prelabel_throughput import (  # noqa: E402  (this tree first on sys.path)
    DEFAULT_SPEECH,
    Item,
    build_corpus,
    child_pipeline,
    long_items,
    score,
)

# A candidate English default: spoken, punctuated, numbers in words, a filler or two.
ENGLISH_PROMPT = "Okay, so, um, we met at, uh, nine thirty. Yeah, I think that's right, and then we went home."
GUARDS = {
    "repetition_penalty 1.2": {"repetition_penalty": 1.2},
    "no_repeat_ngram_size 4": {"no_repeat_ngram_size": 4},
    "tokens_per_second 10": {"tokens_per_second": 10.0},
}


class FallbackCounter(logging.Handler):
    """Counts faster-whisper's "threshold is not met" notes: one per re-decode."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.loops = self.fallbacks = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if "threshold is not met" in message:
            self.fallbacks += 1
            self.loops += message.startswith("Compression ratio")


@dataclass
class Result:
    wer: float
    rtf: float
    loops: int
    fallbacks: int
    load: str


def run(items: list[Item], engine: dict) -> Result:
    logger = logging.getLogger("faster_whisper")
    counter = FallbackCounter()
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    before = os.getloadavg()[0]
    try:
        row = child_pipeline("decoding", items, None, engine)
    finally:
        logger.removeHandler(counter)
    load = f"{before:.1f}-{os.getloadavg()[0]:.1f}"
    return Result(score(row, items).wer, row.rtf, counter.loops, counter.fallbacks, load)


def rows() -> list[tuple[str, dict]]:
    """Old (no prompt, no guard) beside new (the defaults: no English prompt, the token limit),
    then the prompt and each guard on its own."""
    off = {"tokens_per_second": 0.0}
    prompt = dict(off, style_prompt=ENGLISH_PROMPT)
    found = [("no prompt, guards off (old)", off), ("defaults: no prompt, tokens_per_second 10", {})]
    found += [("English prompt, guards off", prompt)]
    found += [(f"English prompt + {name}", dict(prompt, **guard)) for name, guard in GUARDS.items()]
    found += [(f"no prompt + {name}", dict(off, **guard)) for name, guard in GUARDS.items() if "tokens" not in name]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=60)
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sets = {
            "short": build_corpus(args.speech_dir, Path(tmp) / "short", args.utterances),
            "long": long_items(args.speech_dir),
        }
        print(f"{'row':<40} {'set':<6} {'WER':>6} {'RTF':>6} {'loops':>6} {'fallbacks':>9} {'load':>9}")
        for name, engine in rows():
            for set_name, items in sets.items():
                r = run(items, dict(engine, beam_size=5))
                print(
                    f"{name:<40} {set_name:<6} {r.wer:>6.3f} {r.rtf:>6.2f} {r.loops:>6} {r.fallbacks:>9} {r.load:>9}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
