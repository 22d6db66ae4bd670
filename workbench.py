"""Streamlit entry point: ``streamlit run workbench.py``.

``streamlit run`` finds the ``app = st.App(...)`` below and serves it: Streamlit's pages plus
the clip route (``/clip/<recording>.wav?start=&end=``) that the label page plays segments from.
The same file is the page script: Streamlit runs it as ``__main__`` on every rerun, and then it
opens the workspace once per server process (SQLite in ``data/`` unless
``SPEECHLABEL_DATABASE_URL`` is set), keeps the background job registry for the life of the
server, and routes to the pages in ``views/``.
"""

import streamlit as st

from speechlabel.accounts import ensure_admin
from speechlabel.jobs import PrelabelJobs
from speechlabel.models import Actor, Role
from speechlabel.workspace import Workspace
from views import session


@st.cache_resource
def workspace() -> Workspace:
    return Workspace.shared()


@st.cache_resource
def first_admin_password() -> list[str]:
    """On the very first start, create the admin (password from SPEECHLABEL_ADMIN_PASSWORD, else
    generated). A generated password is printed to the server log and kept here to be shown on
    the sign-in page once; the list is emptied when it has been shown."""
    opened = workspace()
    generated = ensure_admin(opened.store, opened.settings.admin_password)
    if generated:
        print(f"speechlabel: first start — admin account 'admin', password: {generated}", flush=True)
    return [generated] if generated else []


@st.cache_resource
def prelabel_jobs() -> PrelabelJobs:
    # One registry per server process: jobs outlive script runs, browser tabs and reloads.
    opened = workspace()
    return PrelabelJobs(opened.store, opened.settings)


def pages_for(actor: Actor) -> list:
    """The pages a person's roles open: labelers label, reviewers see projects, leads and admins
    also manage users. The domain functions check the same rules again."""
    roles = set(actor.roles.values())
    lead = actor.is_admin or Role.LEAD in roles
    pages = []
    if lead or Role.REVIEWER in roles:
        pages.append(st.Page("views/projects.py", title="Projects", icon=":material/folder:", default=True))
    if lead or Role.LABELER in roles:
        pages.append(st.Page("views/label.py", title="Label", icon=":material/edit_note:", url_path="label",
                             default=not pages))
    if lead:
        pages.append(st.Page("views/users.py", title="Users", icon=":material/group:", url_path="users"))
    if not pages:
        pages.append(st.Page("views/no_role.py", title="Waiting for a role", icon=":material/hourglass_empty:"))
    return pages


def run_pages() -> None:
    st.set_page_config(page_title="speechlabel", page_icon="🎙️", layout="wide")
    opened = workspace()
    st.session_state["workspace"] = opened
    st.session_state["prelabel_jobs"] = prelabel_jobs()
    shown_once = first_admin_password()
    actor = session.current_actor(opened.store)
    session.write_cookie()
    if actor is None:
        if shown_once:
            st.session_state["first_admin_password"] = shown_once.pop()
        st.navigation([st.Page("views/login.py", title="Sign in", icon=":material/login:")]).run()
        return
    st.session_state.pop("first_admin_password", None)
    st.session_state["actor"] = actor
    st.sidebar.caption(f"Signed in as **{actor.username}** ({session.roles_line(opened.store, actor)})")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        session.sign_out(opened.store)
        st.rerun()
    st.navigation(pages_for(actor)).run()


if __name__ == "__main__":
    run_pages()
else:
    # Imported by the server (``streamlit run`` saw an st.App here): serve the pages and the routes.
    from views.routes import routes

    app = st.App("workbench.py", routes=routes())
