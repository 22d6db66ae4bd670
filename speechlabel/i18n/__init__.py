"""The UI's languages: message catalogs (``en``, ``ko``), ``translate``, translated labels of
the enums the pages show, errors in the reader's language and the default language (of the
pages, and of the command line's ``--lang``).

No streamlit here: ``views/lang.py`` keeps the session's choice and gives the pages ``t()``.
Nothing of speechlabel is imported but ``errors``: the modules above register what the catalogs
name (an enum its labels, ``labels.labeled``) or read their English from ``en.py`` (errors, the
linter's rules), so ``import speechlabel.i18n`` stays light (tests/test_import_weight.py).
"""

from speechlabel.i18n.choice import default_language, environment_language
from speechlabel.i18n.core import LANGUAGE_NAMES, Lang, MissingMessage, catalog, translate
from speechlabel.i18n.error_text import error_message
from speechlabel.i18n.labels import enum_label

__all__ = [
    "LANGUAGE_NAMES",
    "Lang",
    "MissingMessage",
    "catalog",
    "default_language",
    "enum_label",
    "environment_language",
    "error_message",
    "translate",
]
