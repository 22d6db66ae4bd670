"""A project's transcription convention in use: which scheme its transcripts follow, the lint
the label page shows, the submit rule, fixes, and tag insertion at the labeler's caret.

How the scheme and the project's tag list (``LabelSettings.tags``) relate: the tag list stays
what it always was, whole-segment tags (the label page's toggles, export ``--with-tag``
filters); the scheme governs the tags written *inside* the transcript. For the built-in generic
scheme the two are joined: every name of the project's tag list that the scheme lacks becomes a
bracket tag of it (``hum`` -> ``[hum]``), so a project that invented tags before schemes
existed can write them inline without a lint error. The default names (noise, music, ...) are
the generic scheme's own bracket tags already. KsponSpeech, AI Hub and a lead's scheme are used
as they are: their tags are written differently (``n/``, ``(NO:)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.accounts.access import require_role
from speechlabel.conventions import (
    ACCEPT_DUAL,
    Insertion,
    Problem,
    TagScheme,
    accept_dual,
    apply_fixes,
    has_errors,
    insert_dual,
    insert_tag,
    lint,
    resolve_scheme,
)
from speechlabel.core.errors import Phrase, ValidationError
from speechlabel.core.models import Actor, ConventionSettings, Project

# In core since drafts are styled in the project's scheme where they are made (prelabel, below this package).
from speechlabel.core.project_scheme import _generic_with as _generic_with
from speechlabel.core.project_scheme import default_convention_settings as default_convention_settings
from speechlabel.core.project_scheme import default_scheme as default_scheme
from speechlabel.core.project_scheme import project_scheme
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote

# The pseudo tag the label page's dual-transcription button inserts: ``()/()``.
DUAL = "()/()"
# Fixes can uncover or overlap other problems (apply_fixes skips overlaps); a few passes settle
# every line the linter's tests know; more would only loop on a fix that does not converge.
MAX_FIX_PASSES = 5
SCHEME_CHOICES = Phrase("phrase.scheme_choices")


def scheme_option(value: str) -> TagScheme:
    """``--scheme`` of the command line: a built-in name or a lead's scheme file."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(message_key="error.scheme_option_empty", params={"choices": SCHEME_CHOICES})
    return resolve_scheme(value.strip())


def validate_convention_settings(settings: ConventionSettings) -> ConventionSettings:
    if not isinstance(settings, ConventionSettings):
        raise ValidationError(message_key="error.convention_settings_type", params={"type": type(settings).__name__})
    if settings.scheme is not None and not isinstance(settings.scheme, TagScheme):
        raise ValidationError(
            message_key="error.convention_scheme_type",
            params={"choices": SCHEME_CHOICES, "type": type(settings.scheme).__name__},
        )
    if not isinstance(settings.block_submit_on_lint_errors, bool):
        raise ValidationError(
            message_key="error.block_submit_type", params={"value": settings.block_submit_on_lint_errors}
        )
    return settings


def update_convention_settings(
    store: Store, actor: Actor, project: Project | str, settings: ConventionSettings
) -> Project:
    """Set the project's tag scheme and whether lint errors block Save & next; leads only,
    recorded in the audit log."""
    target = store.get_project(project) if isinstance(project, str) else project
    require_role(actor, target, action="changing the transcription convention")
    changed = store.update_convention_settings(target.id, validate_convention_settings(settings))
    store.record_audit(AuditNote(actor.username, "convention_settings", target.name, target.id, settings.to_dict()))
    return changed


# --- the label page's use of the scheme ---------------------------------------------------------


def lint_transcript(project: Project, text: str) -> list[Problem]:
    return lint(text, project_scheme(project))


class LintRejected(ValidationError):
    """Save & next refused: the project blocks submits with lint errors and this text has some."""

    def __init__(self, problems: list[Problem], project: Project | None = None):
        self.problems = [problem for problem in problems if problem.is_error]
        self.project = project  # whose scheme words the problems (for their translated messages)
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(
            f"the transcript breaks the project's transcription rules and this project does not "
            f"accept it that way: at {first.start}: {first.message}{more}; fix the errors listed "
            "under the transcript (warnings are fine), then save"
        )


def check_submittable(project: Project, text: str) -> None:
    """Raise LintRejected when the project blocks on lint errors and ``text`` has any."""
    if not project.convention_settings.block_submit_on_lint_errors:
        return
    problems = lint_transcript(project, text)
    if has_errors(problems):
        raise LintRejected(problems, project)


@dataclass(frozen=True)
class FixResult:
    text: str
    fixed: int  # problems that had a fix and are gone
    remaining: list[Problem]


def fix_transcript(scheme: TagScheme, text: str) -> FixResult:
    """Apply the linter's fixes until none is left (or ``MAX_FIX_PASSES``); what has no fix stays.
    A pass that would leave more errors is not taken: each fix alone never adds one (``lint``
    checks), but two applied together still could."""
    problems = lint(text, scheme)
    before = len(problems)
    for _ in range(MAX_FIX_PASSES):
        if not any(problem.fix for problem in problems):
            break
        fixed_text = apply_fixes(text, problems)
        if fixed_text == text:
            break
        fixed_problems = lint(fixed_text, scheme)
        if _error_count(fixed_problems) > _error_count(problems):
            break
        text, problems = fixed_text, fixed_problems
    return FixResult(text, max(0, before - len(problems)), problems)


def _error_count(problems: list[Problem]) -> int:
    return sum(problem.is_error for problem in problems)


def insert_at_caret(scheme: TagScheme, text: str, tag_text: str, start: int, end: int | None = None) -> Insertion:
    """A tag button or hotkey: ``tag_text`` (a tag of the scheme, or ``DUAL``) put at the caret
    or around the selection ``start..end`` (character offsets); the new text and caret.
    ``ACCEPT_DUAL`` keeps the next proposed dual transcription and moves the caret past it."""
    if tag_text == ACCEPT_DUAL:
        return accept_dual(text, start, end)
    if tag_text == DUAL:
        if not scheme.dual_transcription:
            raise ValidationError(message_key="error.scheme_no_dual", params={"scheme": scheme.title or scheme.name})
        return insert_dual(text, start, end)
    tag = scheme.by_text.get(tag_text)
    if tag is None:
        known = ", ".join(t.text for t in scheme.tags)
        raise ValidationError(
            message_key="error.not_a_scheme_tag",
            params={"tag_text": tag_text, "scheme": scheme.title or scheme.name, "known": known},
        )
    return insert_tag(text, tag, start, end)
