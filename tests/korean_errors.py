"""Checks of translated text: the fields a catalog template fills, the keys whose languages fill
different ones, and an error told in Korean."""

from __future__ import annotations

import re
import string

from speechlabel.core.errors import SpeechLabelError
from speechlabel.i18n import Lang, error_message, translate

LEAD_IN = translate("error.untranslated", Lang.KO, message="")
HANGUL = re.compile(r"[가-힣]")

# Keys whose English fills a field the other languages leave out, or the reverse: (English only,
# Korean only). The English says what the raise site always said; the Korean was written shorter.
DIFFERENT_FIELDS = {
    "error.api_too_large": (set(), {"size"}),  # English "over 262144 bytes"; Korean the bytes read when refused
    "error.empty_date_range": ({"since_time", "until_time"}, {"since", "until"}),  # English times; Korean dates
    "error.not_text": ({"value"}, set()),  # English repeats the value; Korean says "the transcript"
}


def fields(template: str) -> set[str]:
    """The params a template reads (``{status.value}`` reads ``status``)."""
    return {re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def assert_in_korean(error: SpeechLabelError) -> str:
    """The Korean text comes from the error's own catalog entry, as the English one does
    (``str(error)``, which the CLI and logs print)."""
    assert error.message_key, f"no message_key on {type(error).__name__}: {error}"
    korean = error_message(error, Lang.KO)
    assert not korean.startswith(LEAD_IN.strip()) and HANGUL.search(korean), korean
    assert translate(error.message_key, Lang.EN, **error.params) == str(error)
    return korean
