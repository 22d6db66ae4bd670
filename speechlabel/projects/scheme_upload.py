"""The Projects page's transcription-convention form as domain calls: a lead picks a built-in
tag scheme or uploads their own scheme file (.toml/.json, the format of
``speechlabel.conventions.scheme_file``), and whether lint errors block Save & next.
"""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.conventions import BUILTIN_SCHEMES, SchemeFileError, TagScheme
from speechlabel.conventions.scheme_file import SCHEME_FILE_SUFFIXES, scheme_from_bytes
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Actor, ConventionSettings, Project
from speechlabel.projects.conventions import project_scheme, update_convention_settings
from speechlabel.store import Store

# The form's scheme choices besides the built-in names.
UPLOADED = "file"  # the scheme file uploaded with the form
KEEP_CUSTOM = "custom"  # the lead's scheme file the project has already
MAX_SCHEME_FILE_BYTES = 256 * 1024  # a scheme is a few dozen tags; anything bigger is the wrong file


@dataclass(frozen=True)
class SchemeUpload:
    filename: str
    data: bytes


def scheme_choices(project: Project) -> list[str]:
    """What the form offers: the built-in schemes, the project's own file if it has one, a new file."""
    custom = [KEEP_CUSTOM] if current_choice(project) == KEEP_CUSTOM else []
    return [*BUILTIN_SCHEMES, *custom, UPLOADED]


def current_choice(project: Project) -> str:
    scheme = project.convention_settings.scheme
    if scheme is None:
        return project_scheme(project).name  # the language's default, a built-in one
    return scheme.name if BUILTIN_SCHEMES.get(scheme.name) == scheme else KEEP_CUSTOM


def scheme_from_upload(upload: SchemeUpload) -> TagScheme:
    """A lead's uploaded scheme file, checked like ``load_scheme_file`` checks a file on disk."""
    name = upload.filename
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SCHEME_FILE_SUFFIXES:
        raise SchemeFileError(message_key="error.scheme_file_suffix", params={"file": name})
    if len(upload.data) > MAX_SCHEME_FILE_BYTES:
        raise SchemeFileError(
            message_key="error.scheme_file_size",
            params={"file": name, "size": len(upload.data), "limit": MAX_SCHEME_FILE_BYTES // 1024},
        )
    return scheme_from_bytes(upload.data, name, suffix)


def save_convention_form(
    store: Store, actor: Actor, project: Project, choice: str, block_submit: bool, upload: SchemeUpload | None = None
) -> Project:
    """The form's Save: the chosen scheme (a built-in name, ``UPLOADED`` with ``upload``, or
    ``KEEP_CUSTOM``) and the submit rule, through ``update_convention_settings`` (leads only)."""
    scheme: TagScheme | None
    if choice in BUILTIN_SCHEMES:
        scheme = BUILTIN_SCHEMES[choice]
    elif choice == UPLOADED:
        if upload is None:
            raise ValidationError(
                message_key="error.scheme_not_uploaded", params={"builtin": ", ".join(BUILTIN_SCHEMES)}
            )
        scheme = scheme_from_upload(upload)
    elif choice == KEEP_CUSTOM and current_choice(project) == KEEP_CUSTOM:
        scheme = project.convention_settings.scheme
    else:
        raise ValidationError(
            message_key="error.scheme_choice", params={"choice": choice, "allowed": ", ".join(scheme_choices(project))}
        )
    return update_convention_settings(store, actor, project, ConventionSettings(scheme, bool(block_submit)))
