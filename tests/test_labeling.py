"""The label page's actions on a real SQLite file and the real PostgreSQL (every test runs on both)."""

from __future__ import annotations

import pytest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import (
    Conflict,
    Forbidden,
    MergedAway,
    NoSuchSegment,
    NotFound,
    NotSignedIn,
    StaleVersion,
    ValidationError,
)
from speechlabel.core.models import Actor, Role, SegmentEdit, SegmentStatus
from speechlabel.core.segment_rules import MAX_TRANSCRIPT_CHARS
from speechlabel.labeling import actions as labeling
from tests.sample_projects import add_recording, signed_in

LDC_DURATION = 2.9248125  # en/LDC93S1.wav
# The signed-in people of these tests, by name; leads of the project unless a test says otherwise.
PEOPLE: dict[str, Actor] = {}


@pytest.fixture(autouse=True)
def people(store, project):
    PEOPLE.clear()
    for name in ("ana", "ben", "eva", "rita"):
        PEOPLE[name] = signed_in(store, project, name, Role.LEAD)
    yield PEOPLE
    PEOPLE.clear()


# --- the queue and the list ---------------------------------------------------------------


def test_next_segment_follows_recording_then_start_and_skips_done_work(store, settings, project, speech_dir, ldc):
    _, (a, b) = ldc
    _, (c, d, e) = add_recording(
        store,
        settings,
        project,
        speech_dir,
        "diarization/pyannote_sample.wav",
        [(6.69, 7.12), (8.32, 10.02), (10.57, 14.7)],
        ["one", "two", "three"],
    )
    expected = sorted([a, b, c, d, e], key=lambda s: (s.recording_id, s.start))
    order = [labeling.next_segment(store, PEOPLE["ana"], project).id]
    while len(order) < 5:
        order.append(labeling.next_segment(store, PEOPLE["ana"], project, after=order[-1]).id)
    assert order == [s.id for s in expected]
    # After the last one the queue wraps around to what is still to do.
    assert labeling.next_segment(store, PEOPLE["ana"], project, after=expected[-1].id).id == expected[0].id

    store.save_segment(expected[1].id, 2, SegmentEdit(status=SegmentStatus.APPROVED), "rita")
    store.save_segment(expected[2].id, 2, SegmentEdit(status=SegmentStatus.REJECTED), "rita")
    assert labeling.next_segment(store, PEOPLE["ana"], project, after=expected[0].id).id == expected[2].id


def test_next_segment_is_none_when_all_is_done_and_rejects_unknown_ids(store, project, ldc):
    _, (a, b) = ldc
    labeling.skip(store, PEOPLE["ana"], a.id, a.version, "music only")
    assert labeling.next_segment(store, PEOPLE["ana"], project).id == b.id
    assert labeling.next_segment(store, PEOPLE["ana"], project, after=b.id) is None


def test_list_recording_segments_pages_in_time_order(store, ldc):
    recording, (a, b) = ldc
    assert [s.id for s in labeling.list_recording_segments(store, PEOPLE["ana"], recording.id, 0, 1)] == [a.id]
    assert [s.id for s in labeling.list_recording_segments(store, PEOPLE["ana"], recording.id, 1, 5)] == [b.id]
    assert labeling.list_recording_segments(store, PEOPLE["ana"], recording.id, 2, 5) == []
    with pytest.raises(ValidationError, match="offset -1 is not allowed; use a whole number from 0"):
        labeling.list_recording_segments(store, PEOPLE["ana"], recording.id, -1, 5)
    with pytest.raises(ValidationError, match="page size 0 is not allowed; use 1–500"):
        labeling.list_recording_segments(store, PEOPLE["ana"], recording.id, 0, 0)
    with pytest.raises(NotFound):
        labeling.list_recording_segments(store, PEOPLE["ana"], "rec-missing", 0, 5)


# --- saving -------------------------------------------------------------------------------


