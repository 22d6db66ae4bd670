"""Users page (leads and admins): people and their roles, handing out work, and the history of
changes. Widgets and domain calls only; the domain functions check every permission again."""

import streamlit as st

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import role_in, visible_projects
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import AssignmentSettings, Role
from speechlabel.core.project_settings import ASSIGNMENT
from speechlabel.labeling import assignment, double_labeling
from speechlabel.labeling.history import segment_history
from speechlabel.projects.manage import update_assignment_settings
from views.forms import setting_fields
from views.lang import label, label_format, t
from views.plain import error_md, tm

workspace = st.session_state["workspace"]
store = workspace.store
actor = st.session_state["actor"]
led = [p for p in visible_projects(store, actor) if role_in(actor, p.id) == Role.LEAD]


def attempt(action, success: str) -> None:
    """Run one domain call; show its error or its success."""
    try:
        action()
    except SpeechLabelError as error:
        st.error(error_md(error))
    else:
        st.success(success)


st.title(t("page.users"))
st.dataframe(
    [
        {
            t("users.col.user"): entry.user.username,
            t("users.col.admin"): entry.user.is_admin,
            t("users.col.roles"): t("list.separator").join(
                t("sidebar.role_in", role=label(role), project=name) for name, role in entry.roles.items()
            )
            or "—",
            t("users.col.disabled"): entry.user.disabled,
        }
        for entry in accounts.list_users(store, actor)
    ],
    hide_index=True,
    width="stretch",
)

if actor.is_admin:
    with st.expander(t("users.add")), st.form("add_user", clear_on_submit=True):
        name = st.text_input(t("login.username"), max_chars=40)
        password = st.text_input(t("users.password"), type="password", max_chars=200)
        admin = st.checkbox(t("users.admin"))
        if st.form_submit_button(t("users.add_submit")):
            attempt(
                lambda: accounts.create_user(store, actor, name, password, is_admin=admin), tm("users.added", name=name)
            )

if not led:
    st.info(t("users.no_project"))
    st.stop()

# One selectbox call per run: a widget created inside the generator below was created again for
# every project passed over (StreamlitDuplicateElementKey for all but the first project).
chosen_name = st.selectbox(t("common.project"), [p.name for p in led], key="users_project")
project = next(p for p in led if p.name == chosen_name)

with st.expander(t("users.give_role")), st.form("give_role", clear_on_submit=True):
    who = st.text_input(t("login.username"), max_chars=40, key="role_user")
    roles = list(Role)  # not inline: there mypy picks Streamlit's empty-options overload (None)
    role = st.selectbox(t("users.role"), roles, format_func=label_format())
    if st.form_submit_button(t("users.give_role_submit")):
        attempt(
            lambda: accounts.set_role(store, actor, who, project, role),
            tm("users.role_given", name=who, role=label(role), project=project.name),
        )

with st.expander(t("users.hand_out")):
    with st.form("assign", clear_on_submit=True):
        to = st.text_input(t("users.assign_to"), max_chars=40, key="assign_to")
        count = st.number_input(t("users.segments"), 1, 100_000, 20)
        if st.form_submit_button(t("users.assign")):
            attempt(
                lambda: assignment.assign_segments(store, actor, project, to, int(count)),
                tm("users.assigned", count=int(count), name=to),
            )
    with st.form(f"assignment_settings_{project.id}"):  # per project: its own values
        values = setting_fields(project.assignment_settings, ASSIGNMENT)
        if st.form_submit_button(t("common.save")):
            wanted = AssignmentSettings(**values)
            attempt(lambda: update_assignment_settings(store, actor, project, wanted), t("common.saved"))

st.subheader(t("users.history"))
segment_id = st.text_input(t("users.history_segment"), key="history_segment").strip()
if segment_id:
    try:
        revisions = segment_history(store, actor, segment_id)
    except SpeechLabelError as error:
        st.error(error_md(error))
    else:
        st.dataframe(
            [
                {
                    t("users.col.version"): r.version,
                    t("users.col.by"): r.author,
                    t("users.col.at"): r.created_at,
                    t("users.col.status"): label(r.status),
                    t("users.col.text"): r.text,
                    t("users.col.speaker"): r.speaker or "",
                    t("users.col.tags"): ", ".join(r.tags),
                    t("users.col.comment"): r.comment or "",
                }
                for r in revisions
            ],
            hide_index=True,
            width="stretch",
        )
        second = double_labeling.second_label_of(store, actor, segment_id)
        if second is not None and second.done:
            st.caption(
                tm("users.second_label", name=second.labeler, at=f"{second.saved_at:%Y-%m-%d %H:%M}", text=second.text)
            )
        elif second is not None:
            st.caption(t("users.second_pending"))
entries = accounts.list_audit(store, actor, project_id=project.id, limit=200)
st.caption(t("users.audit"))
st.dataframe(
    [
        {
            t("users.col.at"): e.at,
            t("users.col.by"): e.actor,
            t("users.col.action"): e.action,
            t("users.col.target"): e.target or "",
            t("users.col.details"): str(e.details),
        }
        for e in entries
    ],
    hide_index=True,
    width="stretch",
)
