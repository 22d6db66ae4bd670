"""Which command of a project's vocabulary a Whisper draft says: the proposed command, or none
(the draft is outside the vocabulary).

The draft and every form of every command (label and variants) are compared as *keys*: NFC,
case folded, punctuation and symbols dropped, and spaces dropped too, because Korean spacing
varies ("불 켜" and "불켜" are one command) and Whisper's spacing of short English phrases does as
well. Then, in order:

1. **exact**: the draft's key is a form's key (score 1).
2. **contained**: a form's key occurs in the draft's key as whole words (the draft said more,
   "please turn on the lights"); the longest such form wins (score 1 too: the words are there).
3. **fuzzy**: the form whose key is most similar by rapidfuzz's ``fuzz.ratio`` (normalised Indel
   similarity: 1 - (insertions + deletions) / total length), if at least ``min_similarity``.
   This catches one or two wrong letters in a short command ("lites on"); at 0.8 a 10-letter
   command may differ by about two letters. Lower lets unrelated short words match each other.

An empty draft (Whisper heard no speech) proposes ``_silence_``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from speechlabel.core.commands import SILENCE, CommandSettings

DEFAULT_MIN_SIMILARITY = 0.8
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CommandMatch:
    """``label`` the proposed class (None: outside the vocabulary); ``form`` the label or variant
    that matched; ``how`` exact | contained | fuzzy | silence | none; ``score`` 0 to 1."""

    label: str | None
    form: str | None
    how: str
    score: float

    @property
    def outside(self) -> bool:
        return self.label is None


def words_of(text: str) -> list[str]:
    """The text's words, NFC, case folded, without punctuation or symbols."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] not in "PSC" else " " for ch in unicodedata.normalize("NFC", text).casefold()
    )
    return _SPACES.split(kept.strip()) if kept.strip() else []


def match_command(
    settings: CommandSettings, draft: str, min_similarity: float = DEFAULT_MIN_SIMILARITY
) -> CommandMatch:
    """The command ``draft`` says (see the module for the rules)."""
    words = words_of(draft)
    if not words:
        return CommandMatch(SILENCE, None, "silence", 1.0)
    key = "".join(words)
    spaced = f" {' '.join(words)} "
    forms = [(command.label, form, words_of(form)) for command in settings.commands for form in command.forms]
    forms = [(label, form, form_words) for label, form, form_words in forms if form_words]
    for label, form, form_words in forms:
        if "".join(form_words) == key:
            return CommandMatch(label, form, "exact", 1.0)
    contained = [(len("".join(w)), label, form) for label, form, w in forms if f" {' '.join(w)} " in spaced]
    if contained:
        _, label, form = max(contained, key=lambda found: found[0])
        return CommandMatch(label, form, "contained", 1.0)
    best: tuple[float, str, str] | None = None
    for label, form, form_words in forms:
        score = fuzz.ratio(key, "".join(form_words)) / 100.0
        if best is None or score > best[0]:
            best = (score, label, form)
    if best is not None and best[0] >= min_similarity:
        return CommandMatch(best[1], best[2], "fuzzy", round(best[0], 3))
    return CommandMatch(None, None, "none", round(best[0], 3) if best else 0.0)
