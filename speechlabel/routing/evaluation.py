"""How good a correctness model is, and where to cut for a target precision.

- ``calibration_report``: the reliability curve (scikit-learn's ``calibration_curve``, predicted
  against observed share per bin) and the Brier score (``brier_score_loss``), on segments with
  known outcomes the model did not see.
- ``precision_recall_table``: held-out precision and recall of auto-accepting at thresholds
  (``precision_recall_curve``).
- ``threshold_for_target``: where routing cuts segments without known outcomes: the lowest
  score whose accepted set has a *predicted* precision (the mean calibrated score above it) of
  at least the target. This leans on the calibration, which is why the audit checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RELIABILITY_BINS = 10


@dataclass(frozen=True)
class ReliabilityBin:
    predicted: float  # mean predicted probability in the bin
    observed: float  # share of the bin's drafts that needed no change


@dataclass(frozen=True)
class CalibrationReport:
    segments: int
    brier: float
    # The Brier score of always predicting the base rate: a model must beat it to tell anything.
    brier_base_rate: float
    curve: tuple[ReliabilityBin, ...]


@dataclass(frozen=True)
class PrecisionRow:
    threshold: float
    precision: float
    recall: float
    accepted_share: float  # of all segments scored


@dataclass(frozen=True)
class Cut:
    """A threshold for a target and what it is predicted to do to the scored segments."""

    threshold: float | None  # None: no threshold reaches the target (accept nothing)
    accepted: int
    segments: int
    predicted_precision: float | None

    @property
    def accepted_share(self) -> float:
        return self.accepted / self.segments if self.segments else 0.0


def calibration_report(scores: np.ndarray, labels: np.ndarray, bins: int = RELIABILITY_BINS) -> CalibrationReport:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    labels = np.asarray(labels, dtype=int)
    observed, predicted = calibration_curve(labels, scores, n_bins=bins, strategy="quantile")
    base = np.full(len(labels), labels.mean())
    return CalibrationReport(
        segments=len(labels),
        brier=float(brier_score_loss(labels, scores)),
        brier_base_rate=float(brier_score_loss(labels, base)),
        curve=tuple(ReliabilityBin(float(p), float(o)) for p, o in zip(predicted, observed)),
    )


def precision_recall_table(scores: np.ndarray, labels: np.ndarray) -> list[PrecisionRow]:
    """One row per distinct score threshold, lowest threshold first."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(np.asarray(labels, dtype=int), scores)
    scores = np.asarray(scores)
    return [
        PrecisionRow(float(t), float(p), float(r), float((scores >= t).mean()))
        for p, r, t in zip(precision[:-1], recall[:-1], thresholds)
    ]


def measured_cut(scores: np.ndarray, labels: np.ndarray, target: float) -> PrecisionRow | None:
    """The held-out row with the most recall whose precision reaches ``target`` (None: none)."""
    rows = [row for row in precision_recall_table(scores, labels) if row.precision >= target]
    return max(rows, key=lambda row: (row.recall, -row.threshold)) if rows else None


def threshold_for_target(scores: np.ndarray, target: float) -> Cut:
    """The lowest threshold whose accepted segments' mean calibrated score reaches ``target``.

    Scores sorted from the top: the running mean of the best k is the predicted precision of
    accepting them; take the largest k where it still reaches the target, and cut at the k-th
    score (ties at the cut all go in, so the threshold is a score value)."""
    ordered = np.sort(np.asarray(scores, dtype=float))[::-1]
    if len(ordered) == 0:
        return Cut(None, 0, 0, None)
    running = np.cumsum(ordered) / np.arange(1, len(ordered) + 1)
    reaching = np.nonzero(running >= target)[0]
    if len(reaching) == 0:
        return Cut(None, 0, len(ordered), None)
    threshold = float(ordered[reaching[-1]])
    accepted = ordered[ordered >= threshold]
    return Cut(threshold, len(accepted), len(ordered), float(accepted.mean()))
