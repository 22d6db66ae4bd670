"""User text made literal in Markdown: the one escaping rule, for the app's pages (views/plain.py)
and the export's dataset card (``README.md``, which the Hugging Face hub and GitHub render).

Every ASCII punctuation character gets a backslash (CommonMark makes any of them literal that
way, and so do the plugins that read the text after it: directives like ``:red[…]``, ``$…$``
math, ``:shortcodes:``), so no link, image, emphasis, HTML tag or table cell break can come from
it. GitHub's autolinks (``http://…``, ``www.…``, ``a@b.c``) are found in the text after the
escapes are resolved, so backslashes cannot stop them: an invisible word joiner (U+2060) breaks
each pattern instead.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def markdown_literal(text: object) -> str:
    """``text`` so that a Markdown renderer shows it as it is."""
    joined = _AUTOLINK.sub(WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", joined)
