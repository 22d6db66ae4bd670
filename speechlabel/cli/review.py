"""`speechlabel review`: the review queue; approve, reject, approve all of a labeler's work."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from speechlabel.cli.users import terminal_safe
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import ReviewReason

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace


def add_review_command(review: argparse.ArgumentParser) -> None:
    from speechlabel.review.decisions import ReviewOrder

    review.add_argument("name", help="the project")
    review.add_argument(
        "--order", choices=[order.value for order in ReviewOrder], default=ReviewOrder.LOW_CONFIDENCE.value
    )
    review.add_argument("--labeler", metavar="USER", help="only this labeler's work")
    review.add_argument("--recording", metavar="ID", help="only this recording")
    review.add_argument("--limit", type=int, default=50, help="segments to list (default 50)")
    action = review.add_mutually_exclusive_group()
    action.add_argument("--approve", metavar="SEGMENT_ID", help="approve one segment")
    action.add_argument("--reject", metavar="SEGMENT_ID", help="reject one segment (with --reason)")
    action.add_argument(
        "--approve-all-from",
        metavar="USER",
        help="approve all of a labeler's submitted work (of --recording only, when given)",
    )
    review.add_argument("--reason", metavar="CODE", help=f"why rejected: {', '.join(r.value for r in ReviewReason)}")
    review.add_argument("--comment", help="a note for the labeler (and the history)")
    review.set_defaults(handler=run_review)


def run_review(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.review.decisions import (
        ReviewOrder,
        ReviewQuery,
        approve,
        bulk_approve,
        count_to_review,
        reject,
        review_queue,
    )

    store = workspace.store
    project = store.get_project(args.name)
    if args.reason is not None and not args.reject:
        raise ValidationError(message_key="error.cli_reason_alone")
    if args.approve or args.reject:
        segment_id = args.approve or args.reject
        _require_in_project(store, project, segment_id)
        version = store.get_segment(segment_id).version
        if args.approve:
            approve(store, SYSTEM, segment_id, version, args.comment)
            print(f"approved {segment_id}")
        else:
            if not args.reason:
                raise ValidationError(
                    message_key="error.cli_reject_needs_reason",
                    params={"allowed": ", ".join(r.value for r in ReviewReason)},
                )
            reject(store, SYSTEM, segment_id, version, args.reason, args.comment)
            print(f"rejected {segment_id} ({ReviewReason(args.reason.strip().lower()).label})")
        return 0
    if args.approve_all_from:
        count = bulk_approve(store, SYSTEM, project, args.approve_all_from, args.recording, args.comment)
        print(f"approved {count} segments of {args.approve_all_from}")
        return 0
    query = ReviewQuery(
        order=ReviewOrder(args.order), labeler=args.labeler, recording_id=args.recording, limit=args.limit
    )
    for item in review_queue(store, SYSTEM, project, query):
        confidence = f"{item.confidence:.2f}" if item.confidence is not None else "-"
        text = " ".join(item.segment.text.split())  # one line per segment, whatever the text holds
        print(f"{item.segment.id}\t{item.labeler or '-'}\t{confidence}\t{terminal_safe(text)}")
    print(f"{count_to_review(store, SYSTEM, project, query)} segments to review", file=sys.stderr)
    return 0


def _require_in_project(store, project, segment_id: str) -> None:
    if store.get_segment_project(segment_id) != project.id:
        raise ValidationError(
            message_key="error.segment_elsewhere", params={"segment": segment_id, "project": project.name}
        )
