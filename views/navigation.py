"""Which pages a person is offered, in the session's language: the navigation the entry point
(workbench.py) builds on every run. Kept out of workbench.py so that tests can read it without
importing the entry point, whose import starts the server's work (the first admin)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from speechlabel.accounts.access import leads_somewhere
from speechlabel.core.models import Actor, Role
from views.lang import t


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str | None = None


def page_specs(actor: Actor) -> list[PageSpec]:
    """The pages a person's roles open, first = the default: labelers label, reviewers see
    projects and review, leads and admins also see the dashboard and manage users. The domain
    functions check the same rules again. Titles are in the session's language."""
    roles = set(actor.roles.values())
    lead = leads_somewhere(actor)
    reviews = lead or Role.REVIEWER in roles
    pages = []
    if reviews:
        pages.append(PageSpec("views/projects.py", t("page.projects"), ":material/folder:"))
    if lead or Role.LABELER in roles:
        pages.append(PageSpec("views/label.py", t("page.label"), ":material/edit_note:", "label"))
    if reviews:
        pages.append(PageSpec("views/review.py", t("page.review"), ":material/fact_check:", "review"))
    if lead:
        pages.append(PageSpec("views/dashboard.py", t("page.dashboard"), ":material/monitoring:", "dashboard"))
        pages.append(PageSpec("views/export.py", t("page.export"), ":material/download:", "export"))
        pages.append(PageSpec("views/users.py", t("page.users"), ":material/group:", "users"))
        pages.append(PageSpec("views/models.py", t("page.models"), ":material/model_training:", "models"))
    return pages or [PageSpec("views/no_role.py", t("page.no_role"), ":material/hourglass_empty:")]


def pages_for(actor: Actor) -> list:
    return [
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=index == 0, url_path=spec.url_path or None)
        for index, spec in enumerate(page_specs(actor))
    ]
