"""The projects page's speaker and recording metadata forms: widgets and domain calls only."""

from __future__ import annotations

import enum

import streamlit as st

from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.metadata import (
    ENVIRONMENT_SUGGESTIONS,
    AgeGroup,
    Gender,
    MicDistance,
    RecordingMetadata,
    SpeakerMetadata,
)
from speechlabel.core.models import Project
from speechlabel.projects.metadata import set_recording_metadata, set_speaker_metadata
from views.lang import label, t
from views.plain import error_md


def metadata_forms(store, actor, project: Project) -> None:
    """One form for a speaker and one for a recording, each prefilled with what is stored."""
    speaker_form(store, actor, project)
    recording_form(store, actor, project)


def speaker_form(store, actor, project: Project) -> None:
    stored = store.speaker_metadata(project.id)
    names = sorted({*project.label_settings.speakers, *store.project_speakers(project.id)})
    if not names:
        st.caption(t("metadata.no_speakers"))
        return
    name = st.selectbox(t("metadata.speaker"), names, key=f"meta_speaker_{project.id}")
    current = stored.get(name, SpeakerMetadata())
    with st.form(f"speaker_metadata_{project.id}_{name}"):
        left, right = st.columns(2)
        gender = _choice(left, "metadata.gender", Gender, current.gender)
        age_group = _choice(right, "metadata.age_group", AgeGroup, current.age_group)
        dialect = left.text_input(t("metadata.dialect"), current.dialect or "")
        native = right.text_input(t("metadata.native_language"), current.native_language or "")
        if st.form_submit_button(t("metadata.save_speaker")):
            _save(
                lambda: set_speaker_metadata(
                    store, project, name, SpeakerMetadata.from_text(gender, age_group, dialect, native), actor=actor
                )
            )


def recording_form(store, actor, project: Project) -> None:
    recordings = store.list_recordings(project.id)
    if not recordings:
        return
    labels = {recording.id: f"{recording.label} ({recording.id})" for recording in recordings}
    chosen = st.selectbox(
        t("metadata.recording"), list(labels), format_func=labels.__getitem__, key=f"meta_recording_{project.id}"
    )
    current = store.recording_metadata(project.id).get(chosen, RecordingMetadata())
    with st.form(f"recording_metadata_{project.id}_{chosen}"):
        left, right = st.columns(2)
        environment = left.text_input(
            t("metadata.environment"),
            current.environment or "",
            help=t("metadata.environment_help", examples=", ".join(ENVIRONMENT_SUGGESTIONS)),
        )
        device = right.text_input(t("metadata.device"), current.device or "")
        distance = _choice(left, "metadata.mic_distance", MicDistance, current.mic_distance)
        if st.form_submit_button(t("metadata.save_recording")):
            _save(
                lambda: set_recording_metadata(
                    store, project, chosen, RecordingMetadata.from_text(environment, device, distance), actor=actor
                )
            )


def _choice(column, key: str, kind: type[enum.Enum], current: enum.Enum | None) -> enum.Enum | None:
    options: list[enum.Enum | None] = [None, *kind]
    # Names computed here: AppTest calls format_func outside the script run (views/lang.translator).
    names = {member: label(member) if member is not None else t("metadata.not_set") for member in options}
    return column.selectbox(t(key), options, index=options.index(current), format_func=names.__getitem__)


def _save(call) -> None:
    try:
        call()
    except SpeechLabelError as error:
        st.error(error_md(error))
    else:
        st.success(t("metadata.saved"))
