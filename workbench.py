"""Streamlit entry point: ``streamlit run workbench.py``.

Opens the workspace once per server process (SQLite in ``data/`` unless
``SPEECHLABEL_DATABASE_URL`` is set), keeps the background job registry for the life of the
server, and routes to the pages in ``views/``.
"""

import streamlit as st

from speechlabel.jobs import PrelabelJobs
from speechlabel.workspace import Workspace


@st.cache_resource
def workspace() -> Workspace:
    return Workspace.open()


@st.cache_resource
def prelabel_jobs() -> PrelabelJobs:
    # One registry per server process: jobs outlive script runs, browser tabs and reloads.
    opened = workspace()
    return PrelabelJobs(opened.store, opened.settings)


st.set_page_config(page_title="speechlabel", page_icon="🎙️", layout="wide")
st.session_state["workspace"] = workspace()
st.session_state["prelabel_jobs"] = prelabel_jobs()
pages = [st.Page("views/projects.py", title="Projects", icon="📁", default=True)]
st.navigation(pages).run()
