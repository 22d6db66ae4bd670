"""A segment's history for the people who check work: every saved version with who and when."""

from __future__ import annotations

from speechlabel.accounts.access import require_role
from speechlabel.core.models import Actor, Revision, Role
from speechlabel.store import Store


def segment_history(store: Store, actor: Actor, segment_id: str) -> list[Revision]:
    """Every revision of a segment, oldest first (a merged segment's include its partner's).
    Reviewers and leads of the segment's project only."""
    project = store.get_project_by_id(store.get_segment_project(segment_id))
    require_role(actor, project, Role.REVIEWER, action="reading a segment's history")
    return store.list_revisions(segment_id)
