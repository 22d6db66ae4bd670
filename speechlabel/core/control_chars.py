"""Control characters out of text that leaves the app: the one rule every export writer (the
formats' manifests, Kaldi's files, the dataset card) and the dashboard's CSV downloads apply to
the user text they write.

Typed text has been refused with a control character since the control-character rule
(``segment_rules.typed_text``), but text saved before it, imported or written by a pre-labeling
engine may hold NUL, ESC or other C0/C1 control characters. Written raw, NUL cuts a C string
short, an ESC sequence recolours or rewrites a lead's terminal (``head text``), and a tab or line
break inside a value breaks Kaldi's and other one-line-per-segment files (a format's own tabs and
line breaks are written by the writer, never taken from a value).

Each one becomes a space rather than being dropped: dropped, "word\\x00word" would become one
word; as a space, the two words stay apart, as the typed-text rule makes a tab or line break a
space. The characters are the ones ``typed_text`` refuses: Unicode category Cc (U+0000-U+001F,
U+007F-U+009F).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None


def without_controls(text: str) -> str:
    """``text`` with every control character (tab and line breaks too) replaced by a space."""
    return _CONTROL.sub(" ", text)
