"""What the linter reports: problems with a position, a rule code, a message and a fix.

Messages are built from templates keyed by the rule code, with their values kept apart
(``Problem.params``), so a translated UI renders the same problem from its own template.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from speechlabel.conventions.lint_text import rule_key
from speechlabel.i18n.core import Lang, catalog


class Severity(str, enum.Enum):
    ERROR = "error"  # breaks the scheme or a parser (ESPnet drops or mangles the line)
    WARNING = "warning"  # allowed but untidy


@dataclass(frozen=True)
class Rule:
    severity: Severity
    template: str


E, W = Severity.ERROR, Severity.WARNING
# Each rule's English template is the catalog's ``lint.<code>`` (speechlabel/i18n/en.py; ko.py
# translates it), so a problem reads the same from the CLI, a page and the catalog.
_SEVERITIES: dict[str, Severity] = {
    "empty-transcript": E,
    "no-words": E,
    "unknown-tag": E,
    "tag-content-missing": E,
    "tag-content-not-allowed": E,
    "tag-not-at-start": E,
    "tag-glued": E,
    "unbalanced-parenthesis": E,
    "nested-parentheses": E,
    "malformed-dual": E,
    "dual-not-allowed": E,
    "slash-between-parentheses": E,
    "empty-dual-side": E,
    "mark-in-dual": E,
    "stray-character-in-dual": E,
    "digits-in-pronunciation": E,
    "digits-outside-dual": E,
    "latin-outside-dual": E,
    "stray-character": E,
    "control-character": E,
    "plus-joined": E,
    "mark-at-word-start": E,
    "mark-alone": E,
    "mark-in-word": E,
    "repeated-mark": E,
    "mark-order": E,
    "repetition-before-punctuation": W,
    "disfluency-mark-on-dual": W,
    "dual-spacing": W,
    "identical-dual-sides": W,
    "leading-space": W,
    "trailing-space": W,
    "double-space": W,
    "whitespace-character": W,
}
RULES: dict[str, Rule] = {
    code: Rule(severity, catalog(Lang.EN)[rule_key(code)]) for code, severity in _SEVERITIES.items()
}


@dataclass(frozen=True)
class Fix:
    """Replace ``text[start:end]`` with ``replacement`` (it may span more than the problem,
    e.g. moving ``o/`` to the start)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Problem:
    start: int
    end: int
    severity: Severity
    code: str
    message: str
    fix: Fix | None = None
    params: tuple[tuple[str, str], ...] = ()

    @property
    def suggestion(self) -> str | None:
        """The replacement text of the fix, when there is one."""
        return None if self.fix is None else self.fix.replacement

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def problem(code: str, start: int, end: int, fix: Fix | None = None, **params: str) -> Problem:
    rule = RULES[code]
    return Problem(
        start,
        end,
        rule.severity,
        code,
        rule.template.format(**params),
        fix,
        tuple((key, str(value)) for key, value in params.items()),
    )


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(item.severity == Severity.ERROR for item in problems)


def apply_fixes(text: str, problems: Iterable[Problem]) -> str:
    """``text`` with every fix applied, right to left; a fix overlapping one already applied
    is skipped (run ``lint`` again and apply what is left)."""
    fixes = sorted({item.fix for item in problems if item.fix is not None}, key=lambda fix: (fix.start, fix.end))
    applied_from = len(text) + 1
    for fix in reversed(fixes):
        if fix.end > applied_from or (fix.end == applied_from and fix.start == fix.end):
            continue
        text = text[: fix.start] + fix.replacement + text[fix.end :]
        applied_from = fix.start
    return text