def test_save_and_next_submits_cleans_input_and_returns_the_next(store, ldc):
    _, (a, b) = ldc
    labeling.keep_unsaved_edit(store, PEOPLE["ana"], a.id, a.version, "she had", None, ())
    saved, following = labeling.save_and_next(
        store,
        PEOPLE["ana"],
        a.id,
        a.version,
        "  she had your dark suit ",
        " A ",
        ["noise", " noise", "", "music"],
        "fixed 'suit'",
    )
    assert (saved.text, saved.speaker, saved.tags) == ("she had your dark suit", "A", ("noise", "music"))
    assert (saved.status, saved.version, saved.updated_by) == (SegmentStatus.SUBMITTED, 3, "ana")
    assert following.id == b.id
    assert store.list_revisions(a.id)[-1].comment == "fixed 'suit'"
    assert labeling.unsaved_edit(store, PEOPLE["ana"], a.id) is None  # saving drops the saver's unsaved edit


def test_two_users_on_one_version_the_second_gets_stale_version_and_keeps_the_text(store, ldc):
    _, (a, _) = ldc
    opened = a.version
    labeling.keep_unsaved_edit(store, PEOPLE["ben"], a.id, opened, "ben's draft", None, ())
    labeling.save_and_next(store, PEOPLE["ana"], a.id, opened, "ana's words", None, (), None)
    with pytest.raises(StaleVersion, match=f"segment {a.id} was saved by ana") as raised:
        labeling.save_and_next(store, PEOPLE["ben"], a.id, opened, "ben's words", "B", ("noise",), None)
    assert (raised.value.expected_version, raised.value.current_version) == (opened, opened + 1)
    assert store.get_segment(a.id).text == "ana's words"
    kept = labeling.unsaved_edit(store, PEOPLE["ben"], a.id)
    assert (kept.text, kept.speaker, kept.tags, kept.base_version) == ("ben's words", "B", ("noise",), opened)
    assert [r.author for r in store.list_revisions(a.id)] == ["prelabel", "prelabel", "ana"]


def test_save_and_next_rejects_empty_text_and_missing_author(store, ldc):
    _, (a, _) = ldc
    with pytest.raises(ValidationError, match="the transcript is empty; type what is said, or use skip"):
        labeling.save_and_next(store, PEOPLE["ana"], a.id, a.version, "   ", None, (), None)
    with pytest.raises(NotSignedIn, match="you are not signed in"):
        labeling.save_and_next(store, None, a.id, a.version, "text", None, (), None)
    with pytest.raises(ValidationError, match="tags must be a list of names"):
        labeling.save_and_next(store, PEOPLE["ana"], a.id, a.version, "text", None, "noise", None)
    assert store.get_segment(a.id).version == a.version


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "a" * (MAX_TRANSCRIPT_CHARS + 1),
            f"the transcript has {MAX_TRANSCRIPT_CHARS + 1} characters; at most {MAX_TRANSCRIPT_CHARS} are allowed",
        ),
        ("she had\x00 your", r"a control character \(U\+0000\) at character 8; only printable text"),
        ("she had \x1b[31myour", r"a control character \(U\+001B\) at character 9"),
    ],
    ids=["too long", "NUL", "escape sequence"],
)
def test_a_transcript_too_long_or_with_control_characters_is_refused_and_nothing_is_saved(store, ldc, text, message):
    _, (a, _) = ldc
    with pytest.raises(ValidationError, match=message):
        labeling.save_and_next(store, PEOPLE["ana"], a.id, a.version, text, None, (), None)
    assert store.get_segment(a.id).version == a.version


def test_line_breaks_and_tabs_in_a_transcript_are_spaces_and_notes_and_tags_have_limits(store, ldc):
    _, (a, b) = ldc
    saved, _ = labeling.save_and_next(
        store, PEOPLE["ana"], a.id, a.version, "she had\nyour\tdark\r\nsuit", None, (), None
    )
    assert saved.text == "she had your dark suit"
    with pytest.raises(ValidationError, match="2001 characters; at most 2000"):
        labeling.save_and_next(store, PEOPLE["ana"], b.id, b.version, "text", None, (), "c" * 2001)
    with pytest.raises(ValidationError, match="101 characters; at most 100"):
        labeling.save_and_next(store, PEOPLE["ana"], b.id, b.version, "text", None, ("t" * 101,), None)
    with pytest.raises(ValidationError, match=r"control character \(U\+0007\)"):
        labeling.skip(store, PEOPLE["ana"], b.id, b.version, "music\x07")
    assert store.get_segment(b.id).version == b.version


