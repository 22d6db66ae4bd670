"""The projects page's recording checks: the lead's form (limits, refuse or flag) and each
recording's flags in the page's language. Widgets and domain calls only."""

from __future__ import annotations

import streamlit as st

from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Project, Recording
from speechlabel.core.project_settings import QC
from speechlabel.core.qc import QcAction, QcRules
from speechlabel.core.qc_text import failure_text
from speechlabel.projects.qc import update_qc_rules
from views.forms import setting_fields
from views.lang import current_lang, label_format, t
from views.plain import error_md


def qc_form(store, actor, project: Project) -> Project:
    """The recording checks of ``project`` (a form per project: switching shows its own values);
    returns the project as saved (or as it was)."""
    with st.form(f"qc_rules_{project.id}"):
        st.caption(t("qc.help"))
        values = setting_fields(project.qc_rules, QC)
        actions = list(QcAction)
        action = st.radio(
            t("qc.action"),
            actions,
            index=actions.index(project.qc_rules.action),
            format_func=label_format(),
            horizontal=True,
            # Per language too: a choice is kept by its label, which a language switch changes.
            key=f"qc_action_{project.id}_{current_lang().value}",
        )
        if not st.form_submit_button(t("qc.save")):
            return project
    try:
        project = update_qc_rules(store, actor, project, QcRules(**values, action=action))
    except SpeechLabelError as error:
        st.error(error_md(error))
    else:
        st.success(t("qc.saved"))
    return project


def qc_flag_texts(recording: Recording) -> list[str]:
    """Each check ``recording`` broke at import: the rule, what was measured, what is allowed."""
    lang = current_lang()
    return [failure_text(failure, lang) for failure in recording.qc_flags]
