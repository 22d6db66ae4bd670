"""The Review page through Streamlit's AppTest on a real pre-labeled project: the queue opens the
submitted segment with draft and final side by side, a reason and Reject send it back, Approve
approves, and a labeler has no Review page."""

from __future__ import annotations

from speechlabel.core.models import ReviewReason, SegmentStatus
from speechlabel.labeling import actions as labeling
from tests.app_pages import actor, button, open_review_page, reviewer, submitted
from views.navigation import page_specs


def test_reject_with_a_reason_then_approve_the_rework(labeled_project):
    workspace, project = labeled_project
    store = workspace.store
    reviewer(workspace)
    segment = submitted(workspace, project)
    app = open_review_page("rita")
    assert "labeled by **ana**" in app.caption[0].value
    pages = [h.proto.body for h in app.get("html")]
    assert any('class="added"' in body for body in pages)  # the labeler's changes are marked
    assert any("Speaker: **Kennedy**" in c.value and "noise" in c.value for c in app.caption)
    button(app, "Reject").click().run()
    assert "Choose the reason" in app.error[0].value
    assert store.get_segment(segment.id).status == SegmentStatus.SUBMITTED
    button(app, ReviewReason.WRONG_SPEAKER.label).click().run()
    app.text_input(key="review_comment").input("that is the reporter").run()
    button(app, "Reject").click().run()
    assert not app.exception
    assert store.get_segment(segment.id).status == SegmentStatus.REJECTED
    [rejection] = store.list_reviews(segment.id)
    assert (rejection.reason, rejection.comment, rejection.labeler) == (
        ReviewReason.WRONG_SPEAKER,
        "that is the reporter",
        "ana",
    )
    assert "Nothing waits for review" in app.success[-1].value

    ana = actor(workspace, "ana")
    context = labeling.open_segment(store, ana, segment.id)
    assert context.rejection.reason == ReviewReason.WRONG_SPEAKER
    labeling.save_and_next(store, ana, segment.id, context.segment.version, segment.text, "Reporter", [], None)
    app = open_review_page("rita")
    assert any("Earlier: rejected by rita" in c.value for c in app.caption)
    button(app, "Approve").click().run()
    assert store.get_segment(segment.id).status == SegmentStatus.APPROVED


def test_a_lead_bulk_approves_a_labelers_work_and_a_labeler_has_no_review_page(labeled_project):
    workspace, project = labeled_project
    segment = submitted(workspace, project)
    app = open_review_page("ben")  # a lead
    app.text_input(key="review_bulk_labeler").input("ana").run()
    button(app, "Approve all their submitted work in every recording").click().run()
    assert not app.exception
    assert "Approved 1 segments of ana." in app.success[0].value
    assert workspace.store.get_segment(segment.id).status == SegmentStatus.APPROVED

    # What each role is offered: the Review page for reviewers and leads, the dashboard for leads.
    pages = {name: [spec.title for spec in page_specs(actor(workspace, name))] for name in ("ana", "ben")}
    reviewer(workspace)
    pages["rita"] = [spec.title for spec in page_specs(actor(workspace, "rita"))]
    assert pages == {
        "ana": ["Label"],
        "ben": ["Projects", "Label", "Review", "Dashboard", "Export", "Users", "Models"],
        "rita": ["Projects", "Review"],
    }
