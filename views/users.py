"""Users page (leads and admins): people and their roles, handing out work, and the history of
changes. Widgets and domain calls only; the domain functions check every permission again."""

import streamlit as st

from speechlabel import accounts, assignment, double_labeling
from speechlabel.access import role_in, visible_projects
from speechlabel.errors import SpeechLabelError
from speechlabel.history import segment_history
from speechlabel.models import AssignmentSettings, Role
from speechlabel.projects import update_assignment_settings

workspace = st.session_state["workspace"]
store = workspace.store
actor = st.session_state["actor"]
led = [p for p in visible_projects(store, actor) if role_in(actor, p.id) == Role.LEAD]


def attempt(action, success: str) -> None:
    """Run one domain call; show its error or its success."""
    try:
        action()
    except SpeechLabelError as error:
        st.error(str(error))
    else:
        st.success(success)


st.title("Users")
st.dataframe([{"user": entry.user.username, "admin": entry.user.is_admin,
               "roles": ", ".join(f"{role.value} in {name}" for name, role in entry.roles.items()) or "—",
               "disabled": entry.user.disabled} for entry in accounts.list_users(store, actor)],
             hide_index=True, width="stretch")

if actor.is_admin:
    with st.expander("Add a user"), st.form("add_user", clear_on_submit=True):
        name = st.text_input("Username", max_chars=40)
        password = st.text_input("Password (8–200 characters)", type="password", max_chars=200)
        admin = st.checkbox("Admin")
        if st.form_submit_button("Add user"):
            attempt(lambda: accounts.create_user(store, actor, name, password, is_admin=admin), f"Added {name}.")

if not led:
    st.info("You lead no project yet.")
    st.stop()

project = next(p for p in led if p.name == st.selectbox("Project", [p.name for p in led], key="users_project"))

with st.expander("Give a role"), st.form("give_role", clear_on_submit=True):
    who = st.text_input("Username", max_chars=40, key="role_user")
    role = st.selectbox("Role", [r.value for r in Role])
    if st.form_submit_button("Give role"):
        attempt(lambda: accounts.set_role(store, actor, who, project, role), f"{who} is now {role} in {project.name}.")

with st.expander("Hand out work"):
    with st.form("assign", clear_on_submit=True):
        to = st.text_input("To (a labeler or lead of the project)", max_chars=40, key="assign_to")
        count = st.number_input("Segments", 1, 100_000, 20)
        if st.form_submit_button("Assign"):
            attempt(lambda: assignment.assign_segments(store, actor, project, to, int(count)),
                    f"Leased up to {int(count)} free segments to {to}.")
    current = project.assignment_settings
    with st.form("assignment_settings"):
        batch = st.number_input("Batch size (segments per claim)", 1, 500, current.batch_size)
        minutes = st.number_input("Lease (minutes without a save)", 1.0, 10_080.0, float(current.lease_minutes))
        quota = st.number_input("Daily quota per labeler (0: none)", 0, 100_000, current.daily_quota or 0)
        double = st.slider("Double-labeled share (a second labeler transcribes these independently)",
                           0.0, 1.0, float(current.double_share), 0.05)
        if st.form_submit_button("Save"):
            wanted = AssignmentSettings(int(batch), float(minutes), int(quota) or None, float(double))
            attempt(lambda: update_assignment_settings(store, actor, project, wanted), "Saved.")

st.subheader("History")
segment_id = st.text_input("A segment's history (segment id)", key="history_segment").strip()
if segment_id:
    try:
        revisions = segment_history(store, actor, segment_id)
    except SpeechLabelError as error:
        st.error(str(error))
    else:
        st.dataframe([{"version": r.version, "by": r.author, "at": r.created_at, "status": r.status.value,
                       "text": r.text, "speaker": r.speaker or "", "tags": ", ".join(r.tags), "comment": r.comment or ""}
                      for r in revisions], hide_index=True, width="stretch")
        second = double_labeling.second_label_of(store, actor, segment_id)
        if second is not None and second.done:
            st.caption(f"Second labeling by {second.labeler} at {second.saved_at:%Y-%m-%d %H:%M} UTC "
                       f"(independent): {second.text}")
        elif second is not None:
            st.caption("Picked for a second labeling; not saved yet.")
entries = accounts.list_audit(store, actor, project_id=project.id, limit=200)
st.caption("Changes to roles and work in this project")
st.dataframe([{"at": e.at, "by": e.actor, "action": e.action, "target": e.target or "", "details": str(e.details)}
              for e in entries], hide_index=True, width="stretch")
