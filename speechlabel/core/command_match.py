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

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

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
    forms = _prepared(settings)
    key = "".join(words)
    exact = forms.by_key.get(key)
    if exact is not None:
        return CommandMatch(exact[0], exact[1], "exact", 1.0)
    spaced = f" {' '.join(words)} "
    contained = [(len(f_key), label, form) for label, form, f_key, f_spaced in forms.all if f_spaced in spaced]
    if contained:
        _, label, form = max(contained, key=lambda found: found[0])
        return CommandMatch(label, form, "contained", 1.0)
    best = process.extractOne(key, forms.keys, scorer=fuzz.ratio) if forms.keys else None
    if best is None:
        return CommandMatch(None, None, "none", 0.0)
    score = round(best[1] / 100.0, 3)
    if score >= min_similarity:
        label, form, _, _ = forms.all[best[2]]
        return CommandMatch(label, form, "fuzzy", score)
    return CommandMatch(None, None, "none", score)


@dataclass(frozen=True)
class _Forms:
    """Every form of a vocabulary, normalised once: (label, form, key, spaced words) each, the
    keys alone (for rapidfuzz) and the first form of each key."""

    all: tuple[tuple[str, str, str, str], ...]
    keys: tuple[str, ...]
    by_key: dict[str, tuple[str, str]]


# A label page asks for one match per card: the largest vocabulary (300 commands of 31 forms)
# took ~0.3 s to normalise per call, so its forms are prepared once per vocabulary.
@functools.lru_cache(maxsize=32)
def _prepared(settings: CommandSettings) -> _Forms:
    forms = []
    for command in settings.commands:
        for form in command.forms:
            form_words = words_of(form)
            if form_words:
                forms.append((command.label, form, "".join(form_words), f" {' '.join(form_words)} "))
    by_key: dict[str, tuple[str, str]] = {}
    for label, form, key, _ in forms:
        by_key.setdefault(key, (label, form))
    return _Forms(tuple(forms), tuple(key for _, _, key, _ in forms), by_key)
