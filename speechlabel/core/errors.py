"""The error hierarchy. Every message says what was wrong and what is allowed.

The UI shows these with ``st.error``; the CLI prints the message and exits non-zero.
"""

import math
from dataclasses import dataclass


class SpeechLabelError(Exception):
    """Base of every error a user can cause and should read.

    The English message is built where the error is raised (logs, the CLI). Errors a page can
    show also carry ``message_key`` and ``params`` (tests/test_i18n_raise_sites.py checks that):
    ``speechlabel.i18n.error_message`` renders them in the reader's language. Errors without a
    key are shown in English under a translated lead-in.
    """

    def __init__(self, message: str = "", *, message_key: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.message_key = message_key
        self.params = dict(params or {})


@dataclass(frozen=True)
class Phrase:
    """Fixed English words inside a message (a hint, the name of a label-page action) that the
    catalogs translate: a param holding one renders as ``key`` in the reader's language, and
    as ``english`` in the raise site's f-string."""

    key: str
    english: str

    def __str__(self) -> str:
        return self.english


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
            f"{label!r} is already in this project as recording {existing_id} "
            f"({existing_label!r}); identical audio is stored once",
            message_key="error.duplicate_recording",
            params={"label": label, "existing_id": existing_id, "existing_label": existing_label},
        )


class StaleVersion(Conflict):
    """A save based on a version someone else has replaced in the meantime."""

    def __init__(self, segment_id: str, expected: int, current: int, saved_by: str | None):
        self.segment_id = segment_id
        self.expected_version = expected
        self.current_version = current
        self.saved_by = saved_by
        who = saved_by or "someone"
        super().__init__(
            f"segment {segment_id} was saved by {who} (version {current}) after you opened "
            f"version {expected}; reload it and apply your change again",
            message_key="error.stale_version" if saved_by else "error.stale_version_unknown",
            params={"segment": segment_id, "who": saved_by or "", "current": current, "expected": expected},
        )


class Forbidden(SpeechLabelError):
    """The signed-in user's role does not allow the action (re-exported by ``speechlabel.accounts.access``)."""


class WrongCredentials(SpeechLabelError):
    """A sign-in with an unknown username or a wrong password: one message for both, so
    usernames cannot be probed."""

    def __init__(self) -> None:
        super().__init__("wrong username or password", message_key="error.wrong_credentials")


class TooManyAttempts(SpeechLabelError):
    """Sign-ins are paused after repeated failures: for one username from the client's address,
    or (``username`` None) for every username from that address (``login_limits.py``)."""

    def __init__(self, username: str | None, retry_after_seconds: float):
        self.username = username
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, math.ceil(retry_after_seconds / 60))  # round up: never "0 minutes"
        unit = "minute" if minutes == 1 else "minutes"
        if username is None:
            super().__init__(f"too many failed sign-ins from your address; try again in {minutes} {unit}",
                             message_key="error.too_many_attempts_address", params={"minutes": minutes})
            return
        super().__init__(f"too many failed sign-ins for {username!r} from your address; try again in {minutes} {unit}",
                         message_key="error.too_many_attempts", params={"username": username, "minutes": minutes})


class NotSignedIn(SpeechLabelError):
    """No valid session: the token is unknown, was signed out, or its user was disabled."""


class SessionExpired(NotSignedIn):
    """The session was valid once but its time is up."""


class StoreUnavailable(SpeechLabelError):
    """The database could not do what was asked (read-only, disk full, locked past the wait,
    connection lost): nothing was changed. Raised by ``speechlabel.store.failures``, which logs
    the database's own message on the server; users read only which of these it was."""
