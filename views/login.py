"""Sign-in page: username and password (or the deployment's OIDC provider via st.login)."""

import streamlit as st

from speechlabel import accounts
from speechlabel.errors import SpeechLabelError
from views import session

workspace = st.session_state["workspace"]

st.title("Sign in")
message = session.login_message()
if message:
    st.warning(message)
if session.oidc_configured():  # the deployment's identity provider signs people in (st.login)
    for provider in session.oidc_providers():
        st.button(f"Sign in with {provider or 'your organisation'}", on_click=st.login,
                  args=(provider,) if provider else ())
    st.stop()
first_password = st.session_state.get("first_admin_password")
if first_password:
    st.warning(f"First start: the admin account is **admin** with password `{first_password}` — shown once; "
               "keep it safe (or set SPEECHLABEL_ADMIN_PASSWORD before the first start).")
with st.form("sign_in"):
    username = st.text_input("Username", max_chars=40, autocomplete="username")
    password = st.text_input("Password", type="password", max_chars=200, autocomplete="current-password")
    if st.form_submit_button("Sign in", type="primary"):
        try:
            token, actor = accounts.login(workspace.store, username, password,
                                          session_seconds=workspace.settings.session_seconds)
        except SpeechLabelError as error:
            st.error(str(error))
        else:
            session.signed_in(token, actor)
            st.rerun()
