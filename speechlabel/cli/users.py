"""`speechlabel user add | list`: accounts and their roles per project (the command line acts as
``SYSTEM``, logged as "cli")."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import TYPE_CHECKING

from speechlabel.core.errors import Conflict, NotFound, ValidationError

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace

USER_ROLES = ("admin", "lead", "reviewer", "labeler")


def add_user_command(user: argparse.ArgumentParser) -> None:
    sub = user.add_subparsers(dest="user_command", required=True)
    add = sub.add_parser("add", help="create a user, or give an existing user a role in another project")
    add.add_argument("username")
    add.add_argument(
        "--role",
        required=True,
        choices=USER_ROLES,
        help="admin: manages everything, no --project; lead, reviewer, labeler: per project",
    )
    add.add_argument("--project", help="the project the role is for (needed for lead, reviewer, labeler)")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (default: generate one, printed once)",
    )
    add.set_defaults(handler=run_user_add)
    listing = sub.add_parser("list", help="list users with their roles per project")
    listing.set_defaults(handler=run_user_list)


def run_user_add(workspace: Workspace, args) -> int:
    """The command line holds the database, so it acts as ``SYSTEM`` (logged as "cli")."""
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.accounts.users import create_user, generate_password, set_role, validate_username

    store = workspace.store
    name = validate_username(args.username)
    is_admin = args.role == "admin"
    if is_admin and args.project:
        raise ValidationError(message_key="error.cli_admin_project")
    if not is_admin and not args.project:
        raise ValidationError(message_key="error.cli_role_needs_project", params={"role": args.role})
    project = store.get_project(args.project) if args.project else None
    if _user_exists(store, name):
        if is_admin or args.password_stdin:
            raise Conflict(message_key="error.cli_user_exists", params={"name": name})
        assert project is not None  # not an admin (refused above), so --project was given
        set_role(store, SYSTEM, name, project, args.role)
        print(f"user {name!r} is now {args.role} in project {project.name!r}")
        return 0
    password = read_password(sys.stdin) if args.password_stdin else generate_password()
    create_user(store, SYSTEM, name, password, is_admin=is_admin)
    if project is not None:
        set_role(store, SYSTEM, name, project, args.role)
    print(f"created user {name!r} ({'admin' if project is None else f'{args.role} in project {project.name!r}'})")
    if not args.password_stdin:
        print(f"password (shown once, only its hash is stored): {password}")
    return 0


def _user_exists(store, name: str) -> bool:
    try:
        store.get_user(name)
    except NotFound:
        return False
    return True


def read_password(stream) -> str:
    """The first line of ``stream`` without its line end. Reads no more than a password may hold
    (and its line end): a huge input is refused without being read."""
    from speechlabel.accounts.users import MAX_PASSWORD_LENGTH

    line = stream.readline(MAX_PASSWORD_LENGTH + 2)
    password = line.removesuffix("\n").removesuffix("\r")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(message_key="error.cli_password_too_long", params={"most": MAX_PASSWORD_LENGTH})
    return password


def terminal_safe(text: str) -> str:
    """Text for the terminal: control characters (an escape sequence saved before transcripts
    refused them) printed as ``\\xNN`` instead of acting on the lead's terminal."""
    return "".join(f"\\x{ord(char):02x}" if unicodedata.category(char) == "Cc" else char for char in text)


def run_user_list(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.accounts.users import list_users

    for entry in list_users(workspace.store, SYSTEM):
        roles = ", ".join(f"{project}: {role.value}" for project, role in sorted(entry.roles.items()))
        fields = [entry.user.username, "admin" if entry.user.is_admin else "-", roles or "-"]
        if entry.user.disabled:
            fields.append("disabled")
        print("\t".join(fields))
    return 0
