"""Streamlit entry point: ``streamlit run workbench.py``.

``streamlit run`` finds the ``app = st.App(...)`` below and serves it: Streamlit's pages plus
the clip route (``/clip/<recording>.wav?start=&end=``) that the label page plays segments from,
the label loop's JSON routes (``/api/label/...``) and the audio upload route
(``/api/upload/<project>``), all answered ahead of Streamlit's own middleware
(``views.routes.OwnRoutesFirst``).
The same file is the page script: Streamlit runs it as ``__main__`` on every rerun, and then it
opens the workspace once per server process (SQLite in ``data/`` unless
``SPEECHLABEL_DATABASE_URL`` is set), keeps the background job registry for the life of the
server, and routes to the pages in ``views/``.
"""

import logging

import streamlit as st

from speechlabel.accounts.users import ensure_admin
from speechlabel.core.errors import SpeechLabelError
from speechlabel.prelabel.local_worker import PrelabelJobs
from speechlabel.workspace.workspace import Workspace
from views import session
from views.lang import language_switch, t
from views.navigation import pages_for
from views.plain import error_md, tm

log = logging.getLogger(__name__)


@st.cache_resource
def workspace() -> Workspace:
    return Workspace.shared()


def announce_first_admin() -> None:
    """At server start: while no admin exists, create ``admin`` (password from
    SPEECHLABEL_ADMIN_PASSWORD, else generated) and print a generated password on the server's
    console only. It is never shown in a browser: whoever opened the sign-in page first would
    have been given the admin account."""
    opened = Workspace.shared()
    try:
        generated = ensure_admin(opened.store, opened.settings.admin_password)
    except SpeechLabelError as error:  # e.g. 'admin' taken by a non-admin: say so, serve the app anyway
        print(f"speechlabel: no first admin was created: {error}", flush=True)
        return
    if generated:
        print(f"speechlabel: first start — admin account 'admin', password: {generated}", flush=True)


@st.cache_resource
def prelabel_jobs() -> PrelabelJobs:
    # One per server process: it keeps this server's local worker process (jobs live in the database).
    opened = workspace()
    return PrelabelJobs(opened.store, opened.settings)


def run_pages() -> None:
    st.set_page_config(page_title="speechlabel", page_icon="🎙️", layout="wide")
    try:
        show_pages()
    except SpeechLabelError as error:
        # The last resort for an error no page caught (a database failure in a page's reads,
        # StoreUnavailable): its message, never a traceback (.streamlit/config.toml hides those).
        log.warning("a page stopped on %s: %s", type(error).__name__, error)
        st.error(error_md(error))


def show_pages() -> None:
    opened = workspace()
    st.session_state["workspace"] = opened
    st.session_state["prelabel_jobs"] = prelabel_jobs()
    actor = session.current_actor(opened.store)
    session.write_cookie()
    language_switch(opened.store, actor)
    if actor is None:
        st.navigation([st.Page("views/login.py", title=t("page.sign_in"), icon=":material/login:")]).run()
        return
    st.session_state["actor"] = actor
    st.sidebar.caption(tm("sidebar.signed_in_as", user=actor.username, roles=session.roles_line(opened.store, actor)))
    if st.sidebar.button(t("sidebar.sign_out"), icon=":material/logout:"):
        session.sign_out(opened.store)
        st.rerun()
    st.navigation(pages_for(actor)).run()


if __name__ == "__main__":
    run_pages()
else:
    # Imported by the server (``streamlit run`` saw an st.App here) once, when it starts: create
    # the first admin, then serve the pages and the routes.
    from starlette.middleware import Middleware

    from views.routes import OwnRoutesFirst

    announce_first_admin()
    app = st.App("workbench.py", middleware=[Middleware(OwnRoutesFirst)])
