"""Confidence routing on the shared real English files: calibration, the precision/recall table,
the share auto-accepted at 95/98/99 % precision, and labor per audio minute with routing.

    python -m bench.routing [--partitions 4] [--loop-seconds 1.25] [--listen-factor 1.0]

The corpus is tests/routing_corpus.py's: every English file with a reference (and the 30 s
call) cut ``--partitions`` times into consecutive 1-4 s utterances at word boundaries where the
reference is exact, drafted as the pipeline drafts a recording (``base``, one window decode
split by word times) and decoded again by ``tiny.en`` (the cheap second draft); a draft needs no
change when it equals its reference after normalisation. Fit part and held-out part: alternate
16 s blocks of each file (no cut crosses a block's edge, so they share no audio).

The threshold for a target is chosen as routing chooses it, on the fit part's out-of-fold
scores (``routes.threshold_for``'s rule); the held-out precision and share accepted are then
measured. Labor per audio minute: each segment people handle costs its audio once listened
(``--listen-factor`` x its duration) plus ``--loop-seconds``, the label loop's seconds per
segment in headless Chromium (DESIGN.md section 6: 1.1-1.4 s, bench/label_loop_browser.py's
method); auto-accepted segments cost nothing, audited ones cost a full pass.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechlabel.routing import evaluation, predictor
from speechlabel.routing.features import SegmentSignals, feature_matrix, needs_no_change
from speechlabel.routing.fitting import out_of_fold_scores
from tests.routing_corpus import drafted_corpus

ROOT = Path(__file__).resolve().parents[1]
SPEECH = Path(os.environ.get("SPEECHLABEL_SPEECH_DIR", ROOT.parent / "shared" / "speech"))
TARGETS = (0.90, 0.95, 0.98, 0.99)
AUDIT_SHARE = 0.1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--loop-seconds", type=float, default=1.25)
    parser.add_argument("--listen-factor", type=float, default=1.0)
    args = parser.parse_args()
    started = time.perf_counter()
    drafted, cost = drafted_corpus(SPEECH, args.partitions)
    print(
        f"corpus: {len(drafted)} utterances of 1-4 s ({sum(d.utterance.duration for d in drafted):.0f} s), "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    print(
        f"drafting cost on {cost.audio_seconds:.0f} s of decoded audio: base {cost.draft_seconds:.1f} s, "
        f"second draft (tiny.en) {cost.second_seconds:.1f} s = {cost.second_seconds / cost.draft_seconds:.0%} of the draft's"
    )
    signals = [
        SegmentSignals(f"u{i}", d.utterance.duration, d.draft, d.snr_db, d.clipped_ratio, d.second_text)
        for i, d in enumerate(drafted)
    ]
    x = feature_matrix(signals, 0.5)
    y = np.array([needs_no_change(d.draft.text, d.utterance.reference) for d in drafted], dtype=int)
    held = np.array([d.utterance.held_out for d in drafted])
    durations = np.array([d.utterance.duration for d in drafted])
    print(
        f"fit part {int((~held).sum())} ({y[~held].mean():.0%} need no change), "
        f"held out {int(held.sum())} ({y[held].mean():.0%} need no change)"
    )
    options = predictor.PredictorOptions()
    model = predictor.fit(x[~held], y[~held], options)
    fit_scores = out_of_fold_scores(x[~held], y[~held], options)
    scores = model.predict(x[held])
    print_calibration(evaluation.calibration_report(scores, y[held]), model.method)
    print_table(scores, y[held])
    print_targets(fit_scores, y[~held], scores, y[held], durations[held], args)


def print_calibration(report: evaluation.CalibrationReport, method: str) -> None:
    print(
        f"\ncalibration ({method}) on held-out drafts: Brier {report.brier:.3f} "
        f"(always the base rate: {report.brier_base_rate:.3f})"
    )
    print("reliability curve (quantile bins): predicted -> observed")
    for point in report.curve:
        print(f"  {point.predicted:.2f} -> {point.observed:.2f}")


def print_table(scores: np.ndarray, labels: np.ndarray) -> None:
    rows = evaluation.precision_recall_table(scores, labels)
    print("\nheld-out precision/recall (every 5th threshold and the last)")
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'accepted':>9}")
    for row in rows[::5] + rows[-1:]:
        print(f"{row.threshold:9.3f} {row.precision:9.1%} {row.recall:7.1%} {row.accepted_share:9.1%}")
    # Where the held-out part itself reaches each precision: what a threshold chosen with
    # hindsight would accept (the routing's own choice, from the fit part, follows).
    for target in TARGETS:
        best = evaluation.measured_cut(scores, labels, target)
        share = f"{best.accepted_share:.1%} accepted (threshold {best.threshold:.3f})" if best else "never reached"
        print(f"  held-out precision >= {target:.0%}: {share}")


def print_targets(fit_scores, fit_labels, scores, labels, durations, args) -> None:
    per_segment = args.listen_factor * durations + args.loop_seconds
    minutes = durations.sum() / 60
    everyone = per_segment.sum() / minutes
    print(
        f"\nlabor per audio minute without routing: {everyone:.1f} s "
        f"(loop {args.loop_seconds} s + {args.listen_factor} x audio per segment)"
    )
    print(
        f"{'target':>6} {'threshold':>9} {'fit prec':>8} {'held prec':>9} {'accepted':>8} {'skipped':>8} "
        f"{'labor s/min':>11} {'saved':>6}"
    )
    for target in TARGETS:
        cut = evaluation.measured_cut(fit_scores, fit_labels, target)
        if cut is None:
            print(
                f"{target:6.0%} {'none':>9}  the fit part reaches this precision nowhere: nothing auto-accepted, "
                f"labor {everyone:.1f} s/min"
            )
            continue
        accepted = scores >= cut.threshold
        precision = labels[accepted].mean() if accepted.any() else float("nan")
        skipped = accepted.mean() * (1 - AUDIT_SHARE)
        # Auto-accepted segments cost nothing; the audit share of them still costs a pass.
        labor = (per_segment.sum() - per_segment[accepted].sum() * (1 - AUDIT_SHARE)) / minutes
        print(
            f"{target:6.0%} {cut.threshold:9.3f} {cut.precision:8.1%} {precision:9.1%} {accepted.mean():8.1%} "
            f"{skipped:8.1%} {labor:11.1f} {1 - labor / everyone:6.1%}"
        )


if __name__ == "__main__":
    main()
