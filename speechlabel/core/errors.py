"""The error hierarchy. Every message says what was wrong and what is allowed.

The UI shows these with ``st.error``; the CLI prints the message and exits non-zero.
"""

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)


class SpeechLabelError(Exception):
    """Base of every error a user can cause and should read.

    Raised with a ``message_key`` (a key of the message catalogs, ``speechlabel/i18n/en.py`` and
    ``ko.py``) and the ``params`` its template names: ``str(error)`` (logs, the CLI) is the English
    template filled with the params, and ``speechlabel.i18n.error_message`` renders the same key in
    the reader's language, so each message's English is written once, in the catalog
    (tests/test_i18n_raise_sites.py checks every raise site's key is in both catalogs and that none
    writes English beside its key). An error raised with only a ``message`` (no key) is shown in
    English under a translated lead-in. ``message`` together with a key is English rendered
    earlier, e.g. a job's failure read back from the database.

    ``kept_for``: the segment whose unsaved edit now holds the text a refused request carried
    (the label loop's routes answer with it, and the browser drops its copy of the text only then).
    """

    kept_for: str | None = None

    def __init__(
        self, message: str | None = None, *, message_key: str | None = None, params: Mapping[str, object] | None = None
    ):
        self.message_key = message_key
        self.params = dict(params or {})
        if message is None:
            message = english_message(message_key, self.params) if message_key else ""
        super().__init__(message)


def english_message(key: str, params: Mapping[str, object]) -> str:
    """The English catalog's ``key`` filled with ``params``, as ``str(error)`` says it."""
    # Imported here, not above: the catalogs' module imports this one.
    from speechlabel.i18n.core import Lang, translate

    try:
        return translate(key, Lang.EN, **params)
    except (KeyError, IndexError, ValueError) as problem:  # a key or a field the catalog lacks: a bug
        log.error("cannot build the English message %r from %r: %r", key, params, problem)
        return f"{key} {dict(params)!r}"


@dataclass(frozen=True)
class Phrase:
    """Fixed words inside a message (a hint, the name of a label-page action) that the catalogs
    translate: a param holding one renders as ``key`` in the reader's language. In English it is
    the English catalog's ``key``, unless ``english`` gives other words: words a caller chose
    (the action a role check refused, "exporting") that other languages render as the generic
    ``key`` ("this")."""

    key: str
    english: str | None = None

    def __str__(self) -> str:
        return self.english if self.english is not None else english_message(self.key, {})


class LocalizedParam:
    """A param that renders itself in the reader's language (``in_language``, for
    ``speechlabel.i18n.error_text``); English when formatted, as ``str(error)`` says it."""

    def in_language(self, lang: object) -> str:
        raise NotImplementedError

    def __format__(self, spec: str) -> str:
        from speechlabel.i18n.core import Lang  # here: the catalogs import this module

        return format(self.in_language(Lang.EN), spec)


class AnyOf(tuple):
    """Enum members any one of which would do, as a param: English says "reviewer or lead";
    other languages list their translated labels (``speechlabel.i18n.error_text``)."""

    def __format__(self, spec: str) -> str:
        return format(" or ".join(str(member.value) for member in self), spec)


class Listed(tuple):
    """Enum members listed as a param: English says "new, drafted"; other languages list their
    translated labels (``speechlabel.i18n.error_text``)."""

    def __format__(self, spec: str) -> str:
        return format(", ".join(str(member.value) for member in self), spec)


class AudioDecodeError(SpeechLabelError):
    """The bytes are not audio we can decode (empty, not audio, truncated, zero-length, too long)."""


class ValidationError(SpeechLabelError):
    """An input breaks a rule (a name, an option, a time range)."""


class NotFound(SpeechLabelError):
    """A project, recording or segment that does not exist."""


class Conflict(SpeechLabelError):
    """Someone else changed the thing first, or it already exists."""


class DuplicateRecording(Conflict):
    """The same audio bytes were already imported into this project."""

    def __init__(self, label: str, existing_id: str, existing_label: str):
        self.existing_id = existing_id
        super().__init__(
            message_key="error.duplicate_recording",
            params={"label": label, "existing_id": existing_id, "existing_label": existing_label},
        )


class RecordingRefused(ValidationError):
    """A recording breaks the project's recording checks and the project refuses such recordings
    (``speechlabel.core.qc``). ``failures``: each rule broken, with what was measured and allowed."""

    def __init__(self, label: str, failures: tuple):
        from speechlabel.core.qc import QcProblems  # here: core.qc imports this module

        self.failures = failures
        super().__init__(message_key="error.qc_refused", params={"label": label, "problems": QcProblems(failures)})


class StaleVersion(Conflict):
    """A save based on a version someone else has replaced in the meantime."""

    def __init__(self, segment_id: str, expected: int, current: int, saved_by: str | None):
        self.segment_id = segment_id
        self.expected_version = expected
        self.current_version = current
        self.saved_by = saved_by
        super().__init__(
            message_key="error.stale_version" if saved_by else "error.stale_version_unknown",
            params={"segment": segment_id, "who": saved_by or "", "current": current, "expected": expected},
        )


class Forbidden(SpeechLabelError):
    """The signed-in user's role does not allow the action (re-exported by ``speechlabel.accounts.access``)."""


class NoSuchSegment(Forbidden):
    """A segment that does not exist, or that the actor may not open: one answer for both (the
    same message, the same status on the routes), so ids cannot be probed and nothing of a
    segment outside the actor's reach shows, neither its project nor who holds it."""

    def __init__(self, segment_id: str):
        self.segment_id = segment_id
        super().__init__(message_key="error.no_such_segment", params={"segment": segment_id})


class MergedAway(Conflict):
    """Text arrived for a segment a merge absorbed: it was kept for the merged segment
    (``kept_for``), as the author's text against the merge, not saved."""

    def __init__(self, segment_id: str, kept_for: str):
        self.segment_id = segment_id
        self.kept_for = kept_for
        super().__init__(message_key="error.segment_merged_away", params={"segment": segment_id, "into": kept_for})


class WrongCredentials(SpeechLabelError):
    """A sign-in with an unknown username or a wrong password: one message for both, so
    usernames cannot be probed."""

    def __init__(self) -> None:
        super().__init__(message_key="error.wrong_credentials")


class TooManyAttempts(SpeechLabelError):
    """Sign-ins are paused after repeated failures: for one username from the client's address,
    or (``username`` None) for every username from that address (``login_limits.py``)."""

    def __init__(self, username: str | None, retry_after_seconds: float):
        self.username = username
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, math.ceil(retry_after_seconds / 60))  # round up: never "0 minutes"
        if username is None:
            super().__init__(message_key="error.too_many_attempts_address", params={"minutes": minutes})
            return
        super().__init__(message_key="error.too_many_attempts", params={"username": username, "minutes": minutes})


class NotSignedIn(SpeechLabelError):
    """No valid session: the token is unknown, was signed out, or its user was disabled."""


class SessionExpired(NotSignedIn):
    """The session was valid once but its time is up."""


class StoreUnavailable(SpeechLabelError):
    """The database could not do what was asked (read-only, disk full, locked past the wait,
    connection lost): nothing was changed. Raised by ``speechlabel.store.failures``, which logs
    the database's own message on the server; users read only which of these it was."""
