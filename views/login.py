"""Sign-in page: username and password (or the deployment's OIDC provider via st.login)."""

import streamlit as st

from speechlabel.accounts import users as accounts
from speechlabel.core.errors import SpeechLabelError
from views import session
from views.lang import t
from views.plain import error_md, md

workspace = st.session_state["workspace"]

st.title(t("login.title"))
message = session.login_message()
if message:
    st.warning(md(message))
if session.oidc_configured():  # the deployment's identity provider signs people in (st.login)
    for provider in session.oidc_providers():
        st.button(
            t("login.with_provider", provider=provider) if provider else t("login.with_organisation"),
            on_click=st.login,
            args=(provider,) if provider else (),
        )
    st.stop()
with st.form("sign_in"):
    username = st.text_input(t("login.username"), max_chars=40, autocomplete="username")
    password = st.text_input(t("login.password"), type="password", max_chars=200, autocomplete="current-password")
    if st.form_submit_button(t("login.submit"), type="primary"):
        try:
            token, actor = accounts.login(
                workspace.store,
                username,
                password,
                session_seconds=workspace.settings.session_seconds,
                address=st.context.ip_address,
            )
        except SpeechLabelError as error:
            st.error(error_md(error))
        else:
            session.signed_in(token, actor)
            st.rerun()
