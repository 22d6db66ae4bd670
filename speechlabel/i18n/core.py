"""Languages, catalogs and ``translate``.

A missing key raises ``MissingMessage`` in every language: there is no silent fallback to
English, so an untranslated string is a failing test (tests/test_i18n.py checks that every key
the code uses is in both catalogs), not a page that quietly mixes languages.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from speechlabel.core.choices import parse_choice
from speechlabel.i18n import en, ko


class Lang(str, enum.Enum):
    EN = "en"
    KO = "ko"

    @classmethod
    def parse(cls, value: str) -> Lang:
        return parse_choice(cls, value, message_key="error.ui_language", what="UI language")


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
    return template.format(**params) if params else template
