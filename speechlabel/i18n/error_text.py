"""Errors in the reader's language.

An error raised with a ``message_key`` is rendered from the catalog with its params: enum
params become their translated labels, tuples of enums a list, and the ``what`` param (the
noun a name check was about: "project name", "speaker", "tag") its translated noun. Every other
error is shown as its English message under a translated lead-in ("error.untranslated"), so
nothing is hidden while the rest of the messages are translated. In English the raise site's
message is shown as it is.
"""

from __future__ import annotations

import enum
import logging

from ..errors import SpeechLabelError
from .core import Lang, MissingMessage, translate
from .labels import ENUM_PREFIXES, enum_label

log = logging.getLogger(__name__)


def error_message(error: SpeechLabelError, lang: Lang) -> str:
    if lang == Lang.EN:
        # The raise site's own English message: it has details the generic catalog form leaves
        # out (the action that was refused, plural forms), and the CLI prints the same words.
        return str(error)
    key = getattr(error, "message_key", None)
    if key:
        try:
            params = {name: _param(name, value, lang) for name, value in error.params.items()}
            return translate(key, lang, **params)
        except (MissingMessage, KeyError, IndexError) as problem:
            # A raise site with a key the catalogs lack: show the English text rather than nothing.
            log.error("cannot translate %r into %s: %s", key, lang.value, problem)
    return translate("error.untranslated", lang, message=str(error))


def _param(name: str, value: object, lang: Lang) -> object:
    if isinstance(value, enum.Enum) and type(value) in ENUM_PREFIXES:
        return enum_label(value, lang)
    if isinstance(value, tuple) and value and all(isinstance(v, enum.Enum) for v in value):
        return translate("list.separator", lang).join(enum_label(v, lang) for v in value)
    if name == "what" and isinstance(value, str):
        return translate("noun." + value.replace(" ", "_"), lang)
    return value
