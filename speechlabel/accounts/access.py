"""Who may do what. Domain functions receive an ``Actor`` and call these checks first, so a
refusal does not depend on a view hiding a button.

Rules: an admin may do everything; a lead everything within their projects; a reviewer and a
labeler only what a function explicitly allows their role. The command line has the machine's
trust (it holds the database) and acts as ``SYSTEM``, an admin logged as "cli". ``None`` as an
actor never means "system": it is someone who is not signed in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from speechlabel.core.errors import AnyOf, Forbidden, NotSignedIn, Phrase
from speechlabel.core.models import Actor, Project, Role, User
from speechlabel.store import Store

__all__ = [
    "SYSTEM",
    "Forbidden",
    "project_label",
    "leads_somewhere",
    "require_admin",
    "require_lead_somewhere",
    "require_role",
    "require_signed_in",
    "role_in",
    "visible_projects",
]

# The command line's actor: an admin that is no row of the users table (id 0). Usernames "cli"
# "system" and "anonymous" are reserved, so the audit log's "cli" can only mean this.
SYSTEM = Actor(
    user=User(id=0, username="cli", is_admin=True, disabled=False, created_at=datetime(1970, 1, 1, tzinfo=UTC)),
    roles={},
    session_expires_at=None,
)


def require_signed_in(actor: Actor | None) -> Actor:
    if not isinstance(actor, Actor):
        raise NotSignedIn(message_key="error.not_signed_in")
    return actor


def require_admin(actor: Actor | None, action: str | None = None) -> Actor:
    """Refuse anyone but an admin; ``action`` names what was tried ("creating users"; the English
    message says it, other languages say "this")."""
    actor = require_signed_in(actor)
    if not actor.is_admin:
        raise Forbidden(
            message_key="error.needs_admin",
            params={"user": actor.username, "action": Phrase("phrase.this_action", action)},
        )
    return actor


def leads_somewhere(actor: Actor | None) -> bool:
    """An admin, or the lead of at least one project: who manages what is shared between projects
    (the registered Whisper models) and sees the lead's pages."""
    return isinstance(actor, Actor) and (actor.is_admin or Role.LEAD in actor.roles.values())


def require_lead_somewhere(actor: Actor | None, action: str | None = None) -> Actor:
    """Refuse anyone who is neither an admin nor a lead of some project (``action`` as in
    ``require_admin``)."""
    actor = require_signed_in(actor)
    if not leads_somewhere(actor):
        raise Forbidden(
            message_key="error.needs_lead_somewhere",
            params={"user": actor.username, "action": Phrase("phrase.this_action", action)},
        )
    return actor


def require_role(actor: Actor | None, project: Project | int, *roles: Role, action: str | None = None) -> Actor:
    """Refuse unless the actor holds one of ``roles`` in ``project``. Admins pass everywhere and a
    lead passes anything within their project. The message names the user, the project and the
    role needed: "ana is a labeler in 'calls'; exporting needs the lead role" (``action``, as in
    ``require_admin``)."""
    actor = require_signed_in(actor)
    project_id = project.id if isinstance(project, Project) else project
    held = actor.roles.get(project_id)
    if actor.is_admin or held == Role.LEAD or held in roles:
        return actor
    raise Forbidden(
        message_key="error.needs_role" if held else "error.needs_role_none",
        params={
            "user": actor.username,
            "project": project_label(project),
            "held": held,
            "action": Phrase("phrase.this_action", action),
            "needed": AnyOf(dict.fromkeys((*roles, Role.LEAD))),
        },
    )


def role_in(actor: Actor | None, project_id: int) -> Role | None:
    """The actor's effective role in a project: an admin counts as its lead; None for no role."""
    if not isinstance(actor, Actor):
        return None
    if actor.is_admin:
        return Role.LEAD
    return actor.roles.get(project_id)


def visible_projects(store: Store, actor: Actor | None) -> list[Project]:
    """Every project for an admin; otherwise the projects where the actor has a role, by name."""
    actor = require_signed_in(actor)
    projects = store.list_projects()
    if actor.is_admin:
        return projects
    return [project for project in projects if project.id in actor.roles]


def project_label(project: Project | int) -> str:
    return repr(project.name) if isinstance(project, Project) else f"project {project}"
