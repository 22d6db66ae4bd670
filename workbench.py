"""Streamlit entry point: ``streamlit run workbench.py``.

Opens the workspace once per server process (SQLite in ``data/`` unless
``SPEECHLABEL_DATABASE_URL`` is set) and routes to the pages in ``views/``.
"""

import streamlit as st

from speechlabel.workspace import Workspace


@st.cache_resource
def workspace() -> Workspace:
    return Workspace.open()


st.set_page_config(page_title="speechlabel", page_icon="🎙️", layout="wide")
st.session_state.setdefault("workspace", workspace())
pages = [st.Page("views/projects.py", title="Projects", icon="📁", default=True)]
st.navigation(pages).run()
