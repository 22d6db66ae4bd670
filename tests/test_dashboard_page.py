"""The Dashboard page through Streamlit's AppTest on a real pre-labeled project: the figures
of a labeled and reviewed segment, the CSV downloads, and the review policy form."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.core.models import ReviewReason
from speechlabel.review import decisions as review
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, button, submitted
from tests.app_session import PASSWORD


def open_dashboard(user: str = "ben") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, user, PASSWORD)[0]
    app.run()
    app.switch_page("views/dashboard.py").run()
    assert not app.exception, app.exception
    return app


def test_the_lead_sees_progress_quality_and_sets_the_review_policy(labeled_project):
    workspace, project = labeled_project
    store = workspace.store
    segment = submitted(workspace, project)
    lea = accounts.login(store, "lea", PASSWORD)[1]  # the other lead reviews
    review.reject(store, lea, segment.id, segment.version, ReviewReason.TEXT_MAJOR, "missing words")

    app = open_dashboard()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Segments labeled"] == "1"
    assert metrics["Pre-labeling saving"].endswith("%")
    tables = [t.value for t in app.dataframe]
    labelers = next(t for t in tables if "labeler" in t.columns)
    assert list(labelers["labeler"]) == ["ana"] and list(labelers["rejected"]) == [1]
    downloads = [b.proto.label for b in app.get("download_button")]
    assert downloads == [
        "Throughput per day (CSV)",
        "Labelers (CSV)",
        "Labor per audio minute (CSV)",
        "Segments with WER, CER and saving (CSV)",
    ]
    # No save carried telemetry (made through the domain): the labor figures are empty, not made up.
    assert metrics["With draft: seconds per audio minute"] == metrics["Speed-up of the drafts"] == "—"

    app.slider[0].set_value(0.25)
    app.checkbox[0].check()
    app.slider[1].set_value(0.2)
    button(app, "Save policy").click().run()
    assert not app.exception
    saved = store.get_project("calls").review_settings
    assert (saved.sample_share, saved.defect_threshold) == (0.25, 0.2)
