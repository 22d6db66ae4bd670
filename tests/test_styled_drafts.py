"""Drafts in the project's convention where they are made and shown: the pipeline keeps
Whisper's text and words in the draft and starts the segment with the styled text; a second
labeler and a reviewer see the same styled draft."""

from __future__ import annotations

from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import AIHUB, KSPON
from speechlabel.core.models import Draft, Segment, SegmentStatus, Word
from speechlabel.core.project_scheme import DraftStyle, draft_style
from speechlabel.ingest.files import import_audio
from speechlabel.labeling.double_labeling import masked
from speechlabel.labeling.draft_view import draft_view
from speechlabel.prelabel.pipeline import prelabel_project
from speechlabel.projects.manage import create_project

RAW = "어 70% 확률이라니"
WORDS = (("어", 0.1, 0.3), ("70%", 0.4, 1.0), ("확률이라니", 1.1, 1.8))


def a_draft(offset: float, language: str = "ko") -> Draft:
    words = tuple(Word(symbol, offset + start, round(end - start, 3), 0.9) for symbol, start, end in WORDS)
    return Draft(RAW, words, -0.3, 0.02, 1.2, language, 0.99, "fake", "fake", {"beam_size": 1})


class SaysTheSame:
    """An engine that hears the same Korean sentence in every segment (no model is loaded)."""

    name, model = "fake", "fake"

    def transcribe_window(self, samples, spans, options, offset=0.0):
        return [a_draft(offset + start) for start, _ in spans]


def test_the_pipeline_starts_each_segment_with_its_draft_in_the_projects_convention(store, settings, speech_dir):
    project = create_project(store, "styled", language="ko", actor=SYSTEM)
    audio = (speech_dir / "en" / "jfk.wav").read_bytes()
    recording = import_audio(store, settings, project, audio, "jfk.wav")
    assert prelabel_project(store, settings, project, engine=SaysTheSame()).segments_drafted >= 1
    for segment in store.list_segments(recording.id):
        assert segment.text == "어/ (70%)/(칠십 퍼센트) 확률이라니"
        (draft,) = store.list_drafts(segment.id)
        # Whisper's text and word timings stay in the draft, with how the text was styled.
        assert draft.text == RAW and [word.symbol for word in draft.words] == ["어", "70%", "확률이라니"]
        assert draft.options == {
            "beam_size": 1,
            "style": {"scheme": "kspon", "numbers": True, "fillers": True, "punctuation": True},
        }
        assert store.list_revisions(segment.id)[-1].text == segment.text


def test_a_second_labeler_and_the_review_diff_start_from_the_styled_draft():
    segment = Segment("rec-1-a", "rec-1", 0.0, 2.0, "first labeler's text", SegmentStatus.SUBMITTED, 3)
    view = draft_view([a_draft(0.0)], segment, 0.5, DraftStyle(AIHUB))
    assert view.text == RAW  # the words with their timings, as Whisper wrote them
    assert view.proposed == "(FP:어) (70%)/(칠십 퍼센트) 확률이라니"
    assert masked(segment, view).text == view.proposed
    assert draft_view([a_draft(0.0)], segment, 0.5).proposed == RAW  # no style: as it is


def test_a_projects_style_follows_its_scheme(store):
    korean = create_project(store, "ko-style", language="ko", actor=SYSTEM)
    english = create_project(store, "en-style", language="en", actor=SYSTEM)
    assert draft_style(korean).scheme == KSPON
    assert draft_style(english).text("um, it's 5") == "%um, it's 5"
