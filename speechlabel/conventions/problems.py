"""What the linter reports: problems with a position, a rule code, a message and a fix.

Messages are built from templates keyed by the rule code, with their values kept apart
(``Problem.params``), so a translated UI renders the same problem from its own template.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(str, enum.Enum):
    ERROR = "error"  # breaks the scheme or a parser (ESPnet drops or mangles the line)
    WARNING = "warning"  # allowed but untidy


@dataclass(frozen=True)
class Rule:
    severity: Severity
    template: str


E, W = Severity.ERROR, Severity.WARNING
RULES: dict[str, Rule] = {
    "empty-transcript": Rule(E, "the transcript is empty; write what was said, or mark the segment untranscribable"),
    "no-words": Rule(E, "the transcript has tags but no words, and ESPnet drops such a line; write the words "
                        "or mark the segment untranscribable"),
    "unknown-tag": Rule(E, "{tag} is not a tag of this scheme ({scheme}); its tags are {known}"),
    "tag-content-missing": Rule(E, "{tag} needs the words that were said inside it, like {example}"),
    "tag-content-not-allowed": Rule(E, "{tag} holds no words; write it as {bare}"),
    "tag-not-at-start": Rule(E, "{tag} ({meaning}) belongs at the start of the transcript, before the first word"),
    "tag-glued": Rule(E, "{tag} touches the text around it: ESPnet reads {tag} as a tag wherever it appears "
                         "and deletes it from the word; put spaces around a tag"),
    "unbalanced-parenthesis": Rule(E, "this {char} has no matching {other}"),
    "nested-parentheses": Rule(E, "parentheses inside parentheses; a dual transcription is "
                                  "(spelling)/(pronunciation), each side without parentheses"),
    "malformed-dual": Rule(E, "{text} is half a dual transcription; write (spelling)/(pronunciation) with both "
                              "sides in parentheses and a slash between them"),
    "dual-not-allowed": Rule(E, "this scheme ({scheme}) has no dual transcription (spelling)/(pronunciation); "
                                "write what was said"),
    "slash-between-parentheses": Rule(E, "ESPnet reads this / between ')' and '(' as the slash of a dual "
                                         "transcription and joins what is on either side; leave the mark out or "
                                         "put a word between"),
    "empty-dual-side": Rule(E, "the {side} side of this dual transcription has no words"),
    "mark-in-dual": Rule(E, "{char} inside a dual transcription: ESPnet deletes it or drops the line; "
                            "put marks after the closing parenthesis"),
    "stray-character-in-dual": Rule(E, "{char} ({name}) is not allowed on the {side} side of a dual "
                                       "transcription{hint}"),
    "digits-in-pronunciation": Rule(E, "the pronunciation side spells numbers out as they were said: "
                                       "{number} -> {reading}"),
    "digits-outside-dual": Rule(E, "this scheme writes numbers as a dual transcription "
                                   "(digits)/(as said): {suggestion}"),
    "latin-outside-dual": Rule(E, "{text}: this scheme writes foreign words as a dual transcription "
                                  "(spelling)/(pronunciation in Hangul), e.g. (LTE)/(엘티이)"),
    "stray-character": Rule(E, "{char} ({name}) is not allowed in a word in this scheme ({scheme})"),
    "control-character": Rule(E, "invisible control character {name}; delete it"),
    "plus-joined": Rule(E, "{mark} is joined to the next word: ESPnet drops the whole line; "
                           "a repetition mark ends a word, so put a space after it"),
    "mark-at-word-start": Rule(E, "{mark} ({meaning}) goes at the end of a word, not the start"),
    "mark-alone": Rule(E, "{mark} ({meaning}) stands alone; it belongs at the end of the word it marks"),
    "mark-in-word": Rule(E, "{mark} ({meaning}) in the middle of a word; it belongs at the end of a word"),
    "repeated-mark": Rule(E, "{mark} twice; once is enough"),
    "mark-order": Rule(E, "{mark} must be the last mark of a word (ESPnet drops the line otherwise): write {fixed}"),
    "repetition-before-punctuation": Rule(W, "{text}: punctuation right after a repetition mark makes ESPnet's "
                                             "fluent (fl) text drop the line; put a space before the punctuation "
                                             "or leave it out"),
    "disfluency-mark-on-dual": Rule(W, "a {kind} mark on a dual transcription: ESPnet's fluent (fl) text removes "
                                       "only part of it; write the filler or repetition as a word of its own"),
    "dual-spacing": Rule(W, "spaces around the slash or inside the parentheses of a dual transcription: "
                            "write {fixed}"),
    "identical-dual-sides": Rule(W, "both sides of this dual transcription are {text}; write the word alone"),
    "leading-space": Rule(W, "space at the start of the transcript"),
    "trailing-space": Rule(W, "space at the end of the transcript"),
    "double-space": Rule(W, "{count} spaces between words; one is enough"),
    "whitespace-character": Rule(W, "{name} instead of a plain space"),
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
    return Problem(start, end, rule.severity, code, rule.template.format(**params), fix,
                   tuple((key, str(value)) for key, value in params.items()))


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
        text = text[:fix.start] + fix.replacement + text[fix.end:]
        applied_from = fix.start
    return text
