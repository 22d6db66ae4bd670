"""Which tag scheme a project's transcripts follow, and its drafts in that scheme.

Here, under the packages that draft (``prelabel``) and those that show, review and score drafts
(``labeling``, ``review``, ``analytics``), so all of them style a draft the one same way.
``speechlabel.projects.conventions`` explains how the scheme and the project's tag list relate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from speechlabel.conventions import GENERIC_EN, KSPON, DraftStyleOptions, Tag, TagKind, TagScheme, style_draft
from speechlabel.core.models import ConventionSettings, Draft, Project

_BRACKET_NAME = re.compile(r"[\w-]+(?: [\w-]+)*")


def default_scheme(language: str | None) -> TagScheme:
    """Korean projects follow KsponSpeech; every other language (and auto) the generic scheme."""
    return KSPON if language == "ko" else GENERIC_EN


def default_convention_settings(language: str | None) -> ConventionSettings:
    return ConventionSettings(scheme=default_scheme(language))


def project_scheme(project: Project) -> TagScheme:
    """The scheme the project's transcripts follow (``projects.conventions``: the tag list's part)."""
    scheme = project.convention_settings.scheme or default_scheme(project.language)
    if scheme == GENERIC_EN:
        return _generic_with(tuple(project.label_settings.tags))
    return scheme


@lru_cache(maxsize=64)
def _generic_with(names: tuple[str, ...]) -> TagScheme:
    known = {tag.text.casefold() for tag in GENERIC_EN.tags}
    added = tuple(
        Tag(f"[{name}]", TagKind.OTHER, f"{name} (the project's tag)")
        for name in names
        if _BRACKET_NAME.fullmatch(name) and f"[{name}]".casefold() not in known
    )
    if not added:
        return GENERIC_EN
    return replace(GENERIC_EN, tags=GENERIC_EN.tags + added)


@dataclass(frozen=True)
class DraftStyle:
    """How a project's drafts are written for its labelers: the scheme and the style's options."""

    scheme: TagScheme
    options: DraftStyleOptions = DraftStyleOptions()

    def text(self, raw: str) -> str:
        """A draft's raw text as the labeler's box starts with it: in the project's convention."""
        return style_draft(raw, self.scheme, self.options)

    def recorded(self, draft: Draft) -> Draft:
        """``draft`` noting how it is styled in its options (provenance); its text stays Whisper's."""
        style = {"scheme": self.scheme.name, **self.options.to_dict()}
        return replace(draft, options={**draft.options, "style": style})


def draft_style(project: Project) -> DraftStyle:
    return DraftStyle(project_scheme(project))
