"""Speed of the transcript linter, which the label page runs on every rerun while typing.

    python bench/lint_speed.py [--lines 3000] [--repeat 5]

Builds realistic KsponSpeech, AI Hub and English lines of about 200 characters (tags, dual
transcriptions, fillers, repetitions, and a share of mistakes), then prints the best time per
line of ``lint`` for each scheme, the slowest single line, and ``text_variant`` for comparison.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechlabel.conventions import (
    AIHUB,
    GENERIC_EN,
    KSPON,
    TextVariantOptions,
    lint,
    text_variant,
)

KSPON_WORDS = (
    "아/",
    "모+",
    "몬",
    "소리야",
    "(70%)/(칠십 퍼센트)",
    "확률이라니",
    "b/",
    "n/",
    "그게",
    "(1시)/(한 시)에",
    "닫는",
    "게",
    "쫌",
    "아쉽긴",
    "한데",
    "거기",
    "진짜",
    "괜찮은데",
    "돔*",
    "먹+",
    "먹,",
    "음식",
    "거리",
    "(3G)/(쓰리 쥐)*",
    "하나도",
    "안",
    "봤음.",
    "어.",
    "모+몬",
    "70%",
    "LTE",
    "그래서  뭐",
    "o/",
)
AIHUB_WORDS = (
    "(NO:)",
    "그래서",
    "(FP:음)",
    "제가",
    "(SP:그렇게)",
    "말했잖아요",
    "(SN:)",
    "(10시)/(열 시)에",
    "70%",
    "회의가",
    "있어서",
    "(FP:어)",
    "b/",
    "(SP:)",
    "내일",
    "다시",
    "연락",
    "드릴게요.",
)
ENGLISH_WORDS = (
    "[noise]",
    "so",
    "%um",
    "I",
    "was",
    "like",
    "[laughter]",
    "going",
    "to",
    "the",
    "store",
    "[unintelligible]",
    "and",
    "then",
    "(laughs)",
    "[nosie]",
    "machine",
    "number",
    "7",
    "stopped.",
)


def make_lines(words: tuple[str, ...], count: int, seed: int, length: int = 200) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        line = ""
        while len(line) < length:
            line += rng.choice(words) + " "
        lines.append(line[:length].rstrip())
    return lines


def best_per_line(function, lines: list[str], repeat: int) -> float:
    """Best of ``repeat`` passes, in microseconds per line."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for line in lines:
            function(line)
        best = min(best, time.perf_counter() - start)
    return best / len(lines) * 1e6


def slowest_line(function, lines: list[str]) -> tuple[float, str]:
    slowest = (0.0, "")
    for line in lines:
        start = time.perf_counter()
        function(line)
        slowest = max(slowest, ((time.perf_counter() - start) * 1e6, line))
    return slowest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    for scheme, words in ((KSPON, KSPON_WORDS), (AIHUB, AIHUB_WORDS), (GENERIC_EN, ENGLISH_WORDS)):
        lines = make_lines(words, args.lines, seed=7)
        problems = sum(len(lint(line, scheme)) for line in lines)
        per_line = best_per_line(lambda line, scheme=scheme: lint(line, scheme), lines, args.repeat)
        worst, worst_line = slowest_line(lambda line, scheme=scheme: lint(line, scheme), lines)
        variant = best_per_line(
            lambda line, scheme=scheme: text_variant(line, scheme, TextVariantOptions()), lines, args.repeat
        )
        print(
            f"{scheme.name:8} {len(lines):,} lines of {sum(map(len, lines)) / len(lines):.0f} chars, "
            f"{problems / len(lines):.1f} problems per line: lint {per_line:.0f} µs/line "
            f"(slowest {worst:.0f} µs), text_variant {variant:.0f} µs/line"
        )
        if worst > 5000:
            print(f"  slowest line: {worst_line!r}")


if __name__ == "__main__":
    main()