def test_an_unsaved_edit_drops_nul_and_has_the_transcripts_limit(store, ldc):
    _, (a, _) = ldc
    kept = labeling.keep_unsaved_edit(store, PEOPLE["ana"], a.id, a.version, "half\x00 typed", None, ())
    assert kept.text == "half typed" and store.get_unsaved_edit("ana", a.id).text == "half typed"
    with pytest.raises(ValidationError, match="at most 20000 are allowed"):
        labeling.keep_unsaved_edit(store, PEOPLE["ana"], a.id, a.version, "x" * 20_001, None, ())


def test_skip_and_untranscribable_need_a_reason_kept_in_the_history(store, ldc):
    _, (a, b) = ldc
    with pytest.raises(ValidationError, match="the reason to mark it skipped is empty; say why"):
        labeling.skip(store, PEOPLE["ana"], a.id, a.version, "")
    with pytest.raises(ValidationError, match="the reason to mark it untranscribable is empty"):
        labeling.mark_untranscribable(store, PEOPLE["ana"], b.id, b.version, None)
    skipped = labeling.skip(store, PEOPLE["ana"], a.id, a.version, "another language")
    gone = labeling.mark_untranscribable(store, PEOPLE["ana"], b.id, b.version, "only music")
    assert (skipped.status, gone.status) == (SegmentStatus.SKIPPED, SegmentStatus.UNTRANSCRIBABLE)
    assert skipped.text == a.text  # setting aside keeps the text
    assert store.list_revisions(a.id)[-1].comment == "another language"
    assert store.list_revisions(b.id)[-1].comment == "only music"
    with pytest.raises(StaleVersion, match="saved by ana"):
        labeling.skip(store, PEOPLE["ben"], a.id, a.version, "again")


# --- nudging bounds -----------------------------------------------------------------------


def test_nudge_moves_bounds_and_records_them(store, ldc):
    _, (a, b) = ldc
    moved = labeling.nudge(store, PEOPLE["ana"], a.id, a.version, -0.05, 0.25)
    assert (moved.start, moved.end, moved.version) == (0.05, 1.45, a.version + 1)
    revision = store.list_revisions(a.id)[-1]
    assert (revision.start, revision.author, revision.comment) == (0.05, "ana", "bounds 0.100–1.200 s → 0.050–1.450 s")
    assert labeling.nudge(store, PEOPLE["ana"], b.id, b.version, -0.05, 0.1).start == 1.45  # touching is allowed


@pytest.mark.parametrize(
    ("which", "start_delta", "end_delta", "message"),
    [
        (0, -0.2, 0, r"start -0.100 s is before the recording begins; allowed start: 0.000–1.100 s"),
        (1, 0, 0.2, r"end 3.000 s is past the end of the recording \(2.925 s\); allowed end: 1.600–2.925 s"),
        (0, 0, -1.05, r"would last 0.050 s; a segment must last at least 0.1 s \(allowed end: 0.200–1.500 s\)"),
        (0, 0, 0.35, r"end 1.550 s overlaps the next segment, which starts at 1.500 s; allowed end: 0.200–1.500 s"),
        (
            1,
            -0.4,
            0,
            r"start 1.100 s overlaps the previous segment, which ends at 1.200 s; allowed start: 1.200–2.700 s",
        ),
    ],
)
def test_nudge_refuses_bounds_out_of_range(store, ldc, which, start_delta, end_delta, message):
    segment = ldc[1][which]
    with pytest.raises(ValidationError, match=message):
        labeling.nudge(store, PEOPLE["ana"], segment.id, segment.version, start_delta, end_delta)
    assert store.get_segment(segment.id).version == segment.version


