"""Languages, catalogs and ``translate``.

A missing key raises ``MissingMessage`` in every language: there is no silent fallback to
English, so an untranslated string is a failing test (tests/test_i18n.py checks that every key
the code uses is in both catalogs), not a page that quietly mixes languages.
"""

from __future__ import annotations

import enum
import string
from types import MappingProxyType

from speechlabel.i18n import en, ko


class Lang(str, enum.Enum):
    EN = "en"
    KO = "ko"


# Each language named in itself: the switch shows these, whatever the current language.
LANGUAGE_NAMES = MappingProxyType({Lang.EN: "English", Lang.KO: "한국어"})

_CATALOGS = MappingProxyType({Lang.EN: MappingProxyType(en.MESSAGES), Lang.KO: MappingProxyType(ko.MESSAGES)})


class MissingMessage(KeyError):
    """A message key that is not in a language's catalog: a bug, found by tests/test_i18n.py."""

    def __init__(self, key: str, lang: Lang):
        super().__init__(f"message {key!r} is missing from the {lang.value!r} catalog")
        self.key = key
        self.lang = lang


def catalog(lang: Lang) -> MappingProxyType:
    """The read-only catalog of one language: key -> ``str.format`` template."""
    return _CATALOGS[Lang(lang)]


def translate(key: str, lang: Lang, /, **params: object) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` fields filled from ``params`` (positional-only
    ``key`` and ``lang``: an error's params may have those names too)."""
    lang = Lang(lang)
    try:
        template = _CATALOGS[lang][key]
    except KeyError:
        raise MissingMessage(key, lang) from None
    if not params:
        return template
    return _FORMATTER.vformat(template, (), params) if "|" in template else template.format(**params)


class _Formatter(string.Formatter):
    """``str.format`` plus the one-or-other form of a count: ``{minutes:minute|minutes}`` is
    "minute" when ``minutes`` is 1, else "minutes" (English's two plural forms; a language without
    them writes its one word, ``{minutes}분``)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            return one if value == 1 else other
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()
