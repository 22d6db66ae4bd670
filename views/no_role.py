"""Shown to someone signed in without any role yet."""

import streamlit as st

st.title("Waiting for a role")
st.info("You are signed in, but no project has given you a role yet. Ask a project lead or an admin.")
