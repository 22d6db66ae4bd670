"""Widgets shared by pages: they collect input and show results, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from speechlabel.bundled_models import BUNDLED_MODELS
from speechlabel.ingest import import_uploads
from speechlabel.jobs import JobState, JobStatus
from speechlabel.models import LabelSettings
from speechlabel.projects import split_names
from speechlabel.segment import SegmentOptions
from speechlabel.transcribe_options import TranscribeOptions

LANGUAGES = ["auto", "ko", "en", "ja", "zh", "de", "fr", "es"]


@dataclass(frozen=True)
class ProjectFormValues:
    name: str
    language: str
    model: str
    beam_size: int
    max_duration: float
    glossary: tuple[str, ...]
    label_settings: LabelSettings


def project_fields() -> ProjectFormValues:
    name = st.text_input("Name", max_chars=100, placeholder="factory-commands-ko")
    left, middle, right = st.columns(3)
    language = left.selectbox("Language", LANGUAGES, help="Forced on every draft; 'auto' detects per segment.")
    model = middle.selectbox("Model", list(BUNDLED_MODELS), help="base: multilingual; tiny.en: English, faster.")
    beam_size = right.number_input("Beam size", 1, 16, TranscribeOptions.beam_size)
    max_duration = st.slider("Longest segment (s)", 2.0, 30.0, SegmentOptions.max_duration, 0.5)
    glossary = st.text_area("Glossary (one term per line)", placeholder="컨베이어\nPLC\nOK Nova")
    terms = tuple(line.strip() for line in glossary.splitlines() if line.strip())
    labels = label_settings_fields(LabelSettings(), key="new_project")
    return ProjectFormValues(name, language, model, int(beam_size), float(max_duration), terms, labels)


def label_settings_fields(current: LabelSettings, key: str) -> LabelSettings:
    """Speakers, tags and threshold, prefilled with ``current``; checked by the domain call."""
    left, right = st.columns(2)
    speakers = left.text_area(
        "Speakers (one per line or comma-separated)", "\n".join(current.speakers), key=f"{key}_speakers",
        placeholder="operator\nsupervisor", help="Number keys 1-9 pick the first nine on the label page.")
    tags = right.text_area(
        "Tags (one per line or comma-separated)", "\n".join(current.tags), key=f"{key}_tags",
        help="Noise and event tags a labeler can put on a segment.")
    low = st.slider("Low-confidence threshold", 0.0, 1.0, float(current.low_confidence), 0.05, key=f"{key}_low",
                    help="Draft words Whisper scored below this are marked for checking.")
    # The slider's float steps drift (0.35000000000000003); keep the value people chose.
    return LabelSettings(split_names(speakers), split_names(tags), round(low, 4))


def upload_audio(store, settings, project) -> None:
    """Upload many files; each is imported on its own, so one bad file does not stop the rest."""
    counter = st.session_state.setdefault("upload_round", 0)
    files = st.file_uploader("Upload audio", accept_multiple_files=True, key=f"upload_{counter}",
                             type=["wav", "flac", "ogg", "opus", "mp3", "m4a", "aac", "mp4", "webm"])
    if files and st.button(f"Import {len(files)} file(s)"):
        bar = st.progress(0.0)
        report = import_uploads(store, settings, project, [(f.name, f.getvalue()) for f in files],
                                actor=st.session_state["actor"],
                                on_file=lambda name, i, n: bar.progress(i / n, text=f"importing {name}"))
        bar.progress(1.0, text="done")
        st.session_state["upload_report"] = report
        st.session_state["upload_round"] = counter + 1  # a fresh uploader: the files are in
        st.rerun()
    report = st.session_state.get("upload_report")
    if report is not None:
        for recording in report.imported:
            st.success(f"{recording.label}: imported — {recording.duration:.1f} s")
        for failure in report.failures:
            st.error(f"{failure.source}: failed — {failure.message}")
        for duplicate in report.duplicates:
            st.warning(f"{duplicate.source}: duplicate — {duplicate.message}")


def show_job(status: JobStatus) -> None:
    progress = status.progress
    if status.state == JobState.FAILED:
        st.error(f"Pre-labeling stopped: {status.error}. Start it again to continue where it stopped.")
    if progress is None:
        st.progress(0.0, text="pre-labeling: starting…")
        return
    share = progress.audio_seconds_done / progress.audio_seconds_total if progress.audio_seconds_total else 1.0
    left = status.seconds_left
    eta = f", about {left / 60:.1f} min left" if left is not None and status.state == JobState.RUNNING else ""
    st.progress(min(share, 1.0), text=(
        f"pre-labeling {status.state.value}: {progress.recordings_done}/{progress.recordings_total} recordings, "
        f"{progress.audio_seconds_done / 60:.1f}/{progress.audio_seconds_total / 60:.1f} audio min, "
        f"{progress.segments_drafted} drafts{eta}"))