def test_nudge_on_a_stale_version_names_who_saved(store, ldc):
    _, (a, _) = ldc
    labeling.nudge(store, PEOPLE["ana"], a.id, a.version, 0.01, 0)
    with pytest.raises(StaleVersion, match="saved by ana"):
        labeling.nudge(store, PEOPLE["ben"], a.id, a.version, 0, 0.01)
    with pytest.raises(ValidationError, match="start change 'x' is not a number of seconds"):
        labeling.nudge(store, PEOPLE["ben"], a.id, a.version + 1, "x", 0)


# --- split --------------------------------------------------------------------------------


def test_split_cuts_time_and_text_and_keeps_both_histories(store, ldc):
    recording, (a, _) = ldc
    store.save_segment(a.id, a.version, SegmentEdit(speaker="A", tags=("noise",)), "ana")
    first, second = labeling.split(store, PEOPLE["ben"], a.id, a.version + 1, 0.6, 2)
    assert (first.id, first.start, first.end, first.text, first.version) == (a.id, 0.1, 0.6, "she had", a.version + 2)
    assert second.id != a.id and second.id.startswith(recording.id)
    assert (second.start, second.end, second.text, second.version) == (0.6, 1.2, "your dark suit", 1)
    assert (second.status, second.speaker, second.tags) == (SegmentStatus.DRAFTED, "A", ("noise",))
    assert store.list_revisions(a.id)[-1].comment == f"split at 0.600 s; the second part is {second.id}"
    assert [(r.author, r.comment) for r in store.list_revisions(second.id)] == [
        ("ben", f"split from {a.id} at 0.600 s")
    ]
    assert len(store.list_revisions(a.id)) == 4  # segmented, draft, ana, split: nothing dropped
    assert [s.id for s in store.list_segments(recording.id)][:2] == [a.id, second.id]


@pytest.mark.parametrize(
    ("at_time", "word_index", "message"),
    [
        (0.15, 1, r"split time 0.150 s is not inside the segment; allowed: 0.200–1.100 s"),
        (1.15, 1, r"split time 1.150 s is not inside the segment; allowed: 0.200–1.100 s"),
        (2.0, 1, r"allowed: 0.200–1.100 s"),
        (0.6, 6, r"word index 6 is not a position in a text of 5 words; allowed: 0–5"),
        (0.6, -1, r"allowed: 0–5"),
    ],
)
def test_split_refuses_times_and_word_positions_out_of_range(store, ldc, at_time, word_index, message):
    recording, (a, _) = ldc
    with pytest.raises(ValidationError, match=message):
        labeling.split(store, PEOPLE["ana"], a.id, a.version, at_time, word_index)
    assert len(store.list_segments(recording.id)) == 2 and store.get_segment(a.id).version == a.version


def test_split_of_a_short_or_stale_segment_is_refused_whole(store, ldc):
    recording, (a, _) = ldc
    short = labeling.nudge(store, PEOPLE["ana"], a.id, a.version, 0, -0.95)  # 0.1–0.25 s
    with pytest.raises(ValidationError, match="too short to split; both parts must last at least 0.1 s"):
        labeling.split(store, PEOPLE["ana"], a.id, short.version, 0.17, 0)
    with pytest.raises(StaleVersion, match="saved by ana"):
        labeling.split(store, PEOPLE["ben"], a.id, a.version, 0.17, 0)
    assert len(store.list_segments(recording.id)) == 2


# --- merge --------------------------------------------------------------------------------


