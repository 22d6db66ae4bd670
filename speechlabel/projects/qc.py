"""A lead sets the recording checks every import into the project runs (``core.qc``)."""

from __future__ import annotations

from speechlabel.accounts.access import require_role
from speechlabel.core.models import Actor, Project
from speechlabel.core.qc import QcRules
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote


def update_qc_rules(store: Store, actor: Actor, project: Project, rules: QcRules) -> Project:
    """Replace the project's recording checks (their limits and refuse or flag); a lead's
    decision, recorded in the audit log. Recordings already imported keep the flags they got."""
    require_role(actor, project, action="changing the recording checks")
    changed = store.update_qc_rules(project.id, rules.validate())
    store.record_audit(AuditNote(actor.username, "qc_rules", project.name, project.id, rules.to_dict()))
    return changed
