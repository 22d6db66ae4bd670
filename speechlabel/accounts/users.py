"""Accounts: users, their role per project, sign-in sessions and the audit log.

Every function takes the ``Actor`` doing it and checks their rights first (``access.py``). The
command line passes ``access.SYSTEM``; ``ensure_admin`` is the one function without an actor:
it runs at start-up, before anyone can sign in, and only does something while no admin exists.

Sign-in: the password is checked with scrypt (``passwords.py``; a hash made with older
parameters is replaced at the next sign-in); a session is a random token given to the browser,
of which the database keeps only the SHA-256. An unknown username and a wrong password get the
same message; repeated failures pause a username at the client's address, or the address, and
slow a username down everywhere (``login_limits.py``). Passwords appear in no log, audit line
or error message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta

from speechlabel.accounts.access import project_label, require_admin, require_role, require_signed_in
from speechlabel.accounts.login_limits import LOGIN_LIMITS, LoginLimits, admit, client_address, fail
from speechlabel.accounts.passwords import hash_password, needs_rehash, verify_nothing, verify_password
from speechlabel.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    NotSignedIn,
    Phrase,
    SessionExpired,
    ValidationError,
    WrongCredentials,
)
from speechlabel.core.models import Actor, AuditEntry, Member, Project, Role, User, UserRoles
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote
from speechlabel.workspace.config import DEFAULT_SESSION_HOURS

log = logging.getLogger(__name__)

MIN_USERNAME_LENGTH, MAX_USERNAME_LENGTH = 2, 40
MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH = 8, 200
USERNAME_RULE = (
    f"use {MIN_USERNAME_LENGTH} to {MAX_USERNAME_LENGTH} characters: lowercase letters a-z, digits "
    "and . _ -, starting with a letter or digit"
)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
# Names the audit log uses for the command line, start-up and invalid sign-ins; no user may take them.
RESERVED_USERNAMES = frozenset({"cli", "system", "anonymous"})
BOOTSTRAP_ADMIN = "admin"
SESSION_SECONDS = DEFAULT_SESSION_HOURS * 3600
MAX_TOKEN_LENGTH = 200
MAX_AUDIT_LIMIT = 1000
MAX_EMAIL_LENGTH = 254
# The password column of a user who signs in through the deployment's identity provider (OIDC):
# this prefix and the SHA-256 of their email. It is no scrypt hash, so no password matches it.
EXTERNAL_PREFIX = "external$"


# --- input rules --------------------------------------------------------------------------------


# The cookie that carries the session token in the browser (views/session.py writes it; the
# app's routes read it).
SESSION_COOKIE = "speechlabel_session"


def validate_username(value: object) -> str:
    """The username stripped and lower-cased, or ValidationError saying what is allowed (this
    also refuses path tricks such as ``../x``, spaces and control characters)."""
    if not isinstance(value, str):
        raise ValidationError(
            message_key="error.username_not_text",
            params={"type": type(value).__name__, "low": MIN_USERNAME_LENGTH, "high": MAX_USERNAME_LENGTH},
        )
    name = value.strip().lower()
    if not MIN_USERNAME_LENGTH <= len(name) <= MAX_USERNAME_LENGTH:
        raise ValidationError(
            message_key="error.username_length",
            params={"name": _shown(name), "length": len(name), "low": MIN_USERNAME_LENGTH, "high": MAX_USERNAME_LENGTH},
        )
    if not _USERNAME.fullmatch(name):
        raise ValidationError(
            message_key="error.username_characters",
            params={"name": _shown(name), "low": MIN_USERNAME_LENGTH, "high": MAX_USERNAME_LENGTH},
        )
    if name in RESERVED_USERNAMES:
        raise ValidationError(message_key="error.username_reserved", params={"name": name})
    return name


def validate_password(value: object, what: str | None = None) -> str:
    """Length rules only, checked before hashing: a megabyte of input never reaches scrypt.
    The message gives the length, never the password; ``what`` names it in English (default
    "the password", which other languages say)."""
    subject = Phrase("phrase.the_password", what)
    if not isinstance(value, str):
        raise ValidationError(
            message_key="error.password_not_text",
            params={"subject": subject, "low": MIN_PASSWORD_LENGTH, "high": MAX_PASSWORD_LENGTH},
        )
    if not MIN_PASSWORD_LENGTH <= len(value) <= MAX_PASSWORD_LENGTH:
        raise ValidationError(
            message_key="error.password_length",
            params={"subject": subject, "length": len(value), "low": MIN_PASSWORD_LENGTH, "high": MAX_PASSWORD_LENGTH},
        )
    return value


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits), for showing once."""
    return secrets.token_urlsafe(12)


