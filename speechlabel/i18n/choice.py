"""Which language a person sees before they pick one with the switch, and the command line's."""

from __future__ import annotations

from collections.abc import Mapping

from speechlabel.i18n.core import Lang

# Project languages whose people read the Korean UI by default.
_KOREAN_PROJECT_LANGUAGES = ("ko",)
# The locale variables that choose the language of messages, strongest first (as POSIX reads them).
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str]) -> Lang:
    """The command line's default: Korean when the locale of messages (the first of LC_ALL,
    LC_MESSAGES and LANG that is set, so ``LC_ALL=C`` wins over ``LANG=ko_KR.UTF-8``) starts
    with "ko"; English otherwise."""
    for name in _LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return Lang.KO if value.strip().lower().startswith("ko") else Lang.EN
    return Lang.EN


def default_language(
    project_language: str | None, browser_locale: str | None = None, accept_language: str | None = None
) -> Lang:
    """Korean for a Korean project; any other project language means English. With no project
    (or a project on ``auto``), the browser decides: ``navigator.language`` (``st.context.locale``)
    first, else the first supported language in the ``Accept-Language`` header; English otherwise."""
    if project_language:
        return Lang.KO if project_language.strip().lower() in _KOREAN_PROJECT_LANGUAGES else Lang.EN
    for wanted in (browser_locale, *_accepted(accept_language)):
        found = _supported(wanted)
        if found is not None:
            return found
    return Lang.EN


def _accepted(header: str | None) -> list[str]:
    """The header's language tags, most wanted first ("ko-KR,ko;q=0.9,en;q=0.8")."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0  # a malformed weight: treat it as not wanted
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def _supported(tag: str | None) -> Lang | None:
    primary = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    return next((lang for lang in Lang if lang.value == primary), None)
