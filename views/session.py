"""Who is signed in, for every script run.

The session token lives in ``st.session_state["session_token"]``; ``current_actor`` checks it
with ``accounts.authenticate`` on every run (so role changes apply at once) and puts the Actor in
``st.session_state["actor"]`` for the pages. A browser reload starts a new Streamlit session, so
the token is also kept in the cookie ``speechlabel_session`` (Path=/, SameSite=Strict, Max-Age =
what is left of the session, Secure over https): a small inline-JS component writes it after a
sign-in and deletes it after a sign-out or an expired session; a fresh session reads it once
from ``st.context.cookies`` (the cookies of the browser's first request). The database keeps
only the token's SHA-256.

When ``.streamlit/secrets.toml`` has an ``[auth]`` section, people sign in through that OIDC
provider (``st.login``) instead, and ``accounts.actor_for_external_user`` maps the provider's
email to a user of this app.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import role_in, visible_projects
from speechlabel.core.errors import NotSignedIn, SessionExpired, SpeechLabelError
from speechlabel.core.models import Actor, Project, Role
from speechlabel.store import Store
from views.lang import error_text, label, t

TOKEN_KEY = "session_token"
ACTOR_KEY = "actor"
COOKIE_NAME = accounts.SESSION_COOKIE
_COOKIE_KEY = "session_cookie"  # what the cookie component should do: {"token", "max_age", "forget"}
_COOKIE_READ_KEY = "session_cookie_read"
_MESSAGE_KEY = "signin_message"  # views/login.py shows and pops it

# Writes the cookie once per new token (so two tabs do not keep overwriting each other's) and
# deletes it only while it still holds the token being forgotten. Nothing is fetched.
_COOKIE_JS = """
function current(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found === undefined ? null : decodeURIComponent(found.slice(name.length + 1));
}

export default function ({ data }) {
  if (!data || !data.name) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const attributes = "; Path=/; SameSite=Strict" + secure;
  if (data.token && window.__speechlabelCookie !== data.token) {
    document.cookie = `${data.name}=${encodeURIComponent(data.token)}; Max-Age=${data.max_age}${attributes}`;
    window.__speechlabelCookie = data.token;
  } else if (!data.token && data.forget && current(data.name) === data.forget) {
    document.cookie = `${data.name}=; Max-Age=0${attributes}`;
    window.__speechlabelCookie = undefined;
  }
}
"""
_cookie = st.components.v2.component("speechlabel_session_cookie", js=_COOKIE_JS)


def current_actor(store: Store) -> Actor | None:
    """The signed-in Actor (also put in ``st.session_state["actor"]``), or None: then the
    caller shows the login page, with ``login_message()`` when a session just ended."""
    state = st.session_state
    if oidc_configured():
        actor = _oidc_actor(store)
    else:
        actor = _token_actor(store, state)
    if actor is None:
        state.pop(ACTOR_KEY, None)
    else:
        state[ACTOR_KEY] = actor
    return actor


def _token_actor(store: Store, state) -> Actor | None:
    token = state.get(TOKEN_KEY)
    if token is None and not state.get(_COOKIE_READ_KEY):
        state[_COOKIE_READ_KEY] = True  # once per session: after a sign-out the request's cookie is stale
        token = st.context.cookies.get(COOKIE_NAME)
    if not token:
        return None
    try:
        actor = accounts.authenticate(store, token)
    except NotSignedIn as error:
        _forget(token)
        state[_MESSAGE_KEY] = t("login.session_expired") if isinstance(error, SessionExpired) else error_text(error)
        return None
    if state.get(TOKEN_KEY) != token:  # restored from the cookie
        keep_token(token, actor)
    return actor


def keep_token(token: str, actor: Actor) -> None:
    """After a sign-in: keep the token in this session and (through the component) in the cookie."""
    left = (actor.session_expires_at - datetime.now(UTC)).total_seconds() if actor.session_expires_at else 0
    st.session_state[TOKEN_KEY] = token
    st.session_state[_COOKIE_KEY] = {"token": token, "max_age": max(1, int(left)), "forget": None}
    st.session_state.pop(_MESSAGE_KEY, None)


def _forget(token: str | None) -> None:
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    st.session_state[_COOKIE_KEY] = {"token": None, "max_age": 0, "forget": token}


def sign_out(store: Store) -> None:
    """End the session on the server, in this browser session and in the cookie."""
    if oidc_configured():
        st.session_state.pop(ACTOR_KEY, None)
        st.logout()
        return
    token = st.session_state.get(TOKEN_KEY)
    accounts.logout(store, token)
    _forget(token)


def signed_in(token: str, actor: Actor) -> None:
    """What the sign-in page calls after ``accounts.login`` succeeded."""
    keep_token(token, actor)
    st.session_state[ACTOR_KEY] = actor


def login_message() -> str | None:
    """Why the visitor is on the login page (an expired session), shown once."""
    return st.session_state.pop(_MESSAGE_KEY, None)


def write_cookie() -> None:
    """Render the cookie component (no visible output); call once per run, signed in or not."""
    wanted = st.session_state.get(_COOKIE_KEY)
    if wanted is not None and not oidc_configured():
        _cookie(data={"name": COOKIE_NAME, **wanted}, key="session_cookie_writer", height=0)


# --- OIDC (st.login) ----------------------------------------------------------------------------


def oidc_configured() -> bool:
    """True when the deployment's secrets have an ``[auth]`` section (no secrets file: False)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_actor(store: Store) -> Actor | None:
    if not st.user.get("is_logged_in", False):  # (absent, not False, where no provider answered yet)
        return None
    try:
        return accounts.actor_for_external_user(store, st.user.get("email"), st.user.get("email_verified"))
    except SpeechLabelError as error:
        st.session_state[_MESSAGE_KEY] = error_text(error)
        return None


def oidc_providers() -> list[str | None]:
    """The providers to offer: None for a single ``[auth]`` provider, else the names of its
    ``[auth.<name>]`` sections."""
    auth = st.secrets["auth"]
    named = [name for name, value in auth.items() if hasattr(value, "keys")]
    return named or [None]


# --- what the sidebar says ----------------------------------------------------------------------


def roles_line(store: Store, actor: Actor) -> str:
    """ "admin", or the roles by project: "lead in calls, labeler in other"; "no role yet"."""
    if actor.is_admin:
        return t("sidebar.admin")
    names = {project.id: project.name for project in visible_projects(store, actor)}
    roles = sorted(
        (names.get(project_id, t("sidebar.project_id", id=project_id)), role)
        for project_id, role in actor.roles.items()
    )
    return t("list.separator").join(t("sidebar.role_in", role=label(role), project=name) for name, role in roles) or t(
        "sidebar.no_role"
    )


def pick_project(store: Store, actor: Actor, roles: tuple[Role, ...], key: str, on_change) -> Project | None:
    """The sidebar's project choice among those where ``actor`` has one of ``roles``, kept in
    the page address (``?project=``) and, on first open, taken from the Projects page's choice."""
    projects = [p for p in visible_projects(store, actor) if role_in(actor, p.id) in roles]
    if not projects:
        return None
    names = [p.name for p in projects]
    if st.session_state.get(key) not in names:
        wanted = st.query_params.get("project") or st.session_state.get("project_name")
        st.session_state[key] = wanted if wanted in names else names[0]
    name = st.sidebar.selectbox(t("common.project"), names, key=key, on_change=on_change)
    st.query_params["project"] = name
    return next(p for p in projects if p.name == name)
