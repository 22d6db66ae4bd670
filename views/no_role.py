"""Shown to someone signed in without any role yet."""

import streamlit as st

from views.lang import t

st.title(t("page.no_role"))
st.info(t("no_role.info"))