def test_merge_joins_text_span_and_tags_and_keeps_the_absorbed_history(store, ldc):
    recording, (a, b) = ldc
    a = store.save_segment(a.id, a.version, SegmentEdit(tags=("noise", "music")), "ana")
    b = store.save_segment(b.id, b.version, SegmentEdit(text="in greasy water", tags=("music", "cough")), "ben")
    merged = labeling.merge_with_next(store, PEOPLE["rita"], a.id, a.version, b.version, next_segment_id=b.id)
    assert (merged.id, merged.start, merged.end) == (a.id, 0.1, 2.8)
    assert (merged.text, merged.tags) == ("she had your dark suit in greasy water", ("noise", "music", "cough"))
    assert merged.status == SegmentStatus.DRAFTED and merged.version == a.version + 1
    assert [s.id for s in store.list_segments(recording.id)] == [a.id]
    with pytest.raises(NotFound):
        store.get_segment(b.id)

    history = store.list_revisions(a.id)
    assert [r.author for r in history].count("ben") == 1 and "in greasy water" in [r.text for r in history]
    assert history[-1].comment == f"merged with {b.id} (version {b.version}), which followed it"
    (log,) = store.list_merges(a.id)
    assert (log.absorbed_id, log.absorbed_version, log.absorbed_text, log.author) == (
        b.id,
        b.version,
        "in greasy water",
        "rita",
    )
    assert len(log.revision_ids) == 3 and set(log.revision_ids) <= {r.id for r in history}
    assert len(log.draft_ids) == 1 and store.latest_draft(a.id) is not None


def test_merge_checks_both_versions_and_the_neighbour(store, ldc):
    _, (a, b) = ldc
    store.save_segment(b.id, b.version, SegmentEdit(text="changed"), "ben")
    with pytest.raises(StaleVersion, match=f"segment {b.id} was saved by ben"):
        labeling.merge_with_next(store, PEOPLE["ana"], a.id, a.version, b.version)
    with pytest.raises(StaleVersion, match=f"segment {a.id} was saved by"):
        labeling.merge_with_next(store, PEOPLE["ana"], a.id, a.version - 1, b.version + 1)
    with pytest.raises(Conflict, match=f"the segment after {a.id} is now {b.id}, not other; reload"):
        labeling.merge_with_next(store, PEOPLE["ana"], a.id, a.version, b.version + 1, next_segment_id="other")
    with pytest.raises(ValidationError, match="is the last of its recording"):
        labeling.merge_with_next(store, PEOPLE["ana"], b.id, b.version + 1, 1)
    assert store.get_segment(a.id).text == "she had your dark suit" and store.get_segment(b.id).text == "changed"


def test_merge_of_different_statuses_needs_a_look(store, ldc):
    _, (a, b) = ldc
    a, _ = labeling.save_and_next(store, PEOPLE["ana"], a.id, a.version, "she had", None, (), None)
    merged = labeling.merge_with_next(store, PEOPLE["ana"], a.id, a.version, b.version)
    assert merged.status == SegmentStatus.IN_PROGRESS


# --- unsaved edits ------------------------------------------------------------------------


def test_a_save_from_one_tab_leaves_what_another_tab_typed_as_a_conflict(store, ldc):
    _, (a, b) = ldc
    ana = PEOPLE["ana"]
    # The same person has segment a open in two tabs; tab 2 kept other text, then was closed.
    labeling.keep_unsaved_edit(store, ana, a.id, a.version, "tab two's words", None, (), tab="tab-2")
    saved, _ = labeling.submit(store, ana, a.id, a.version, "tab one's words", None, (), None, tab="tab-1")
    kept = store.get_unsaved_edit("ana", a.id)
    assert (kept.text, kept.base_version, kept.tab) == ("tab two's words", a.version, "tab-2")
    context = labeling.open_segment(store, ana, a.id)
    assert context.conflicting_edit and context.segment.text == "tab one's words"
    # A save from the tab that kept the edit (or of the same text, or without a tab) ends it.
    labeling.keep_unsaved_edit(store, ana, b.id, b.version, "half", None, (), tab="tab-1")
    labeling.submit(store, ana, b.id, b.version, "half typed", None, (), None, tab="tab-1")
    assert store.get_unsaved_edit("ana", b.id) is None
    labeling.submit(store, ana, a.id, saved.version, "from the command line", None, (), None)
    assert store.get_unsaved_edit("ana", a.id) is None


