"""Fitting a project's correctness model on the segments people finalised, and the cheap second
draft it reads (lead actions)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from speechlabel.accounts.access import Actor, require_role
from speechlabel.audio.samples import read_span
from speechlabel.core.lifecycle import FINALISED, ROUTABLE
from speechlabel.core.models import Project
from speechlabel.prelabel.pipeline import normalized_audio
from speechlabel.prelabel.project_options import transcribe_options_for
from speechlabel.prelabel.transcribe import get_engine
from speechlabel.prelabel.windowing import group_into_windows
from speechlabel.routing import evaluation
from speechlabel.routing.features import feature_matrix, needs_no_change
from speechlabel.routing.predictor import CorrectnessModel, PredictorOptions, fit, require_enough
from speechlabel.routing.second_draft import second_options
from speechlabel.store import Store
from speechlabel.store.routing import StoredModel
from speechlabel.workspace.config import Settings

ACTION = "routing drafts past labeling"


@dataclass(frozen=True)
class FitReport:
    """A fitted model and its checks on out-of-fold scores (each segment scored by a model
    fitted without it): Brier score, reliability curve and the precision/recall table."""

    stored: StoredModel
    model: CorrectnessModel
    calibration: evaluation.CalibrationReport
    table: tuple[evaluation.PrecisionRow, ...]


def draft_second(store: Store, settings: Settings, project: Project, actor: Actor | None) -> int:
    """Decode every drafted segment that routing may read (to do, or finalised) once more with
    the cheap second options, in the pipeline's windows. Returns how many were decoded."""
    require_role(actor, project, action=ACTION)
    first = transcribe_options_for(project)
    options = second_options(first)
    engine = get_engine(options)
    pending = store.pending_second_drafts(project.id, (*ROUTABLE, *FINALISED))
    done = 0
    by_recording: dict[str, list] = {}
    for item in pending:
        by_recording.setdefault(item.recording_id, []).append(item)
    for recording_id, items in by_recording.items():
        path = normalized_audio(settings, store.get_recording(recording_id))
        for group in group_into_windows([(item.start, item.end) for item in items], options.window_seconds):
            window = [items[i] for i in group]
            start = window[0].start
            audio = read_span(path, start, window[-1].end)
            drafts = engine.transcribe_window(
                audio, [(i.start - start, i.end - start) for i in window], options, offset=start
            )
            store.put_second_drafts([(item.segment_id, draft) for item, draft in zip(window, drafts)])
            done += len(window)
    return done


def fit_project_model(
    store: Store, project: Project, actor: Actor | None, options: PredictorOptions | None = None
) -> FitReport:
    """Fit the project's model on its finalised segments (approved, or saved by a labeler and
    not rejected): a draft needs no change when the final text equals it after normalisation."""
    who = require_role(actor, project, action=ACTION)
    options = options or PredictorOptions()
    rows = store.routing_rows(project.id, FINALISED)
    low = project.label_settings.low_confidence
    x = feature_matrix([row.signals for row in rows], low)
    y = np.array([needs_no_change(row.signals.draft.text, row.text) for row in rows], dtype=int)
    require_enough(y)
    model = fit(x, y, options)
    scores = out_of_fold_scores(x, y, options)
    calibration = evaluation.calibration_report(scores, y)
    table = evaluation.precision_recall_table(scores, y)
    stored = store.add_correctness_model(
        project.id,
        who.username,
        {
            **model.to_json(),
            "low_confidence": low,
            "checks": {"brier": calibration.brier, "brier_base_rate": calibration.brier_base_rate},
            "validation": [[float(s), int(label)] for s, label in zip(scores, y)],
        },
    )
    return FitReport(stored, model, calibration, tuple(table))


def out_of_fold_scores(x: np.ndarray, y: np.ndarray, options: PredictorOptions) -> np.ndarray:
    """Each segment's calibrated score from a model fitted (and calibrated) without its fold:
    what the threshold for a target precision is chosen on, and the checks are made on."""
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(y))
    folds = StratifiedKFold(
        n_splits=min(options.folds, int(y.sum()), int(len(y) - y.sum())), shuffle=True, random_state=options.seed
    )
    for train, test in folds.split(x, y):
        scores[test] = fit(x[train], y[train], options).predict(x[test])
    return scores


def audit_bucket(segment_id: str) -> float:
    """The segment's place in [0, 1) for the audit pick (a hash: the same segment is picked the
    same way on every routing run)."""
    digest = hashlib.sha256(("routing-audit:" + segment_id).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32
