"""Streamlit entry point: ``streamlit run workbench.py``.

``streamlit run`` finds the ``app = st.App(...)`` below and serves it: Streamlit's pages plus
the clip route (``/clip/<recording>.wav?start=&end=``) that the label page plays segments from.
The same file is the page script: Streamlit runs it as ``__main__`` on every rerun, and then it
opens the workspace once per server process (SQLite in ``data/`` unless
``SPEECHLABEL_DATABASE_URL`` is set), keeps the background job registry for the life of the
server, and routes to the pages in ``views/``.
"""

import streamlit as st

from speechlabel.jobs import PrelabelJobs
from speechlabel.workspace import Workspace


@st.cache_resource
def workspace() -> Workspace:
    return Workspace.shared()


@st.cache_resource
def prelabel_jobs() -> PrelabelJobs:
    # One registry per server process: jobs outlive script runs, browser tabs and reloads.
    opened = workspace()
    return PrelabelJobs(opened.store, opened.settings)


def run_pages() -> None:
    st.set_page_config(page_title="speechlabel", page_icon="🎙️", layout="wide")
    st.session_state["workspace"] = workspace()
    st.session_state["prelabel_jobs"] = prelabel_jobs()
    pages = [
        st.Page("views/projects.py", title="Projects", icon=":material/folder:", default=True),
        st.Page("views/label.py", title="Label", icon=":material/edit_note:", url_path="label"),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":
    run_pages()
else:
    # Imported by the server (``streamlit run`` saw an st.App here): serve the pages and the routes.
    from views.routes import routes

    app = st.App("workbench.py", routes=routes())