def test_text_typed_in_a_segment_a_lead_merges_away_moves_to_the_merged_segment(store, ldc):
    _, (a, b) = ldc
    labeling.keep_unsaved_edit(
        store, PEOPLE["ben"], b.id, b.version, "in greasy wash water", "B", ["noise"], tab="bens-tab"
    )
    labeling.keep_unsaved_edit(store, PEOPLE["eva"], a.id, a.version, "she had your", None, (), tab="evas-tab")
    labeling.keep_unsaved_edit(store, PEOPLE["eva"], b.id, b.version, "all year", None, ("music",), tab="evas-tab")
    merged = labeling.merge_with_next(store, PEOPLE["rita"], a.id, a.version, b.version)
    bens = store.get_unsaved_edit("ben", a.id)
    assert (bens.text, bens.base_version, bens.speaker, bens.tags) == (
        "she had your dark suit in greasy wash water",
        a.version,
        "B",
        ("noise",),
    )
    evas = store.get_unsaved_edit("eva", a.id)
    assert (evas.text, evas.tags) == ("she had your all year", ("music",))
    # Each sees it as their text against the merge, to choose from.
    context = labeling.open_segment(store, PEOPLE["ben"], merged.id)
    assert context.conflicting_edit and context.unsaved.text == bens.text


def test_text_for_a_segment_merged_away_twice_is_kept_where_its_text_is_now(store, pool):
    _, segments = pool
    first, second, third = (
        store.save_segment(segment.id, segment.version, SegmentEdit(text=text), "ana")
        for segment, text in zip(segments, ("one", "two", "three"))
    )
    labeling.merge_with_next(store, PEOPLE["rita"], second.id, second.version, third.version)
    labeling.merge_with_next(store, PEOPLE["rita"], first.id, first.version, store.get_segment(second.id).version)
    assert store.absorbed_into(third.id) == store.absorbed_into(second.id) == first.id
    assert {merge.absorbed_id for merge in store.list_merges(first.id)} == {second.id, third.id}
    # Ben's text for the third arrives after both merges: kept on the first, after its own text.
    with pytest.raises(MergedAway) as moved:
        labeling.keep_unsaved_edit(store, PEOPLE["ben"], third.id, third.version, "three, typed late", None, ["noise"])
    assert moved.value.kept_for == first.id
    kept = store.get_unsaved_edit("ben", first.id)
    assert (kept.text, kept.tags, kept.base_version) == ("one two three, typed late", ("noise",), first.version)
    assert labeling.open_segment(store, PEOPLE["ben"], first.id).conflicting_edit
    with pytest.raises(NoSuchSegment):  # an id no merge absorbed
        labeling.keep_unsaved_edit(store, PEOPLE["ben"], "rec-0-none", 1, "x", None, ())


def test_unsaved_edits_round_trip_per_user_and_segment(store, ldc):
    _, (a, b) = ldc
    assert labeling.unsaved_edit(store, PEOPLE["ana"], a.id) is None
    labeling.keep_unsaved_edit(store, PEOPLE["ana"], a.id, a.version, "she had yo", " A ", ["noise"])
    labeling.keep_unsaved_edit(store, PEOPLE["ana"], a.id, a.version, "she had your", "A", ["noise", "music"])
    labeling.keep_unsaved_edit(store, PEOPLE["ben"], a.id, a.version, "ben typing", None, ())
    kept = labeling.unsaved_edit(store, PEOPLE["ana"], a.id)
    assert (kept.user, kept.segment_id, kept.base_version) == ("ana", a.id, a.version)
    assert (kept.text, kept.speaker, kept.tags) == ("she had your", "A", ("noise", "music"))
    assert kept.updated_at.tzinfo is not None
    assert labeling.unsaved_edit(store, PEOPLE["ana"], b.id) is None
    assert labeling.discard_unsaved_edit(store, PEOPLE["ana"], a.id) is True
    assert labeling.discard_unsaved_edit(store, PEOPLE["ana"], a.id) is False
    assert labeling.unsaved_edit(store, PEOPLE["ana"], a.id) is None
    assert labeling.unsaved_edit(store, PEOPLE["ben"], a.id).text == "ben typing"
    with pytest.raises(NoSuchSegment, match="no segment nope that you may open"):
        labeling.keep_unsaved_edit(store, PEOPLE["ana"], "nope", 1, "x", None, ())


