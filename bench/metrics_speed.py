"""Speed of the dashboard's quality scoring.

    python -m bench.metrics_speed [--pairs 100000] [--repeat 3]

Builds realistic (draft, final) pairs — half English, half Korean sentences of about 20-60
characters; finals are the drafts with a few character or word edits, and a third of the
Korean finals carry KsponSpeech/AI Hub tags — then prints the best wall time of
``score_segments`` + ``summarize_scores`` over all pairs, and for comparison jiwer called once
per pair on a sample (extrapolated).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jiwer  # noqa: E402

from speechlabel.analytics.metrics import comparable_text, score_segments, summarize_scores  # noqa: E402

ENGLISH = (
    "Turn on the lights in the living room.",
    "Set the thermostat to twenty one degrees, please.",
    "The conveyor on line three stopped again after lunch.",
    "Can you remind me to call the supplier at four?",
    "Machine number seven is making a grinding noise.",
    "Ask not what your country can do for you.",
    "Open the loading dock door and switch off the alarm.",
    "We should check the pressure gauge before the next shift.",
)
KOREAN = (
    "아 모 몬 소리야 칠십 퍼센트 확률이라니",
    "거실 불 좀 켜 줘",
    "삼번 라인 컨베이어가 점심 이후에 또 멈췄어요",
    "내일 아침 일곱 시에 알람 맞춰 줄래",
    "칠번 기계에서 이상한 소리가 계속 나요",
    "온도를 이십일 도로 맞춰 주세요",
    "다음 교대 전에 압력계를 꼭 확인해야 합니다",
    "그러니까 제 말은 그게 아니라 내일 다시 하자는 거죠",
)
TAGS = ("b/ ", "n/ ", "o/ ", "(NO:) ", "(FP:음) ", "[noise] ")
HANGUL = "가나다라마바사아자차카타파하의를은는"


def edit(text: str, rng: random.Random) -> str:
    """One to three small edits: a character replaced, dropped or added, or a word dropped."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(chars))
        kind = rng.random()
        pool = HANGUL if "\uac00" <= text[0] <= "\ud7a3" else "abcdefghijklmnopqrstuvwxyz"
        if kind < 0.4:
            chars[pos] = rng.choice(pool)
        elif kind < 0.7 and len(chars) > 5:
            del chars[pos]
        else:
            chars.insert(pos, rng.choice(pool))
    return "".join(chars)


def make_pairs(count: int, seed: int = 7) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """English and Korean (draft, final) pairs, count // 2 each."""
    rng = random.Random(seed)
    english, korean = [], []
    for _ in range(count // 2):
        sentence = rng.choice(ENGLISH)
        english.append((sentence, edit(sentence, rng) if rng.random() < 0.7 else sentence))
        sentence = rng.choice(KOREAN)
        final = edit(sentence, rng) if rng.random() < 0.7 else sentence
        if rng.random() < 0.33:
            final = rng.choice(TAGS) + final + " n/"
        korean.append((sentence, final))
    return english, korean


def score_all(english: list[tuple[str, str]], korean: list[tuple[str, str]]):
    """Pooled summaries per language (a Korean "WER" counts eojeol, spacing included)."""
    en, ko = score_segments(english, "en"), score_segments(korean, "ko")
    return summarize_scores(en), summarize_scores(ko)


def jiwer_sample(english, korean, sample: int) -> float:
    """Seconds jiwer takes for ``sample`` pairs (same preparation, jiwer for the distances)."""
    start = time.perf_counter()
    for pairs, language in ((english[: sample // 2], "en"), (korean[: sample // 2], "ko")):
        for draft, final in pairs:
            ref, hyp = comparable_text(final, language), comparable_text(draft, language)
            if ref:
                jiwer.cer(ref, hyp)
                jiwer.wer(ref, hyp)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    english, korean = make_pairs(args.pairs)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        en, ko = score_all(english, korean)
        times.append(time.perf_counter() - start)
    print(f"pairs: {en.segments + ko.segments:,} (English {len(english):,}, Korean {len(korean):,})")
    print(f"score_segments + summarize_scores: best {min(times):.3f} s, runs " + ", ".join(f"{t:.3f}" for t in times))
    print(f"English: pooled CER {en.cer:.4f}, WER {en.wer:.4f}, saving {en.saving:.4f}")
    print(f"Korean:  pooled CER {ko.cer:.4f} (spaces removed), saving {ko.saving:.4f}")
    sample = min(10_000, args.pairs)
    seconds = jiwer_sample(english, korean, sample)
    print(
        f"jiwer per call (for comparison): {seconds:.3f} s for {sample:,} pairs "
        f"= {seconds * args.pairs / sample:.2f} s extrapolated to {args.pairs:,}"
    )


if __name__ == "__main__":
    main()
