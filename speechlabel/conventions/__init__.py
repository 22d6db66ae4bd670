"""Transcription conventions: tag schemes, the linter, text variants and scheme conversion.

    from speechlabel.conventions import KSPON, lint, text_variant, TextVariantOptions
    problems = lint("b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/", KSPON)   # []

Schemes: ``KSPON``, ``AIHUB``, ``GENERIC_EN`` (``resolve_scheme("kspon" | "aihub" | "generic" |
path)`` for a lead's ``.toml``/``.json`` file). Never imports streamlit.
"""

from speechlabel.conventions.builtin import AIHUB, BUILTIN_SCHEMES, GENERIC_EN, KSPON, builtin_scheme
from speechlabel.conventions.convert import Conversion, ConversionNote, convert
from speechlabel.conventions.draft_style import DraftStyleOptions, style_draft
from speechlabel.conventions.editing import Insertion, accept_dual, insert_dual, insert_tag
from speechlabel.conventions.hotkeys import RESERVED_HOTKEYS, normalize_hotkey
from speechlabel.conventions.lint import lint
from speechlabel.conventions.problems import RULES, Fix, Problem, Severity, apply_fixes, has_errors
from speechlabel.conventions.reading import display as display_tag
from speechlabel.conventions.scheme_file import (
    SchemeFileError,
    load_scheme_file,
    resolve_scheme,
    scheme_from_mapping,
    scheme_to_mapping,
)
from speechlabel.conventions.schemes import (
    ACCEPT_DUAL,
    Content,
    DigitRule,
    NumberStyle,
    Tag,
    TagForm,
    TagKind,
    TagScheme,
)
from speechlabel.conventions.variants import Side, Style, TextVariantOptions, text_variant

__all__ = [
    "ACCEPT_DUAL",
    "AIHUB",
    "BUILTIN_SCHEMES",
    "GENERIC_EN",
    "KSPON",
    "RESERVED_HOTKEYS",
    "RULES",
    "Content",
    "Conversion",
    "ConversionNote",
    "DigitRule",
    "DraftStyleOptions",
    "Fix",
    "Insertion",
    "NumberStyle",
    "Problem",
    "SchemeFileError",
    "Severity",
    "Side",
    "Style",
    "Tag",
    "TagForm",
    "TagKind",
    "TagScheme",
    "TextVariantOptions",
    "accept_dual",
    "apply_fixes",
    "builtin_scheme",
    "convert",
    "display_tag",
    "has_errors",
    "insert_dual",
    "insert_tag",
    "lint",
    "load_scheme_file",
    "normalize_hotkey",
    "resolve_scheme",
    "scheme_from_mapping",
    "scheme_to_mapping",
    "style_draft",
    "text_variant",
]