def test_a_text_save_drops_the_savers_edit_and_a_bounds_or_status_change_carries_it_over(store, ldc):
    _, (a, b) = ldc
    for user in ("ana", "ben"):
        labeling.keep_unsaved_edit(store, PEOPLE[user], a.id, a.version, f"{user} typing", None, ())
    a = labeling.nudge(store, PEOPLE["ana"], a.id, a.version, 0, 0.05)
    # Moving a boundary does not conflict with what ana types: her edit follows the new version.
    assert (
        labeling.unsaved_edit(store, PEOPLE["ana"], a.id).text,
        labeling.unsaved_edit(store, PEOPLE["ana"], a.id).base_version,
    ) == ("ana typing", a.version)
    # ben's edit stays on the version he saw: he is shown the conflict.
    assert labeling.unsaved_edit(store, PEOPLE["ben"], a.id).base_version == a.version - 1
    labeling.keep_unsaved_edit(store, PEOPLE["ben"], b.id, b.version, "ben on b", None, ())
    b = labeling.skip(store, PEOPLE["ben"], b.id, b.version, "noise")
    assert labeling.unsaved_edit(store, PEOPLE["ben"], b.id).base_version == b.version
    saved, _ = labeling.save_and_next(store, PEOPLE["ana"], a.id, a.version, "ana typing", None, (), None)
    assert labeling.unsaved_edit(store, PEOPLE["ana"], a.id) is None
    assert labeling.unsaved_edit(store, PEOPLE["ben"], a.id).text == "ben typing"


def test_split_and_merge_take_the_text_in_the_box(store, ldc):
    _, (a, b) = ldc
    first, second = labeling.split(
        store, PEOPLE["ana"], a.id, a.version, round(a.start + a.duration / 2, 3), 2, text=" typed one two three "
    )
    assert (first.text, second.text) == ("typed one", "two three")
    merged = labeling.merge_with_next(
        store, PEOPLE["ana"], first.id, first.version, second.version, second.id, text="typed one,"
    )
    assert merged.text == "typed one, two three"


def test_open_segment_reads_one_segment_with_its_draft_position_and_edit(store, ldc):
    _, (a, b) = ldc
    labeling.keep_unsaved_edit(store, PEOPLE["ana"], b.id, b.version, "mine", "A", ("noise",))
    context = labeling.open_segment(store, PEOPLE["ana"], b.id)
    assert (context.segment.id, context.position, context.recording_segments) == (b.id, 1, 2)
    assert context.unsaved.text == "mine" and not context.conflicting_edit
    assert context.recording.id == b.recording_id
    assert labeling.previous_segment(store, PEOPLE["ana"], b.id).id == a.id
    assert labeling.previous_segment(store, PEOPLE["ana"], a.id) is None
    assert labeling.count_todo(store, context.recording.project_id) == 2
    labeling.save_and_next(store, PEOPLE["ben"], b.id, b.version, "theirs", None, (), None)
    assert labeling.open_segment(store, PEOPLE["ana"], b.id).conflicting_edit
    assert labeling.count_todo(store, context.recording.project_id) == 1