def _shown(text: str, limit: int = 40) -> str:
    """A quoted, shortened echo of user input for messages (a 1 MB name is not repeated)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


# --- users and roles ----------------------------------------------------------------------------


def create_user(store: Store, actor: Actor | None, username: str, password: str, is_admin: bool = False) -> User:
    """Create a user (admins only; the command line acts as ``access.SYSTEM``). A duplicate
    username is a Conflict."""
    actor = require_admin(actor, "creating users")
    return _insert_user(store, actor.username, username, password, is_admin)


def _insert_user(store: Store, by: str, username: str, password: str, is_admin: bool) -> User:
    name = validate_username(username)
    password_hash = hash_password(validate_password(password))
    note = AuditNote(actor=by, action="user_created", target=name, details={"is_admin": bool(is_admin)})
    user = store.insert_user(name, password_hash, bool(is_admin), note)
    log.info("%s created user %s (admin: %s)", by, name, user.is_admin)
    return user


def set_disabled(store: Store, actor: Actor | None, username: str, disabled: bool = True) -> User:
    """Disable a user (their sessions end at once, sign-in is refused) or enable them again. Admins only."""
    actor = require_admin(actor, "disabling users" if disabled else "enabling users")
    user = store.get_user(validate_username(username))
    if disabled and user.id == actor.user.id:
        raise Forbidden(message_key="error.disable_self", params={"user": actor.username})
    note = AuditNote(actor.username, "user_disabled" if disabled else "user_enabled", target=user.username)
    store.set_user_disabled(user.id, disabled, note)
    return store.get_user(user.username)


def set_role(
    store: Store, actor: Actor | None, username: str, project: Project | str | int, role: Role | str
) -> Member:
    """Give ``username`` a role in a project, replacing any role they had there. For an admin or
    a lead of that project; a project role never makes anyone an admin."""
    actor = require_signed_in(actor)
    target = resolve_project(store, project)
    require_role(actor, target, Role.LEAD, action="changing roles")
    role = _project_role(role)
    user = store.get_user(validate_username(username))
    note = AuditNote(
        actor.username, "role_set", target=user.username, project_id=target.id, details={"role": role.value}
    )
    store.set_membership(target.id, user.id, role, note)
    return Member(target.id, target.name, user, role)


def remove_role(store: Store, actor: Actor | None, username: str, project: Project | str | int) -> Role:
    """Take a user's role in a project away (admin or a lead of that project); returns the role."""
    actor = require_signed_in(actor)
    target = resolve_project(store, project)
    require_role(actor, target, Role.LEAD, action="removing roles")
    user = store.get_user(validate_username(username))
    note = AuditNote(actor.username, "role_removed", target=user.username, project_id=target.id)
    removed = store.delete_membership(target.id, user.id, note)
    if removed is None:
        raise NotFound(
            message_key="error.no_role_to_remove", params={"user": user.username, "project": project_label(target)}
        )
    return removed


def list_users(store: Store, actor: Actor | None) -> list[UserRoles]:
    """Every user, by name, with their roles: all roles for an admin; for a lead, the roles in
    the projects they lead (a lead sees every username, to add people to their project)."""
    actor = require_signed_in(actor)
    led = _led_projects(actor)
    if not actor.is_admin and not led:
        raise Forbidden(message_key="error.needs_admin_or_lead", params={"user": actor.username})
    roles: dict[int, dict[str, Role]] = {}
    for member in store.list_memberships(None if actor.is_admin else led):
        roles.setdefault(member.user.id, {})[member.project_name] = member.role
    return [UserRoles(user, roles.get(user.id, {})) for user in store.list_users()]


def project_members(store: Store, actor: Actor | None, project: Project | str | int) -> list[Member]:
    """The project's members by username (admin or a lead of the project)."""
    target = resolve_project(store, project)
    require_role(actor, target, Role.LEAD, action="listing members")
    return sorted(store.list_memberships([target.id]), key=lambda member: member.user.username)


