"""The life of a segment's status: the groups of statuses the modules act on, and which action
moves a segment from which status to which. Every module reads the groups and the moves from
here (tests/test_lifecycle.py keeps any other module from spelling a group of statuses).

A segment starts ``new`` (segmentation; an import writes that first revision too), then:

    action                from                              to
    draft                 new                               drafted
    submit                rejected, reworked                reworked   (a rework of a rejection)
                          any other status                  submitted  (a lead saving an approved
                                                                        segment reopens it)
    skip                  any                               skipped
    mark_untranscribable  any                               untranscribable
    approve               submitted, reworked               approved
    reject                submitted, reworked               rejected
    merge                 any (when the two halves differ)  in_progress
    auto_accept           drafted                           auto_accepted  (routing: the draft is
                                                                        predicted right)
    reopen                auto_accepted                     drafted    (routing tightened: back to
                                                                        the labeling queue)

Moving bounds and splitting keep the status (both halves of a split keep it). Who may act is
the actions' own business (``labeling``, ``review``, ``assignment``): a labeler changes only
what is leased to them, and leases go out only for ``TO_DO``; this table is what a status allows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from speechlabel.core.errors import Listed, ValidationError
from speechlabel.core.models import SegmentStatus
from speechlabel.i18n.labels import labeled

_S = SegmentStatus


@labeled("status_action")
class Action(str, enum.Enum):
    """What changes a segment's status (``TRANSITIONS``)."""

    DRAFT = "draft"
    SUBMIT = "submit"
    SKIP = "skip"
    MARK_UNTRANSCRIBABLE = "mark_untranscribable"
    APPROVE = "approve"
    REJECT = "reject"
    MERGE = "merge"
    AUTO_ACCEPT = "auto_accept"
    REOPEN = "reopen"


# --- the groups (each is used somewhere; the comment says why it exists) ----------------------

# Every segment starts here: segmentation writes it, and an import's first revision.
INITIAL = _S.NEW
# What the labeling queue holds and leases hand out: not yet done, or sent back by a reviewer.
# (Submitted, reworked, set-aside and approved segments are not offered again.)
TO_DO = (_S.DRAFTED, _S.NEW, _S.IN_PROGRESS, _S.REJECTED)
# A save of a segment in these is a rework of a reviewer's rejection: it becomes REWORKED, not
# SUBMITTED, so the review queue shows it again as a fix.
REWORK_FROM = (_S.REJECTED, _S.REWORKED)
# What a labeler's submit writes: the statuses of a labeler's work for review. The newest
# revision in one of these names the segment's labeler of record (review, export, dashboard).
SUBMITTED_WORK = (_S.SUBMITTED, _S.REWORKED)
# What waits for a reviewer, and the only statuses approve and reject accept.
REVIEWABLE = (_S.SUBMITTED, _S.REWORKED)
# Done for the dashboard's progress: submitted for review or accepted (by a reviewer, or by
# routing without a person's pass).
DONE = (_S.SUBMITTED, _S.REWORKED, _S.APPROVED, _S.AUTO_ACCEPTED)
# A segment's text is still the draft's (nobody has saved a labeling of it): a from-scratch
# segment's editor starts empty in these (labeling.labor). Afterwards it holds a person's text.
DRAFT_TEXT = (_S.NEW, _S.DRAFTED, _S.IN_PROGRESS)
# Set aside by the labeler: there is nothing to transcribe (or not by them).
SET_ASIDE = (_S.SKIPPED, _S.UNTRANSCRIBABLE)
# Checked and accepted by a reviewer: what an export ships unless asked for more.
ACCEPTED = (_S.APPROVED,)
# What routing may auto-accept: drafted and not yet touched by anyone (a segment a labeler has
# opened, saved or set aside is theirs to finish).
ROUTABLE = (_S.DRAFTED,)
# Finalised by people, so its text is the truth a correctness model is fitted on and an audit is
# scored with: approved, or saved by a labeler for review (not rejected).
FINALISED = (_S.APPROVED, _S.SUBMITTED, _S.REWORKED)
# Revisions that are not a labeler's work: pre-labeling's (segmented, drafted) and a reviewer's
# decisions. Every other revision (in progress, submitted, reworked, skipped, untranscribable) is.
NOT_LABELER_WORK = (_S.NEW, _S.DRAFTED, _S.APPROVED, _S.REJECTED)


# --- the moves --------------------------------------------------------------------------------


def _every(target: SegmentStatus) -> dict[SegmentStatus, SegmentStatus]:
    return {status: target for status in SegmentStatus}


TRANSITIONS: Mapping[Action, Mapping[SegmentStatus, SegmentStatus]] = MappingProxyType(
    {
        action: MappingProxyType(moves)
        for action, moves in {
            Action.DRAFT: {_S.NEW: _S.DRAFTED},
            Action.SUBMIT: {status: _S.REWORKED if status in REWORK_FROM else _S.SUBMITTED for status in SegmentStatus},
            Action.SKIP: _every(_S.SKIPPED),
            Action.MARK_UNTRANSCRIBABLE: _every(_S.UNTRANSCRIBABLE),
            Action.APPROVE: {status: _S.APPROVED for status in REVIEWABLE},
            Action.REJECT: {status: _S.REJECTED for status in REVIEWABLE},
            Action.MERGE: _every(_S.IN_PROGRESS),
            Action.AUTO_ACCEPT: {status: _S.AUTO_ACCEPTED for status in ROUTABLE},
            Action.REOPEN: {_S.AUTO_ACCEPTED: _S.DRAFTED},
        }.items()
    }
)


def allowed_from(action: Action) -> tuple[SegmentStatus, ...]:
    """The statuses ``action`` accepts, in ``SegmentStatus`` order."""
    return tuple(TRANSITIONS[action])


def can(action: Action, current: SegmentStatus) -> bool:
    return current in TRANSITIONS[action]


def can_transition(current: SegmentStatus, target: SegmentStatus) -> bool:
    """Some action moves a segment from ``current`` to ``target``."""
    return any(moves.get(current) == target for moves in TRANSITIONS.values())


def landing(action: Action) -> SegmentStatus:
    """The one status ``action`` leads to from every status it accepts (not for submit, whose
    target depends on where it starts)."""
    targets = set(TRANSITIONS[action].values())
    if len(targets) != 1:
        raise ValueError(f"{action.value} leads to {sorted(t.value for t in targets)}, not one status")
    return targets.pop()


def transition(action: Action, segment_id: str, current: SegmentStatus) -> SegmentStatus:
    """The status ``action`` gives a segment now in ``current``; ValidationError when the
    status does not allow it."""
    target = TRANSITIONS[action].get(current)
    if target is not None:
        return target
    if action in (Action.APPROVE, Action.REJECT):
        raise ValidationError(message_key="error.not_reviewable", params={"segment": segment_id, "status": current})
    allowed = allowed_from(action)
    raise ValidationError(
        message_key="error.status_transition",
        params={"segment": segment_id, "status": current, "action": action, "allowed": Listed(allowed)},
    )


def merged_status(first: SegmentStatus, second: SegmentStatus) -> SegmentStatus:
    """The status of two segments merged: theirs when they agree; when they differ neither
    describes the joined text, and it needs a person's look (``in_progress``)."""
    return first if first == second else TRANSITIONS[Action.MERGE][first]


def status_values(statuses: Iterable[SegmentStatus]) -> tuple[str, ...]:
    """The statuses as stored (their values), for a query."""
    return tuple(status.value for status in statuses)
