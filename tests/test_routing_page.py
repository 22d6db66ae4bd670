"""The Dashboard's routing control through Streamlit's AppTest: two projects, each with its own
lead; a lead sees the model's provenance, the predicted share skipped for a target and applies
routing to their project only; a labeler reaches neither the page nor the domain functions.

The model here is fitted on the "calls" project's real drafts (tiny.en, jfk.wav and LDC93S1)
with labels from the drafts' own mean word probability: the page test is about the control and
the roles; tests/test_routing.py checks the model's quality on references."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import Forbidden
from speechlabel.core.lifecycle import ROUTABLE
from speechlabel.core.models import Role, SegmentStatus
from speechlabel.projects.manage import create_project
from speechlabel.routing import predictor, routes
from speechlabel.routing.features import FEATURES, feature_matrix
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, actor, button
from tests.app_session import PASSWORD
from views.navigation import page_specs


def fitted(store, project) -> None:
    rows = store.routing_rows(project.id, ROUTABLE)
    x = feature_matrix([row.signals for row in rows], 0.5)
    mean = x[:, FEATURES.index("word_prob_mean")]
    y = (mean >= np.median(mean)).astype(int)
    options = predictor.PredictorOptions(folds=2)
    model = predictor.fit(x, y, options)
    scores = model.predict(x)  # in-sample: this project has a handful of segments
    values = {**model.to_json(), "low_confidence": 0.5, "checks": {"brier": 0.1, "brier_base_rate": 0.25}}
    store.add_correctness_model(
        project.id, "ben", {**values, "validation": [[float(s), int(v)] for s, v in zip(scores, y)]}
    )


def open_dashboard(user: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, user, PASSWORD)[0]
    app.run()
    app.switch_page("views/dashboard.py").run()
    assert not app.exception, app.exception
    return app


def test_a_lead_routes_their_project_and_a_labeler_cannot(labeled_project):
    workspace, calls = labeled_project
    store = workspace.store
    other = create_project(store, "other", language="en", actor=SYSTEM)
    accounts.create_user(store, SYSTEM, "zoe", PASSWORD)
    accounts.set_role(store, SYSTEM, "zoe", "other", Role.LEAD)
    fitted(store, calls)
    to_do = store.count_segments_by_status(calls.id)[SegmentStatus.DRAFTED]

    app = open_dashboard("ben")
    assert any("Model " in c.value and "finalised segments" in c.value for c in app.caption)
    metrics = {m.label: m.value for m in app.metric}
    assert "Predicted share skipped" in metrics and metrics["Score threshold"] != "—"
    app.slider(key="routing_target").set_value(0.8).run()
    app.slider(key="routing_audit").set_value(0.0).run()
    shown = routes.preview(store, calls, actor(workspace, "ben"), routes.RoutingOptions(0.8, 0.0))
    assert {m.label: m.value for m in app.metric}["Predicted share skipped"] == f"{shown.skipped_share:.1%}"
    button(app, "Apply routing").click().run()
    assert not app.exception
    accepted = store.count_segments_by_status(calls.id).get(SegmentStatus.AUTO_ACCEPTED, 0)
    assert accepted == shown.above > 0 and accepted < to_do
    assert any("auto-accepted" in s.value for s in app.success)
    assert store.latest_correctness_model(other.id) is None  # the other project is untouched

    zoe = open_dashboard("zoe")  # the other lead sees only their project, without a model
    assert [o for o in zoe.sidebar.selectbox[0].options] == ["other"]
    assert not any(m.label == "Score threshold" for m in zoe.metric)
    with pytest.raises(Forbidden):
        routes.apply_routing(store, calls, actor(workspace, "zoe"), routes.RoutingOptions())

    ana = actor(workspace, "ana")
    assert "Dashboard" not in [spec.title for spec in page_specs(ana)]
    labeler = AppTest.from_file(APP, default_timeout=60)
    labeler.session_state["session_token"] = accounts.login(store, "ana", PASSWORD)[0]
    labeler.run()
    with pytest.raises(ValueError, match="not a registered page|Could not find"):
        labeler.switch_page("views/dashboard.py")
    with pytest.raises(Forbidden):
        routes.preview(store, calls, ana, routes.RoutingOptions())
