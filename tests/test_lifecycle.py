"""The status lifecycle (``speechlabel.core.lifecycle``): the table itself (every status reachable,
none a dead end, the groups consistent with the moves), the real actions on a real SQLite store
accepting exactly the statuses the table lists and leaving the status it names, refusals in both
languages, and no other module spelling a group of statuses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import update

from speechlabel.accounts.access import SYSTEM
from speechlabel.core import lifecycle
from speechlabel.core.errors import ValidationError
from speechlabel.core.lifecycle import TRANSITIONS, Action, allowed_from, can, can_transition, landing, transition
from speechlabel.core.models import Draft, ReviewReason, Role, SegmentEdit, SegmentStatus
from speechlabel.export import ExportOptions
from speechlabel.i18n import Lang, error_message
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.projects.manage import create_project
from speechlabel.review import decisions as review
from speechlabel.store import Store, schema
from tests.korean_errors import assert_in_korean
from tests.sample_projects import member

ROOT = Path(__file__).resolve().parents[1]
S = SegmentStatus


# --- the table ----------------------------------------------------------------------------------


def test_every_status_is_reachable_from_the_first_one():
    reached, todo = {lifecycle.INITIAL}, [lifecycle.INITIAL]
    while todo:
        current = todo.pop()
        for moves in TRANSITIONS.values():
            target = moves.get(current)
            if target is not None and target not in reached:
                reached.add(target)
                todo.append(target)
    assert reached == set(SegmentStatus)


def test_no_status_is_terminal_a_lead_can_always_move_a_segment_on():
    """Today every status can be left (submit, skip and mark untranscribable accept any): an
    approved segment a lead saves again is submitted again, for review."""
    terminal = [status for status in SegmentStatus if not any(can(action, status) for action in Action)]
    assert terminal == []
    assert transition(Action.SUBMIT, "s", S.APPROVED) == S.SUBMITTED
    assert can_transition(S.APPROVED, S.SUBMITTED) and not can_transition(S.APPROVED, S.REWORKED)


def test_the_moves_as_the_module_docstring_lists_them():
    assert dict(TRANSITIONS[Action.DRAFT]) == {S.NEW: S.DRAFTED}
    assert {status for status, target in TRANSITIONS[Action.SUBMIT].items() if target == S.REWORKED} == {
        S.REJECTED,
        S.REWORKED,
    }
    assert set(TRANSITIONS[Action.SUBMIT]) == set(SegmentStatus)
    for action, target in (
        (Action.SKIP, S.SKIPPED),
        (Action.MARK_UNTRANSCRIBABLE, S.UNTRANSCRIBABLE),
        (Action.MERGE, S.IN_PROGRESS),
    ):
        assert set(TRANSITIONS[action]) == set(SegmentStatus) and landing(action) == target
    for action, target in ((Action.APPROVE, S.APPROVED), (Action.REJECT, S.REJECTED)):
        assert allowed_from(action) == (S.SUBMITTED, S.REWORKED) and landing(action) == target
    assert dict(TRANSITIONS[Action.AUTO_ACCEPT]) == {S.DRAFTED: S.AUTO_ACCEPTED}
    assert dict(TRANSITIONS[Action.REOPEN]) == {S.AUTO_ACCEPTED: S.DRAFTED}
    with pytest.raises(ValueError):
        landing(Action.SUBMIT)  # submitted or reworked, by where it starts
    assert set(TRANSITIONS) == set(Action)


def test_the_groups_follow_from_the_moves():
    submit = TRANSITIONS[Action.SUBMIT]
    assert set(lifecycle.SUBMITTED_WORK) == set(submit.values())
    assert set(lifecycle.REWORK_FROM) == {status for status, target in submit.items() if target == S.REWORKED}
    assert lifecycle.REVIEWABLE == allowed_from(Action.APPROVE) == allowed_from(Action.REJECT)
    assert set(lifecycle.SET_ASIDE) == {landing(Action.SKIP), landing(Action.MARK_UNTRANSCRIBABLE)}
    assert set(lifecycle.ACCEPTED) == {landing(Action.APPROVE)}
    assert set(lifecycle.DONE) == set(lifecycle.SUBMITTED_WORK) | set(lifecycle.ACCEPTED) | {
        landing(Action.AUTO_ACCEPT)
    }
    assert set(lifecycle.FINALISED) == set(lifecycle.SUBMITTED_WORK) | set(lifecycle.ACCEPTED)
    assert lifecycle.ROUTABLE == allowed_from(Action.AUTO_ACCEPT)
    # Routing takes only untouched drafts, and what it reopens is to do again (and routable).
    assert set(lifecycle.ROUTABLE) == {landing(Action.DRAFT)} and landing(Action.REOPEN) in lifecycle.TO_DO
    assert set(lifecycle.NOT_LABELER_WORK) == {
        lifecycle.INITIAL,
        landing(Action.DRAFT),
        landing(Action.APPROVE),
        landing(Action.REJECT),
    }
    # Every segment is to do, done or set aside, and only one of them.
    groups = [set(lifecycle.TO_DO), set(lifecycle.DONE), set(lifecycle.SET_ASIDE)]
    assert sum(len(group) for group in groups) == len(SegmentStatus) and set().union(*groups) == set(SegmentStatus)
    # A rejected segment is to do again; nothing submitted is.
    assert S.REJECTED in lifecycle.TO_DO and not set(lifecycle.TO_DO) & set(lifecycle.SUBMITTED_WORK)


def test_the_modules_read_their_groups_from_the_lifecycle():
    from speechlabel.analytics import dashboard
    from speechlabel.store import dashboard as store_dashboard
    from speechlabel.store import reviews as store_reviews

    assert assignment.LEASABLE is lifecycle.TO_DO and labeling.TODO_STATUSES is lifecycle.TO_DO
    assert review.QUEUE_STATUSES is lifecycle.REVIEWABLE and store_reviews.QUEUE_STATUSES is lifecycle.REVIEWABLE
    assert dashboard.DONE_STATUSES == set(lifecycle.DONE) and dashboard.SET_ASIDE_STATUSES == set(lifecycle.SET_ASIDE)
    assert store_dashboard.LABELING_STATUSES == lifecycle.status_values(lifecycle.SUBMITTED_WORK)
    assert store_dashboard.NOT_WORK_STATUSES == lifecycle.status_values(lifecycle.NOT_LABELER_WORK)
    assert ExportOptions().statuses == lifecycle.ACCEPTED


def test_a_refused_move_says_what_is_allowed_in_both_languages():
    with pytest.raises(ValidationError) as caught:
        transition(Action.DRAFT, "rec-1-0001", S.SUBMITTED)
    assert str(caught.value) == "segment rec-1-0001 is submitted; draft is allowed only from new"
    assert "'초안 작성'" in assert_in_korean(caught.value)
    with pytest.raises(ValidationError) as caught:
        transition(Action.APPROVE, "rec-1-0001", S.DRAFTED)
    assert str(caught.value) == (
        "segment rec-1-0001 is drafted; only submitted or reworked segments can be approved or rejected"
    )
    assert "초안 있음" in error_message(caught.value, Lang.KO)


def test_merged_status():
    for status in SegmentStatus:
        assert lifecycle.merged_status(status, status) == status
        other = S.NEW if status != S.NEW else S.APPROVED
        assert lifecycle.merged_status(status, other) == S.IN_PROGRESS


# --- the real actions accept what the table says ------------------------------------------------


@pytest.fixture
def sqlite_store(tmp_path):
    opened = Store.open(f"sqlite:///{tmp_path / 'lifecycle.db'}")
    yield opened
    opened.close()


@pytest.fixture
def segments(sqlite_store, settings, speech_dir):
    """Two segments per status (jfk.wav cut in 0.4 s pieces), each put in its status by a save of
    "ana" (so a lead may review it), in SegmentStatus order: ids[2 * i], ids[2 * i + 1]."""
    store = sqlite_store
    project = create_project(store, "life", language="en", actor=SYSTEM)
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    bounds = [(round(i * 0.5, 3), round(i * 0.5 + 0.4, 3)) for i in range(2 * len(SegmentStatus))]
    made = store.replace_segments(recording.id, project.id, bounds, {}, "prelabel")
    for index, segment in enumerate(made):
        status = list(SegmentStatus)[index // 2]
        if status != S.NEW:
            store.save_segment(segment.id, segment.version, SegmentEdit(text="words", status=status), "ana")
    lead = member(store, project, "lena", Role.LEAD)
    return store, project, lead, [segment.id for segment in made]


def _act(store, lead, action: Action, segment_id: str):
    version = store.get_segment(segment_id).version
    if action == Action.SUBMIT:
        return labeling.submit(store, lead, segment_id, version, "the words", None, [], None)[0]
    if action == Action.SKIP:
        return labeling.skip(store, lead, segment_id, version, "music only")
    if action == Action.MARK_UNTRANSCRIBABLE:
        return labeling.mark_untranscribable(store, lead, segment_id, version, "noise")
    if action == Action.APPROVE:
        return review.approve(store, lead, segment_id, version)
    return review.reject(store, lead, segment_id, version, ReviewReason.TEXT_MINOR)


@pytest.mark.parametrize(
    "action", [Action.SUBMIT, Action.SKIP, Action.MARK_UNTRANSCRIBABLE, Action.APPROVE, Action.REJECT]
)
def test_each_action_accepts_exactly_the_statuses_the_table_lists(segments, action):
    store, _, lead, ids = segments
    for index, status in enumerate(SegmentStatus):
        segment_id = ids[2 * index]
        assert store.get_segment(segment_id).status == status
        if can(action, status):
            assert _act(store, lead, action, segment_id).status == TRANSITIONS[action][status], (action, status)
        else:
            with pytest.raises(ValidationError, match="only submitted or reworked"):
                _act(store, lead, action, segment_id)
            assert store.get_segment(segment_id).status == status


def test_drafting_takes_only_new_segments(segments):
    store, _, _, ids = segments
    draft = Draft("and so", (), -0.2, 0.01, 1.1, "en", 0.99, "faster-whisper", "base", {})
    for index, status in enumerate(SegmentStatus):
        segment_id = ids[2 * index]
        with store.write() as connection:  # version 1 whatever the status: only the status decides
            connection.execute(update(schema.segments).where(schema.segments.c.id == segment_id).values(version=1))
        drafted = store.add_draft(segment_id, draft, "prelabel")
        expected = TRANSITIONS[Action.DRAFT].get(status, status)
        assert drafted.status == expected, status
        if status == S.NEW:
            assert drafted.text == "and so"


def test_a_merge_keeps_a_shared_status_and_else_needs_a_look(segments):
    store, _, lead, ids = segments
    for index, status in enumerate(SegmentStatus):
        first, second = store.get_segment(ids[2 * index]), store.get_segment(ids[2 * index + 1])
        merged = labeling.merge_with_next(store, lead, first.id, first.version, second.version, second.id)
        assert merged.status == status
    # Now each merged segment is followed by one of the next status: merging those differs.
    merged_ids = [ids[2 * index] for index in range(len(SegmentStatus))]
    first, second = store.get_segment(merged_ids[0]), store.get_segment(merged_ids[1])
    assert (first.status, second.status) == (S.NEW, S.DRAFTED)
    assert (
        labeling.merge_with_next(store, lead, first.id, first.version, second.version, second.id).status
        == lifecycle.merged_status(S.NEW, S.DRAFTED)
        == S.IN_PROGRESS
    )


def test_leases_hand_out_only_the_to_do_statuses(segments):
    store, project, lead, ids = segments
    given = assignment.assign_segments(store, lead, project, "lena", 100)
    assert {segment.status for segment in given} == set(lifecycle.TO_DO)


# --- one place ----------------------------------------------------------------------------------


def _status_members(node: ast.AST) -> list[str]:
    """``SegmentStatus.X`` (or ``SegmentStatus.X.value``) elements of a tuple, list or set display."""
    found = []
    for element in getattr(node, "elts", []):
        if isinstance(element, ast.Attribute) and element.attr == "value":
            element = element.value
        if (
            isinstance(element, ast.Attribute)
            and isinstance(element.value, ast.Name)
            and element.value.id in ("SegmentStatus", "_S", "S")
        ):
            found.append(element.attr)
    return found


def test_no_other_module_spells_a_group_of_statuses():
    """A tuple, list or set of SegmentStatus members outside ``lifecycle`` is a group defined twice
    (``x in (SegmentStatus.A, SegmentStatus.B)`` included): take it from the lifecycle."""
    sources = [*(ROOT / "speechlabel").rglob("*.py"), *(ROOT / "views").glob("*.py"), ROOT / "workbench.py"]
    groups = []
    for path in sorted(sources):
        if path == ROOT / "speechlabel" / "core" / "lifecycle.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and _status_members(node):
                groups.append(f"{path.relative_to(ROOT)}:{node.lineno} {_status_members(node)}")
    assert not groups, groups


def test_the_scan_sees_a_group():
    tree = ast.parse("LEASABLE = (SegmentStatus.DRAFTED, SegmentStatus.NEW.value)\nx in [S.NEW]\n")
    found = [_status_members(node) for node in ast.walk(tree) if isinstance(node, (ast.Tuple, ast.List))]
    assert ["DRAFTED", "NEW"] in found and ["NEW"] in found
