"""The error hierarchy. Every message says what was wrong and what is allowed.

The UI shows these with ``st.error``; the CLI prints the message and exits non-zero.
"""


class SpeechLabelError(Exception):
    """Base of every error a user can cause and should read."""


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
            f"({existing_label!r}); identical audio is stored once"
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
            f"version {expected}; reload it and apply your change again"
        )
