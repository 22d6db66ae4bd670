"""Models page (leads and admins): the Whisper models projects draft with, and adding or checking
a model the company already has, from a path on the server (weights are not uploaded through the
browser). Widgets and domain calls only; the domain functions check the permission again."""

from pathlib import Path

import streamlit as st

from speechlabel.accounts.access import require_lead_somewhere
from speechlabel.asr_models.manage import CheckRequest, add_model, check_model, list_models
from speechlabel.core.errors import SpeechLabelError
from views.lang import t
from views.plain import error_md, tm

ORIGINS = {"bundled": "models.origin.bundled", "registered": "models.origin.registered"}

workspace = st.session_state["workspace"]
settings = workspace.settings
actor = st.session_state["actor"]

st.title(t("page.models"))
try:
    require_lead_somewhere(actor, action="managing Whisper models")
except SpeechLabelError as error:
    st.error(error_md(error))
    st.stop()

rows = list_models(settings)
st.dataframe(
    [
        {
            t("models.col.name"): row.name,
            t("models.col.origin"): t(ORIGINS[row.origin]),
            t("models.col.size"): round(row.size_bytes / 1e6) if row.size_bytes is not None else None,
            t("models.col.languages"): t("models.multilingual") if row.multilingual else t("models.english"),
            t("models.col.rtf"): row.verification.rtf if row.verification else None,
            t("models.col.wer"): row.verification.wer if row.verification else None,
            t("models.col.passed"): row.verification.passed if row.verification else None,
            t("models.col.checked"): row.verification.checked_at if row.verification else None,
        }
        for row in rows
    ],
    hide_index=True,
)
st.caption(t("models.caption"))

check_dir = st.text_input(t("models.check_dir"), help=t("models.check_dir_help"))
check = CheckRequest(Path(check_dir) if check_dir.strip() else None)

with st.form("add_model"):
    st.subheader(t("models.add"))
    name = st.text_input(t("models.name"), max_chars=64, placeholder="whisper-small-company")
    path = st.text_input(t("models.path"), help=t("models.path_help"))
    kind = st.selectbox(t("models.kind"), ["auto", "ct2", "hf", "openai"], help=t("models.kind_help"))
    if st.form_submit_button(t("models.add_button"), type="primary"):
        with st.spinner(t("models.adding")):
            try:
                added = add_model(settings, actor, name, Path(path), kind, check)
            except SpeechLabelError as error:
                st.error(error_md(error))
            else:
                st.success(tm("models.added", name=added.name, wer=added.verification.wer, rtf=added.verification.rtf))

registered = [row.name for row in rows if row.origin == "registered"]
if registered:
    with st.form("check_model"):
        chosen = st.selectbox(t("models.check_which"), registered)
        if st.form_submit_button(t("models.check_button")):
            with st.spinner(t("models.checking")):
                try:
                    checked = check_model(settings, actor, chosen, check)
                except SpeechLabelError as error:
                    st.error(error_md(error))
                else:
                    result = checked.verification
                    shown = st.success if result.passed else st.warning
                    shown(tm("models.checked", name=checked.name, wer=result.wer, rtf=result.rtf))
