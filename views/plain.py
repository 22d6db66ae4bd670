"""User text as plain text in Streamlit's Markdown: the one place that escapes it.

Streamlit renders Markdown (GitHub's, plus ``:red[…]`` directives, ``$…$`` LaTeX, emoji and
``:material/…:`` shortcodes and images) in ``st.markdown``, ``st.write``, ``st.caption``,
``st.title``/``header``/``subheader``, the alerts (``st.info``/``warning``/``error``/``success``),
``st.toast``, ``st.progress`` texts, ``st.metric``, expander and tab labels, every widget's label,
button labels and ``st.radio`` options. It does not in ``st.text``, ``st.code``, ``st.dataframe``
cells and column names, and ``st.selectbox``/``st.multiselect`` options (checked in Chromium).

So a user's string (project, file, speaker, tag, scheme and user names, transcripts, comments,
error texts that quote them) goes into those through ``md``, or through ``tm`` when it is a
param of a catalog message (the catalogs' own ``**bold**`` stays Markdown). Values in a plain
sink (a table cell, a selectbox option, the label loop's JSON) stay as they are: escaping there
would show the backslashes.
"""

from __future__ import annotations

import os

from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.markdown_text import markdown_literal
from views.lang import error_text, t


def md(text: object) -> str:
    """``text`` so that Streamlit's Markdown shows it literally: no link, image, format or tag."""
    return markdown_literal(text)


def tm(key: str, /, **params: object) -> str:
    """``t(key, ...)`` for a Markdown sink: string and path params (user text) are escaped, numbers
    keep their format specs, the catalog's own Markdown stays."""
    return t(
        key, **{name: md(value) if isinstance(value, (str, os.PathLike)) else value for name, value in params.items()}
    )


def error_md(error: SpeechLabelError) -> str:
    """An error's text in the session's language for ``st.error``: it quotes user input (a name, a
    tag, a file name), so all of it is shown literally."""
    return md(error_text(error))
