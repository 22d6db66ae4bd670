"""Custom tag schemes written by a lead, in TOML (stdlib ``tomllib``) or JSON, and the same
mapping for storing a scheme in project settings.

```toml
name = "factory-ko"
base = "kspon"              # optional: start from a built-in scheme's rules and tags
title = "Factory floor, Korean"

[[tags]]
tag = "[machine]"           # x/, [name], <name>, (CODE:) or a one-character mark
kind = "noise"              # noise, breath, laughter, ..., filler, repetition, uncertain
meaning = "machine noise"
hotkey = "Alt+M"
time_ranged = true
```

Other scheme keys: ``language``, ``dual_transcription`` (bool), ``digits``
(anywhere | pronunciation-spelled | spelling-side-only), ``word_characters`` (a character class
body such as ``가-힣.,?!``), ``dual_hotkey``, ``accept_dual_hotkey``, ``fillers`` and
``pause_fillers`` (lists of words a draft marks as fillers), ``numbers`` (keep | read | dual: how
a draft writes digits; default from ``digits``), ``description``. Tag keys: ``at_start`` (bool),
``content`` (none | optional | required, code tags), ``form`` (suffix | prefix, marks). With a
``base``, a tag whose text the base already has replaces it; the others are added.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from speechlabel.conventions.builtin import BUILTIN_SCHEMES
from speechlabel.conventions.schemes import Tag, TagScheme
from speechlabel.core.errors import ValidationError

SCHEME_FILE_SUFFIXES = (".toml", ".json")
_SCHEME_KEYS = {
    "name": str,
    "base": str,
    "title": str,
    "language": str,
    "dual_transcription": bool,
    "digits": str,
    "word_characters": str,
    "dual_hotkey": str,
    "accept_dual_hotkey": str,
    "fillers": list,
    "pause_fillers": list,
    "numbers": str,
    "description": str,
    "tags": list,
}
_TAG_KEYS = {
    "tag": str,
    "kind": str,
    "meaning": str,
    "hotkey": str,
    "time_ranged": bool,
    "at_start": bool,
    "content": str,
    "form": str,
}


class SchemeFileError(ValidationError):
    """A scheme file that cannot be read or breaks a rule; the message names the file."""


def resolve_scheme(name_or_path: str | Path) -> TagScheme:
    """A built-in scheme by name (kspon, aihub, generic), or a scheme file (.toml or .json)."""
    if isinstance(name_or_path, str) and name_or_path in BUILTIN_SCHEMES:
        return BUILTIN_SCHEMES[name_or_path]
    path = Path(name_or_path)
    if path.suffix.lower() not in SCHEME_FILE_SUFFIXES:
        raise SchemeFileError(
            message_key="error.scheme_unknown",
            params={"name": str(name_or_path), "builtin": ", ".join(BUILTIN_SCHEMES)},
        )
    return load_scheme_file(path)


def load_scheme_file(path: str | Path) -> TagScheme:
    path = Path(path)
    if path.suffix.lower() not in SCHEME_FILE_SUFFIXES:
        raise SchemeFileError(message_key="error.scheme_file_suffix", params={"file": path})
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise SchemeFileError(
            message_key="error.scheme_file_unreadable", params={"path": path, "reason": reason}
        ) from None
    return scheme_from_bytes(raw, str(path), path.suffix.lower())


def scheme_from_mapping(data: Any) -> TagScheme:
    """A scheme from the mapping a scheme file holds (or ``scheme_to_mapping`` wrote)."""
    if not isinstance(data, dict):
        raise ValidationError(
            message_key="error.scheme_not_table", params={"keys": ", ".join(_SCHEME_KEYS), "type": type(data).__name__}
        )
    _check_keys(data, _SCHEME_KEYS)
    if "name" not in data:
        raise ValidationError(message_key="error.scheme_no_name")
    base = _base(data.get("base"))
    fields = {key: data[key] for key in _SCHEME_KEYS if key in data and key not in ("base", "tags")}
    if "tags" not in data and base is None:
        raise ValidationError(message_key="error.scheme_no_tags")
    tags = _tags(data.get("tags", []), base)
    inherited = (
        {}
        if base is None
        else {
            "title": base.title,
            "language": base.language,
            "dual_transcription": base.dual_transcription,
            "digits": base.digits,
            "word_characters": base.word_characters,
            "dual_hotkey": base.dual_hotkey,
            "accept_dual_hotkey": base.accept_dual_hotkey,
            "fillers": base.fillers,
            "pause_fillers": base.pause_fillers,
            "numbers": base.numbers,
        }
    )
    if base is not None and base.accept_dual_hotkey in {tag.hotkey for tag in tags}:
        # The base's accept key came after scheme files that may give a tag that key: the tag keeps it.
        inherited["accept_dual_hotkey"] = None
    return TagScheme(**{**inherited, **fields, "tags": tags})


def scheme_to_mapping(scheme: TagScheme) -> dict[str, Any]:
    """JSON-ready mapping; ``scheme_from_mapping`` gives the same scheme back."""
    tags = []
    for tag in scheme.tags:
        assert tag.form is not None  # Tag.__post_init__ always infers it
        entry: dict[str, Any] = {
            "tag": tag.text,
            "kind": tag.kind.value,
            "meaning": tag.meaning,
            "time_ranged": tag.time_ranged,
            "at_start": tag.at_start,
            "form": tag.form.value,
        }
        if tag.hotkey:
            entry["hotkey"] = tag.hotkey
        if tag.content is not None:
            entry["content"] = tag.content.value
        tags.append(entry)
    mapping: dict[str, Any] = {
        "name": scheme.name,
        "title": scheme.title,
        "language": scheme.language,
        "dual_transcription": scheme.dual_transcription,
        "digits": scheme.digits.value,
        "word_characters": scheme.word_characters,
        "description": scheme.description,
        "tags": tags,
    }
    for name in ("dual_hotkey", "accept_dual_hotkey"):
        if getattr(scheme, name):
            mapping[name] = getattr(scheme, name)
    if scheme.fillers or scheme.pause_fillers:
        mapping["fillers"], mapping["pause_fillers"] = list(scheme.fillers), list(scheme.pause_fillers)
    if scheme.numbers is not None:
        mapping["numbers"] = scheme.numbers.value
    return mapping


def _base(name: Any) -> TagScheme | None:
    if name is None:
        return None
    if name not in BUILTIN_SCHEMES:
        raise ValidationError(
            message_key="error.scheme_base", params={"name": name, "allowed": ", ".join(BUILTIN_SCHEMES)}
        )
    return BUILTIN_SCHEMES[name]


def _tags(entries: list, base: TagScheme | None) -> tuple[Tag, ...]:
    own = [_tag(entry, number) for number, entry in enumerate(entries, start=1)]
    if base is None:
        return tuple(own)
    replaced = {tag.text for tag in own}
    return tuple(tag for tag in base.tags if tag.text not in replaced) + tuple(own)


def _tag(entry: Any, number: int) -> Tag:
    if not isinstance(entry, dict):
        raise ValidationError(
            message_key="error.scheme_tag_not_table", params={"number": number, "type": type(entry).__name__}
        )
    _check_keys(entry, _TAG_KEYS, number)
    for required in ("tag", "kind"):
        if required not in entry:
            raise ValidationError(
                message_key="error.scheme_tag_missing", params={"number": number, "required": required}
            )
    try:
        return Tag(
            text=entry["tag"],
            kind=entry["kind"],
            meaning=entry.get("meaning", ""),
            hotkey=entry.get("hotkey"),
            time_ranged=entry.get("time_ranged", False),
            at_start=entry.get("at_start", False),
            content=entry.get("content"),
            form=entry.get("form"),
        )
    except ValidationError as error:
        raise ValidationError(
            message_key="error.scheme_tag_problem", params={"number": number, "error": error}
        ) from None


def _check_keys(data: dict, allowed: dict[str, type], tag_number: int | None = None) -> None:
    """The scheme's own keys (``tag_number`` None) or those of its tag ``tag_number``."""
    scheme = tag_number is None
    for key, value in data.items():
        if key not in allowed:
            raise ValidationError(
                message_key="error.scheme_key_unknown" if scheme else "error.scheme_tag_key_unknown",
                params={"number": tag_number, "key": key, "allowed": ", ".join(allowed)},
            )
        if not isinstance(value, allowed[key]):
            raise ValidationError(
                message_key="error.scheme_key_type" if scheme else "error.scheme_tag_key_type",
                params={"number": tag_number, "key": key, "type": allowed[key].__name__, "value": value},
            )


def scheme_from_bytes(raw: bytes, name: str, suffix: str) -> TagScheme:
    """A scheme from a file's bytes (``suffix`` ".toml" or ".json"); errors start with ``name``.
    Shared by files on disk and files a lead uploads on the Projects page."""
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except UnicodeDecodeError:
        raise SchemeFileError(message_key="error.scheme_file_not_utf8", params={"file": name}) from None
    except tomllib.TOMLDecodeError as error:
        # The parser's own words (what it expected, where) stay English in every language.
        raise SchemeFileError(message_key="error.scheme_file_toml", params={"file": name, "detail": error}) from None
    except json.JSONDecodeError as error:
        raise SchemeFileError(
            message_key="error.scheme_file_json",
            params={"file": name, "detail": error.msg, "line": error.lineno, "column": error.colno},
        ) from None
    except RecursionError:
        raise SchemeFileError(message_key="error.scheme_file_nested", params={"file": name}) from None
    try:
        return scheme_from_mapping(data)
    except ValidationError as error:
        # The problem in the reader's language too (i18n.error_text renders an error param).
        raise SchemeFileError(message_key="error.scheme_file_problem", params={"file": name, "error": error}) from None
