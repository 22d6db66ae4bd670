"""A per-project model of "this draft needs no change": scikit-learn's logistic regression on the
signals of ``features``, calibrated on out-of-fold scores, kept as plain JSON numbers.

Why this shape:

- scikit-learn fits and checks it (``LogisticRegression``, ``IsotonicRegression``,
  ``cross_val_predict``); nothing here is hand-written fitting.
- Calibration is fitted on out-of-fold scores (each segment scored by a model that did not see
  it), as ``CalibratedClassifierCV`` does, but with one calibrator over all folds so the result
  is a handful of numbers. Platt scaling (``sigmoid``) below ``ISOTONIC_FROM`` segments and
  isotonic from there: scikit-learn's guide warns that isotonic overfits on small sets.
- The stored model is JSON (scaler, coefficients, calibrator), never a pickle: the database is
  writable by anyone with its URL, and loading a pickle from it would run their code.
  ``CorrectnessModel.predict`` recomputes scikit-learn's answer with numpy; a test checks both
  agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from speechlabel.core.errors import ValidationError
from speechlabel.routing.features import FEATURES

# Fewer finalised segments than this (or fewer than MIN_CLASS of either kind) give no model: the
# calibration would be a guess.
MIN_SEGMENTS = 40
MIN_CLASS = 5
ISOTONIC_FROM = 1000


@dataclass(frozen=True)
class PredictorOptions:
    """How a correctness model is fitted. ``calibration``: "auto" (sigmoid below
    ``ISOTONIC_FROM`` segments, isotonic from there), "sigmoid" or "isotonic"; ``folds``: the
    out-of-fold split of the calibration (stratified, seeded); ``c``: inverse regularisation of
    the logistic regression (scikit-learn's default 1.0)."""

    calibration: str = "auto"
    folds: int = 5
    c: float = 1.0
    seed: int = 0

    def method(self, segments: int) -> str:
        if self.calibration not in ("auto", "sigmoid", "isotonic"):
            raise ValidationError(message_key="error.routing_calibration", params={"method": self.calibration})
        if self.calibration != "auto":
            return self.calibration
        return "isotonic" if segments >= ISOTONIC_FROM else "sigmoid"


@dataclass(frozen=True)
class CorrectnessModel:
    """A fitted model as numbers. ``calibrator``: sigmoid ``[a, b]`` (p = 1/(1+exp(-(a*z+b))) of
    the raw decision z) or isotonic ``{"x": [...], "y": [...]}`` over the raw probability."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    method: str
    calibrator: Any
    segments: int
    positives: int

    def decision(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=float) - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.coef) + self.intercept

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probability that each row's draft needs no change."""
        if len(x) == 0:
            return np.zeros(0)
        decision = self.decision(x)
        if self.method == "sigmoid":
            a, b = self.calibrator
            return 1.0 / (1.0 + np.exp(-(a * decision + b)))
        raw = 1.0 / (1.0 + np.exp(-decision))
        return np.interp(raw, self.calibrator["x"], self.calibrator["y"])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> CorrectnessModel:
        # The stored JSON also holds provenance and checks beside the model's own numbers.
        own = {f.name: values[f.name] for f in fields(cls)}
        model = cls(**{**own, **{k: tuple(values[k]) for k in ("features", "mean", "scale", "coef")}})
        if model.features != FEATURES:  # fitted on other signals: scores would be read wrongly
            raise ValidationError(message_key="error.routing_model_features", params={})
        return model


def require_enough(y: np.ndarray) -> None:
    """Refuse to fit on fewer than ``MIN_SEGMENTS`` finalised segments or fewer than ``MIN_CLASS``
    drafts of either outcome (the calibration would be a guess)."""
    positives = int(np.sum(y))
    if len(y) < MIN_SEGMENTS or min(positives, len(y) - positives) < MIN_CLASS:
        raise ValidationError(
            message_key="error.routing_too_few",
            params={"segments": len(y), "positives": positives, "least": MIN_SEGMENTS, "each": MIN_CLASS},
        )


def fit(x: np.ndarray, y: np.ndarray, options: PredictorOptions | None = None) -> CorrectnessModel:
    """Fit on rows ``x`` (``FEATURES`` order) and labels ``y`` (1: no change needed); at least
    two of each outcome (``require_enough`` is the project's rule)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    options = options or PredictorOptions()
    y = np.asarray(y, dtype=int)
    positives = int(y.sum())
    method = options.method(len(y))
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=options.c, max_iter=1000))
    least = min(positives, len(y) - positives)
    if least < 2:  # the calibration's out-of-fold split needs two of each outcome
        raise ValidationError(
            message_key="error.routing_too_few",
            params={"segments": len(y), "positives": positives, "least": MIN_SEGMENTS, "each": MIN_CLASS},
        )
    folds = StratifiedKFold(n_splits=min(options.folds, least), shuffle=True, random_state=options.seed)
    out_of_fold = cross_val_predict(pipeline, x, y, cv=folds, method="decision_function")
    pipeline.fit(x, y)
    scaler, regression = pipeline[0], pipeline[-1]
    return CorrectnessModel(
        features=FEATURES,
        mean=tuple(float(v) for v in scaler.mean_),
        scale=tuple(float(v) for v in scaler.scale_),
        coef=tuple(float(v) for v in regression.coef_[0]),
        intercept=float(regression.intercept_[0]),
        method=method,
        calibrator=_calibrator(method, out_of_fold, y),
        segments=len(y),
        positives=positives,
    )


def _calibrator(method: str, decision: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    if method == "sigmoid":
        # Platt scaling: a one-feature logistic regression of the labels on the raw decision.
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(decision.reshape(-1, 1), y)
        return [float(platt.coef_[0][0]), float(platt.intercept_[0])]
    isotonic = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(1 / (1 + np.exp(-decision)), y)
    return {"x": [float(v) for v in isotonic.X_thresholds_], "y": [float(v) for v in isotonic.y_thresholds_]}