def resolve_project(store: Store, project: Project | str | int) -> Project:
    """A project given as itself, by name (text) or by id (a number)."""
    if isinstance(project, Project):
        return project
    if isinstance(project, int) and not isinstance(project, bool):
        return store.get_project_by_id(project)
    if isinstance(project, str):
        return store.get_project(project.strip())
    raise ValidationError(message_key="error.project_reference", params={"type": type(project).__name__})


def _project_role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    if isinstance(role, str) and role.strip().lower() == "admin":
        raise ValidationError(message_key="error.admin_not_project_role")
    return Role.parse(role)


def _led_projects(actor: Actor) -> list[int]:
    return [project_id for project_id, role in actor.roles.items() if role == Role.LEAD]


def ensure_admin(store: Store, password_from_env: str | None) -> str | None:
    """At start-up: while no admin exists, create ``admin`` with the given password (from
    $SPEECHLABEL_ADMIN_PASSWORD) or a generated one. Returns the generated password so the
    caller can show it once; None when an admin existed or the password came from the caller."""
    if store.has_admin():
        return None
    generated = None if password_from_env else generate_password()
    password = validate_password(password_from_env or generated, "SPEECHLABEL_ADMIN_PASSWORD")
    try:
        _insert_user(store, "system", BOOTSTRAP_ADMIN, password, is_admin=True)
    except Conflict:
        if store.has_admin():  # another process started at the same moment and made it
            return None
        raise Conflict(message_key="error.bootstrap_admin_taken", params={"name": BOOTSTRAP_ADMIN}) from None
    log.warning("created the first admin user %r", BOOTSTRAP_ADMIN)
    return generated


# --- users of the identity provider (OIDC) -------------------------------------------------------


def external_username(email: str) -> str:
    """The username for an email from the identity provider: lower case, ``@`` → ``_``, any other
    character outside a-z 0-9 . _ - → ``-``; past 40 characters it is shortened and ends in 8
    characters of the email's SHA-256 ("ana.kim@example.com" → "ana.kim_example.com")."""
    name = re.sub(r"[^a-z0-9._-]", "-", email.strip().lower().replace("@", "_")).lstrip("._-")
    if not MIN_USERNAME_LENGTH <= len(name) <= MAX_USERNAME_LENGTH or name in RESERVED_USERNAMES:
        digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:8]
        name = f"{name[: MAX_USERNAME_LENGTH - 9].rstrip('._-') or 'user'}-{digest}"
    return validate_username(name)


def actor_for_external_user(store: Store, email: object, email_verified: object = None) -> Actor:
    """The Actor of someone the deployment's identity provider signed in (``st.login``): found by
    the username ``external_username(email)`` gives, or created on their first visit with no
    password (only the provider can sign them in) and no role; an admin or a lead then gives
    them roles on the Users page or with ``speechlabel user add``. A username that belongs to a
    password account or to another email is a Conflict, never a takeover; an email the provider
    marks unverified is refused."""
    if not isinstance(email, str) or "@" not in email or not 3 <= len(email.strip()) <= MAX_EMAIL_LENGTH:
        raise ValidationError(message_key="error.external_no_email", params={"most": MAX_EMAIL_LENGTH})
    if email_verified is False:
        raise Forbidden(message_key="error.external_unverified", params={"email": _shown(email.strip())})
    address = email.strip().lower()
    name = external_username(address)
    marker = EXTERNAL_PREFIX + hashlib.sha256(address.encode("utf-8")).hexdigest()
    found = store.user_credentials(name)
    if found is None:
        note = AuditNote("system", "user_created", target=name, details={"is_admin": False, "external": True})
        try:
            store.insert_user(name, marker, False, note)
            log.info("created user %s for a first sign-in through the identity provider", name)
        except Conflict:
            pass  # created by a parallel first visit; checked below like any existing user
        found = store.user_credentials(name)
        assert found is not None  # just created, here or by that parallel visit
    user, stored = found
    if not hmac.compare_digest(stored, marker):
        raise Conflict(message_key="error.external_name_taken", params={"name": name, "email": _shown(address)})
    if user.disabled:
        raise Forbidden(message_key="error.account_disabled", params={"name": name})
    return Actor(user, store.roles_of(user.id), None)


# --- sessions -----------------------------------------------------------------------------------


