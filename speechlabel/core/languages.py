"""What a transcript's language says about how its words are written (a language tag's script
facts), shared by the error rates (analytics.metrics) and the cutting of drafts at a split
(core.draft_cut)."""

from __future__ import annotations

import re

# Scripts written without spaces between words: a word error rate means nothing there.
NO_WORD_SPACES = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo", "yue"})
# Compared with spaces removed: Korean spacing varies between writers and is not an error.
SPACE_FREE = NO_WORD_SPACES | {"ko"}


def language_key(language: str | None) -> str:
    """ "ko-KR", "ko_KR", "KO" -> "ko"; None -> ""."""
    return re.split(r"[-_]", language.strip().lower())[0] if language else ""


def writes_without_spaces(language: str | None) -> bool:
    """Its script puts no spaces between words (Chinese, Japanese, Thai, ...; not Korean)."""
    return language_key(language) in NO_WORD_SPACES