def test_concurrent_saves_of_one_version_let_exactly_one_win(store, ldc):
    import threading

    _, (a, _) = ldc
    outcomes: dict[str, str] = {}

    def save(user: str) -> None:
        try:
            labeling.save_and_next(store, PEOPLE[user], a.id, a.version, f"{user} words", None, (), None)
            outcomes[user] = "saved"
        except StaleVersion:
            outcomes[user] = "stale"

    threads = [threading.Thread(target=save, args=(user,)) for user in ("ana", "ben", "eva")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (winner,) = [user for user, outcome in outcomes.items() if outcome == "saved"]
    assert store.get_segment(a.id).text == f"{winner} words"
    for loser in set(outcomes) - {winner}:
        assert labeling.unsaved_edit(store, PEOPLE[loser], a.id).text == f"{loser} words"


def test_two_nudges_into_the_same_gap_at_once_cannot_both_win(store, ldc):
    """a ends at 1.2 and b starts at 1.5: either nudge alone fits, both together would overlap.
    The recording-row lock (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) lets one in."""
    import threading

    _, (a, b) = ldc
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def move(name: str, segment, start_delta: float, end_delta: float) -> None:
        barrier.wait()
        try:
            labeling.nudge(store, PEOPLE[name], segment.id, segment.version, start_delta, end_delta)
            outcomes[name] = "moved"
        except ValidationError as error:
            outcomes[name] = str(error)

    threads = [
        threading.Thread(target=move, args=("ana", a, 0.0, 0.25)),
        threading.Thread(target=move, args=("ben", b, -0.25, 0.0)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v == "moved" for v in outcomes.values()) == [False, True], outcomes
    assert any("overlaps" in v for v in outcomes.values())
    first, second = store.get_segment(a.id), store.get_segment(b.id)
    assert first.end <= second.start


# --- who may do what ------------------------------------------------------------------------


def test_labelers_work_only_on_what_is_leased_to_them(store, project, ldc):
    _, (a, b) = ldc
    lea = signed_in(store, project, "lea", Role.LABELER)
    tom = signed_in(store, project, "tom", Role.LABELER)
    project = store.get_project(project.name)
    project = store.update_assignment_settings(project.id, project.assignment_settings.__class__(batch_size=1))
    assert labeling.next_segment(store, lea, project).id == a.id
    assert labeling.next_segment(store, tom, project).id == b.id
    # Refused as an id that does not exist is: nothing says who holds it.
    with pytest.raises(NoSuchSegment, match=f"^no segment {b.id} that you may open: it does not exist, or it is not"):
        labeling.open_segment(store, lea, b.id)
    with pytest.raises(NoSuchSegment) as refused:
        labeling.save_and_next(store, lea, b.id, b.version, "not mine", None, (), None)
    assert "tom" not in str(refused.value)
    with pytest.raises(Forbidden, match=f"^the segment after {a.id} is not in your work, so it cannot be merged"):
        labeling.merge_with_next(store, lea, a.id, a.version, b.version, b.id)  # would absorb tom's segment
    with pytest.raises(Forbidden, match="lea is a labeler in 'demo'; listing a whole recording needs the reviewer"):
        labeling.list_recording_segments(store, lea, a.recording_id)
    saved, following = labeling.save_and_next(store, lea, a.id, a.version, "she had your dark suit", None, (), None)
    assert saved.updated_by == "lea" and following is None  # the pool is empty: tom holds the rest
    assert [s.id for s in labeling.my_work(store, lea, project)] == [a.id]
    assert labeling.previous_segment(store, lea, a.id) is None


def test_a_labelers_split_part_stays_in_their_work(store, project, ldc):
    _, (a, b) = ldc
    lea = signed_in(store, project, "lea", Role.LABELER)
    opened = labeling.next_segment(store, lea, store.get_project(project.name))
    first, second = labeling.split(store, lea, opened.id, opened.version, 0.6, 2)
    assert labeling.open_segment(store, lea, second.id).segment.text == second.text


def test_reviewers_read_but_do_not_label_and_strangers_do_neither(store, project, ldc):
    _, (a, _) = ldc
    rex = signed_in(store, project, "rex", Role.REVIEWER)
    assert labeling.open_segment(store, rex, a.id).segment.id == a.id
    assert [s.id for s in labeling.list_recording_segments(store, rex, a.recording_id)][:1] == [a.id]
    with pytest.raises(Forbidden, match="rex is a reviewer in 'demo'; labeling needs the labeler or lead role"):
        labeling.save_and_next(store, rex, a.id, a.version, "x", None, (), None)
    with pytest.raises(Forbidden, match="labeling needs"):
        labeling.nudge(store, rex, a.id, a.version, 0.0, 0.05)
    accounts.create_user(store, SYSTEM, "sam", "correct horse battery")
    sam = accounts.login(store, "sam", "correct horse battery")[1]
    with pytest.raises(NoSuchSegment, match=f"^no segment {a.id} that you may open"):  # not "sam has no role in 'demo'"
        labeling.open_segment(store, sam, a.id)
