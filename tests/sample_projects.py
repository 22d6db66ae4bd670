"""Projects, people and drafts the tests build in a store: plain functions (the fixtures over
them are in tests/conftest.py)."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import replace
from pathlib import Path

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Actor, Draft, LabelSettings, Role
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from tests.app_session import PASSWORD

# --- people -------------------------------------------------------------------------------------


def member(store, project, name: str, role: Role = Role.LABELER) -> Actor:
    """A new user with ``role`` in ``project``, signed in."""
    accounts.create_user(store, SYSTEM, name, PASSWORD)
    accounts.set_role(store, SYSTEM, name, project.name, role)
    return accounts.login(store, name, PASSWORD)[1]


def signed_in(store, project, name: str, role: Role) -> Actor:
    accounts.create_user(store, SYSTEM, name, PASSWORD)
    accounts.set_role(store, SYSTEM, name, project.name, role)
    return accounts.login(store, name, PASSWORD)[1]


def drafts_for_all(store, project):
    """The project without a from-scratch share: every segment shows its draft. For tests that
    compare what a labeler is shown with the draft: the default share (2 %) would pick some of
    their segments, whose ids are random, and show those empty."""
    return store.update_assignment_settings(project.id, replace(project.assignment_settings, from_scratch_share=0.0))


# --- recordings with drafts ---------------------------------------------------------------------


def a_draft(text: str) -> Draft:
    return Draft(text, (), -0.3, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {})


def add_recording(store, settings, project, speech_dir, name, bounds, texts):
    data = (speech_dir / name).read_bytes()
    recording = import_audio(store, settings, project, data, name)
    segments = store.replace_segments(recording.id, project.id, bounds, {}, "prelabel")
    return recording, [store.add_draft(s.id, a_draft(t), "prelabel") for s, t in zip(segments, texts)]


# --- a KsponSpeech project ----------------------------------------------------------------------


def add_kspon_project(store, settings, speech_dir):
    """A KsponSpeech project (language ko) with two drafted segments of real audio; ana labels."""
    project = create_project(
        store, "kspon", language="ko", actor=SYSTEM, label_settings=LabelSettings(speakers=("A", "B"))
    )
    recording = import_audio(store, settings, project, (speech_dir / "en/LDC93S1.wav").read_bytes(), "a.wav")
    for segment, text in zip(
        store.replace_segments(recording.id, project.id, [(0.1, 1.2), (1.5, 2.8)], {}, "prelabel"),
        ("모 몬 소리야", "확률이라니"),
    ):
        store.add_draft(
            segment.id, Draft(text, (), -0.3, 0.02, 1.2, "ko", 0.99, "faster-whisper", "base", {}), "prelabel"
        )
    accounts.create_user(store, SYSTEM, "ana", PASSWORD)
    accounts.set_role(store, SYSTEM, "ana", "kspon", Role.LABELER)
    return drafts_for_all(store, store.get_project("kspon"))


# --- "calls": real speech with tiny.en's real drafts --------------------------------------------

RECORDINGS = ("en/jfk.wav", "en/LDC93S1.wav")
CALLS_LABEL_SETTINGS = LabelSettings(speakers=("Kennedy", "Reporter"), tags=("noise", "music"), low_confidence=0.9)
_WORK = tempfile.TemporaryDirectory(prefix="speechlabel-drafts-")


@functools.cache
def real_drafts(speech_dir: Path) -> dict[str, list]:
    """jfk.wav and LDC93S1.wav segmented and drafted for real (tiny.en), once per process: for
    each recording, its segments' (start, end, draft) in time order."""
    from speechlabel.prelabel.pipeline import prelabel_project

    folder = Path(_WORK.name)
    store = Store.open(f"sqlite:///{folder / 'drafts.db'}")
    settings = Settings(data_dir=folder / "data")
    project = create_project(
        store,
        "calls",
        language="en",
        actor=SYSTEM,
        segment_options=SegmentOptions(target_duration=0.0, min_silence=0.3),
        transcribe_options=TranscribeOptions(model="tiny.en"),
        label_settings=CALLS_LABEL_SETTINGS,
    )
    for name in RECORDINGS:
        import_audio(store, settings, project, (speech_dir / name).read_bytes(), Path(name).name)
    prelabel_project(store, settings, project)
    drafted = {}
    for recording in store.list_recordings(project.id):
        drafted[recording.label] = [
            (s.start, s.end, store.latest_draft(s.id)) for s in store.list_segments(recording.id)
        ]
    store.close()
    return drafted


def add_calls_project(store, settings, speech_dir):
    """The project "calls" of the real drafts in ``store``; ana and tom label, ben and lea lead."""
    project = create_project(
        store,
        "calls",
        language="en",
        actor=SYSTEM,
        segment_options=SegmentOptions(target_duration=0.0, min_silence=0.3),
        transcribe_options=TranscribeOptions(model="tiny.en"),
        label_settings=CALLS_LABEL_SETTINGS,
    )
    drafted = real_drafts(speech_dir)
    for name in RECORDINGS:
        label = Path(name).name
        recording = import_audio(store, settings, project, (speech_dir / name).read_bytes(), label)
        spans = drafted[label]
        segments = store.replace_segments(
            recording.id, project.id, [(start, end) for start, end, _ in spans], {}, "prelabel"
        )
        for segment, (_, _, draft) in zip(segments, spans):
            store.add_draft(segment.id, replace(draft, id=None, segment_id=None, created_at=None), "prelabel")
    for name, role in (("ana", Role.LABELER), ("tom", Role.LABELER), ("ben", Role.LEAD), ("lea", Role.LEAD)):
        accounts.create_user(store, SYSTEM, name, PASSWORD)
        accounts.set_role(store, SYSTEM, name, "calls", role)
    return drafts_for_all(store, store.get_project("calls"))


def segments_in_order(store, project):
    recordings = sorted(store.list_recordings(project.id), key=lambda r: r.id)
    return [s for r in recordings for s in store.list_segments(r.id)]
