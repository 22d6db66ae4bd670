"""Lint problems, convert-text notes and tag meanings in the reader's language.

A ``Problem`` keeps its rule ``code`` and ``params`` (``speechlabel.conventions.problems``), so
a page renders it from the catalog template ``lint.<code>`` instead of the English message.
Params that are English words themselves (a dual side, a disfluency kind, a hint, a tag's
meaning) are translated too; tag texts, character names and scheme names stay as written.
Built-in tags' meanings are ``tag_meaning.<scheme>.<kind>``; a lead's own scheme file keeps
the meanings the lead wrote. A ``ConversionNote`` (``speechlabel convert-text``) is rendered
from ``convert_note.<code>`` the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from speechlabel.i18n.core import Lang, catalog, translate

if TYPE_CHECKING:  # the conventions package imports this module (problems.RULES, convert.NOTE_TEMPLATES)
    from speechlabel.conventions import ConversionNote, Problem, Tag, TagScheme

# The English hints the character rules append (lint_chars.py) and their catalog keys.
_HINTS = {
    "": None,
    "; write it as it is said, in Hangul": "lint_hint.hangul",
    "; ESPnet deletes it": "lint_hint.espnet_deletes",
}
_WORD_PARAMS = {"side": "lint_word.", "kind": "lint_word."}  # spelling, pronunciation, filler, repetition
_PROJECT_TAG_SUFFIX = " (the project's tag)"  # project_conventions._generic_with


def rule_key(code: str) -> str:
    return "lint." + code.replace("-", "_")


def rule_keys() -> set[str]:
    """The lint rules' keys (one per code of ``conventions.problems.RULES``, which reads them)."""
    return _keys("lint.")


def note_key(code: str) -> str:
    return "convert_note." + code.replace("-", "_")


def note_keys() -> set[str]:
    """Convert-text's notes' keys (one per code of ``conventions.convert.NOTE_TEMPLATES``)."""
    return _keys("convert_note.")


def builtin_meaning_keys() -> set[str]:
    """The built-in schemes' tags' meanings (``tag_meaning.<scheme>.<kind>``)."""
    return _keys("tag_meaning.") - {"tag_meaning.project_tag"}


def _keys(prefix: str) -> set[str]:
    return {key for key in catalog(Lang.EN) if key.startswith(prefix)}


def word_keys() -> set[str]:
    return {
        "lint_word.spelling",
        "lint_word.pronunciation",
        "lint_word.filler",
        "lint_word.repetition",
        "tag_meaning.project_tag",
    } | {key for key in _HINTS.values() if key}


def _meaning_key(scheme: TagScheme, tag: Tag) -> str:
    return f"tag_meaning.{scheme.name}.{tag.kind.value}"


def tag_meaning(scheme: TagScheme, tag: Tag, lang: Lang) -> str:
    """What ``tag`` means, in ``lang`` for the built-in schemes' tags; a lead's text as written."""
    if lang == Lang.EN:
        return tag.meaning
    # Here, not at the top: the conventions package imports this module.
    from speechlabel.conventions import BUILTIN_SCHEMES, TagKind

    # A built-in tag, also when a lead's scheme takes it over from its base scheme unchanged.
    own = BUILTIN_SCHEMES.get(scheme.name)
    for builtin in ([own] if own is not None else []) + list(BUILTIN_SCHEMES.values()):
        if tag in builtin.tags:
            return translate(_meaning_key(builtin, tag), lang)
    name = tag.text[1:-1]
    if own is not None and tag.kind == TagKind.OTHER and tag.meaning == name + _PROJECT_TAG_SUFFIX:
        return translate("tag_meaning.project_tag", lang, name=name)
    return tag.meaning


def note_message(note: ConversionNote, lang: Lang) -> str:
    """Why ``note``'s item could not be converted exactly, in ``lang`` (English: the note's own reason)."""
    if lang == Lang.EN or not note.code:
        return note.reason
    return translate(note_key(note.code), lang, **dict(note.params))


def problem_message(problem: Problem, scheme: TagScheme, lang: Lang) -> str:
    """``problem``'s message in ``lang`` (English: the linter's own message)."""
    if lang == Lang.EN:
        return problem.message
    params = dict(problem.params)
    for name, prefix in _WORD_PARAMS.items():
        if name in params and prefix + params[name] in word_keys():
            params[name] = translate(prefix + params[name], lang)
    if "hint" in params:
        key = _HINTS.get(params["hint"], "")
        params["hint"] = translate(key, lang) if key else params["hint"]
    if "meaning" in params:
        tag = scheme.by_text.get(params.get("tag") or params.get("mark") or "")
        if tag is not None and tag.meaning == params["meaning"]:
            params["meaning"] = tag_meaning(scheme, tag, lang)
    return translate(rule_key(problem.code), lang, **params)
