"""Errors in the reader's language.

An error raised with a ``message_key`` is rendered from the catalog with its params: enum
params become their translated labels, tuples of enums a list, the ``what`` param (the noun a
name check was about: "project name", "speaker", "tag") its translated noun, an error param (a
scheme file's problem inside "<file>: <problem>") its own message in the same language, and a
``Phrase`` (fixed words such as a hint) its catalog text. An error without a key
(tests/test_i18n_raise_sites.py allows only a few, none a page shows) is shown as its English
message under a translated lead-in ("error.untranslated"), so nothing is hidden. In English it
is ``str(error)``: the English template filled with the params as they are, when it was raised.
"""

from __future__ import annotations

import enum
import logging

from speechlabel.core.errors import LocalizedParam, Phrase, SpeechLabelError
from speechlabel.i18n.core import Lang, MissingMessage, translate
from speechlabel.i18n.labels import ENUM_PREFIXES, enum_label

log = logging.getLogger(__name__)


def error_message(error: SpeechLabelError, lang: Lang) -> str:
    if lang == Lang.EN:
        # The English catalog's template, filled when the error was raised with the params as
        # they are (a Phrase's own English words, an AnyOf's "or"); the CLI prints the same words.
        return str(error)
    key = getattr(error, "message_key", None)
    if key:
        try:
            return translate(key, lang, **localized_params(error.params, lang))
        except (MissingMessage, KeyError, IndexError) as problem:
            # A raise site with a key the catalogs lack: show the English text rather than nothing.
            log.error("cannot translate %r into %s: %s", key, lang.value, problem)
    return translate("error.untranslated", lang, message=str(error))


def localized_params(params: dict[str, object], lang: Lang) -> dict[str, object]:
    """A message's params rendered for ``lang`` as an error's are (for warnings with a key)."""
    return {name: _param(name, value, lang) for name, value in params.items()}


def _param(name: str, value: object, lang: Lang) -> object:
    if isinstance(value, LocalizedParam):
        return value.in_language(lang)
    if isinstance(value, SpeechLabelError):
        return error_message(value, lang)
    if isinstance(value, Phrase):
        return translate(value.key, lang)
    if isinstance(value, enum.Enum) and type(value) in ENUM_PREFIXES:
        return enum_label(value, lang)
    if isinstance(value, tuple) and value and all(isinstance(v, enum.Enum) for v in value):
        return translate("list.separator", lang).join(enum_label(v, lang) for v in value)
    if name == "what" and isinstance(value, str):
        return translate("noun." + value.replace(" ", "_"), lang)
    return value
