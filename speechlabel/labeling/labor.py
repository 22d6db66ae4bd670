"""Labor telemetry and the from-scratch baseline, as the label actions use them.

A project's from-scratch share (``AssignmentSettings.from_scratch_share``, default 2 %) of its
segments, picked by a hash of the segment id (``core.labor.from_scratch``), is labeled without
the draft: the editor starts empty and no draft words are shown, for every labeler (the second
labeler of a double-labeled one too). Their labor per audio minute, against that of the other
segments, is the measured speed-up of the drafts (``analytics.labor``).
"""

from __future__ import annotations

from dataclasses import replace

from speechlabel.core.labor import Labor, LaborRecord, from_scratch
from speechlabel.core.lifecycle import DRAFT_TEXT
from speechlabel.core.models import Actor, Project, Segment


def without_draft(project: Project, segment_id: str) -> bool:
    """The segment is in the project's from-scratch share: labeled without the draft."""
    return from_scratch(segment_id, project.assignment_settings.from_scratch_share)


def blank_if_from_scratch(project: Project, segment: Segment) -> Segment:
    """The segment as a labeler's list shows it: a from-scratch one still holding the draft's
    text shows none (the draft must not reach them through the list either)."""
    if segment.status in DRAFT_TEXT and without_draft(project, segment.id):
        return replace(segment, text="")
    return segment


def labor_record(
    project: Project, actor: Actor, segment: Segment, labor: Labor | None, second_labeling: bool = False
) -> LaborRecord | None:
    """What to store of a save's telemetry (None without any). Whether the draft was shown is
    the server's own rule for the segment, never the browser's word."""
    if labor is None:
        return None
    return LaborRecord(
        segment_id=segment.id,
        project_id=project.id,
        labeler=actor.username,
        labor=labor,
        draft_shown=not without_draft(project, segment.id),
        audio_seconds=segment.duration,
        second_labeling=second_labeling,
    )