def login(
    store: Store,
    username: str,
    password: str,
    now: datetime | None = None,
    session_seconds: float = SESSION_SECONDS,
    address: str | None = None,
    limits: LoginLimits = LOGIN_LIMITS,
) -> tuple[str, Actor]:
    """Check the password and open a session: returns a fresh token (for the browser to keep)
    and the Actor. ``address`` is the client's (``st.context.ip_address``; None when unknown).
    WrongCredentials for an unknown user or a wrong password alike, TooManyAttempts while the
    username is paused at that address or the address is paused, Forbidden for a disabled
    account; a username many addresses failed for is answered after a delay (``login_limits``)."""
    now = _utc(now)
    if isinstance(password, str) and len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            message_key="error.password_too_long", params={"length": len(password), "most": MAX_PASSWORD_LENGTH}
        )
    name, address = _login_name(username), client_address(address)
    if name is None:  # cannot be anyone's name: no lookup, no failure count
        store.record_audit(AuditNote("anonymous", "login_failed", details={"reason": "invalid username"}), now)
        raise WrongCredentials()
    admit(store, name, address, now, limits)
    user = _checked_user(store, name, password, address, now, limits)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=session_seconds)
    store.open_session(user.id, name, token_hash(token), now, expires, AuditNote(name, "login", target=name), address)
    log.info("%s signed in", name)
    return token, Actor(user, store.roles_of(user.id), expires)


def _checked_user(store: Store, name: str, password: object, address: str, now: datetime, limits: LoginLimits) -> User:
    """The user whose password this is (its hash renewed if made with older parameters), or a
    counted failure; Forbidden for a disabled account."""
    found = store.user_credentials(name)
    if found is None or not isinstance(password, str):
        verify_nothing(password if isinstance(password, str) else "")  # the time of a real check
        fail(store, name, address, now, "unknown user" if found is None else "wrong password", limits)
    user, stored = found
    if stored.startswith(EXTERNAL_PREFIX):  # signs in through the identity provider only
        verify_nothing(password)
        fail(store, name, address, now, "external account", limits)
    if not verify_password(password, stored):
        fail(store, name, address, now, "wrong password", limits)
    if user.disabled:
        store.record_audit(AuditNote(name, "login_refused", target=name, details={"reason": "disabled"}), now)
        raise Forbidden(message_key="error.account_disabled", params={"name": name})
    if needs_rehash(stored):  # the one moment the password is known: store it at today's cost
        store.set_password_hash(user.id, hash_password(password))
        log.info("renewed the password hash of %s", name)
    return user


def authenticate(store: Store, token: str | None, now: datetime | None = None) -> Actor:
    """The Actor of a session token, with their current roles. NotSignedIn for an unknown or
    signed-out token or a disabled user; SessionExpired once the session's time is up."""
    now = _utc(now)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotSignedIn(message_key="error.not_signed_in")
    found = store.session_user(token_hash(token))
    if found is None:
        raise NotSignedIn(message_key="error.session_unknown")
    if found.expires_at <= now:
        raise SessionExpired(message_key="error.session_expired", params={"at": f"{found.expires_at:%Y-%m-%d %H:%M}"})
    if found.user.disabled:
        raise NotSignedIn(message_key="error.account_disabled", params={"name": found.user.username})
    return Actor(found.user, found.roles, found.expires_at)


def logout(store: Store, token: str | None, now: datetime | None = None) -> None:
    """End the session (nothing happens for an unknown token: signing out twice is fine)."""
    if isinstance(token, str) and token and len(token) <= MAX_TOKEN_LENGTH:
        store.close_session(token_hash(token), _utc(now))


def token_hash(token: str) -> str:
    """What the sessions table keeps of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _login_name(username: object) -> str | None:
    try:
        return validate_username(username)
    except ValidationError:
        return None


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


# --- audit --------------------------------------------------------------------------------------


def list_audit(
    store: Store, actor: Actor | None, project_id: int | None = None, target: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """Audit lines, newest first. An admin sees all of them; a lead the lines about the projects
    they lead (with ``project_id``: about that one project)."""
    actor = require_signed_in(actor)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_AUDIT_LIMIT:
        raise ValidationError(message_key="error.audit_limit", params={"limit": limit, "most": MAX_AUDIT_LIMIT})
    if project_id is not None:
        require_role(actor, resolve_project(store, project_id), Role.LEAD, action="reading the audit log")
        scope = [project_id]
    elif actor.is_admin:
        scope = None
    else:
        scope = _led_projects(actor)
        if not scope:
            raise Forbidden(message_key="error.audit_needs_admin_or_lead", params={"user": actor.username})
    return store.list_audit(scope, target, limit)
