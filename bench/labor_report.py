"""Speed of the Dashboard's labor figures (``analytics.labor.labor_report``) on a large project.

    python -m bench.labor_report [--units 100000] [--labelers 50]

Makes telemetry rows in memory (no database: the read is one indexed query, timed by
bench.dashboard's kind of run), 2 % of the segments from scratch as the default share gives,
labor per segment drawn around 40 s per audio minute with the draft and 110 s from scratch, a
tenth of the segments saved twice, a twentieth reviewed and double-labeled. Prints the best and
median of 3 builds and how the with-draft interval was drawn; ``--bootstrap-only`` raises the
limit so that every group is bootstrapped, to compare the two intervals.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from speechlabel.analytics.labor import LaborOptions, labor_report
from speechlabel.store.dashboard import PairRow
from speechlabel.store.labor import LaborRow, LaborRows, SegmentReviewRow


def rows(units: int, labelers: int, seed: int = 1) -> LaborRows:
    rng = np.random.default_rng(seed)
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    labor, reviews, pairs = [], [], []
    for index in range(units):
        segment, labeler = f"seg-{index:07d}", f"labeler-{index % labelers:02d}"
        shown = rng.random() >= 0.02
        audio = float(rng.uniform(1.0, 8.0))
        rate = (40.0 if shown else 110.0) * float(rng.lognormal(0, 0.4))
        at = start + timedelta(seconds=index * 20)
        saves = 2 if rng.random() < 0.1 else 1
        for _ in range(saves):
            labor.append(
                LaborRow(segment, labeler, at, False, shown, audio, rate * audio / 60 / saves, 12, 9, 2, False)
            )
        if index % 20 == 0:
            reviews.append(SegmentReviewRow(segment, labeler, "rejected" if rng.random() < 0.1 else "approved"))
            pairs.append(
                PairRow(
                    segment, labeler, "turn the line off", at, 0.0, audio, "x", "turn the lines off", at, 0.0, audio
                )
            )
    return LaborRows(tuple(labor), tuple(reviews), tuple(pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--labelers", type=int, default=50)
    parser.add_argument("--bootstrap-only", action="store_true")
    args = parser.parse_args()
    made = rows(args.units, args.labelers)
    options = LaborOptions(max_draws=10**12) if args.bootstrap_only else LaborOptions()
    times = []
    for _ in range(3):
        began = time.perf_counter()
        report = labor_report(made, "en", options=options)
        times.append(time.perf_counter() - began)
    large = report.with_draft.rate.units * options.resamples > options.max_draws
    print(f"{args.units:,} segments ({len(made.labor):,} telemetry rows), {args.labelers} labelers")
    print(f"labor report: best {min(times):.2f} s, median {statistics.median(times):.2f} s")
    print(f"with-draft interval: {'normal approximation' if large else 'bootstrap'} ({options.resamples} draws)")
    for group in (report.with_draft, report.from_scratch):
        rate = group.rate
        print(
            f"  {'with draft  ' if group.draft_shown else 'from scratch'}: {rate.units:>7,} segments, "
            f"{rate.seconds_per_audio_minute:.1f} s per audio minute ({rate.low:.1f}-{rate.high:.1f})"
        )
    print(f"  speed-up {report.speedup:.2f}x ({report.speedup_low:.2f}-{report.speedup_high:.2f})")


if __name__ == "__main__":
    main()
