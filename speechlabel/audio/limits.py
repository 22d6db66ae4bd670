"""What audio an import accepts, checked from the file's header before anything is decoded.

A compressed file can declare far more audio than its size suggests: a 1 MB FLAC of silence
holds 5 minutes of 8 channels at 384 kHz, 3.7 GB once decoded. So the declared sample rate,
channel count and duration are checked first, decoding then runs in blocks sized to
``memory_budget_bytes`` (speechlabel.audio.normalize), and the decoded length is checked again as it
grows, in case the header lied.
"""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.core.errors import AudioDecodeError

_FLOAT32_BYTES = 4
MAX_SECONDS_SETTING = "SPEECHLABEL_MAX_AUDIO_SECONDS"


@dataclass(frozen=True)
class AudioLimits:
    """The limits one imported file must keep.

    - ``max_seconds`` (4 h, ``$SPEECHLABEL_MAX_AUDIO_SECONDS``): longer recordings are split
      before labeling anyway, and one import should end in minutes.
    - ``min_seconds`` (0.1 s): shorter than any spoken word, so nothing shorter holds speech.
    - ``min_sample_rate`` (8 kHz, the telephone rate): below it speech loses the 2-4 kHz band
      that consonants need, and no recorder or speech corpus uses less.
    - ``max_sample_rate`` (192 kHz, the highest rate studio recorders offer): 384 kHz and up
      serve ultrasound work, not speech, and make decoding 24x the work of 16 kHz.
    - ``max_channels`` (32): a meeting-room microphone array; more is not a speech recording.
    - ``max_decoded_bytes`` (32 GB): rate x channels x duration x 4 bytes, the float samples
      a file decodes to, which is the decoding work (about 10 s per GB on one core here).
      4 h of 8 channels at 48 kHz is 22 GB.
    - ``memory_budget_bytes`` (64 MiB): the decoder's buffers at any moment; blocks are sized
      so one block of every channel and its working copies fit, whatever the file's length.
    """

    max_seconds: float = 4 * 3600.0
    min_seconds: float = 0.1
    min_sample_rate: int = 8000
    max_sample_rate: int = 192_000
    max_channels: int = 32
    max_decoded_bytes: int = 32 * 10**9
    memory_budget_bytes: int = 64 * 2**20

    def block_frames(self, channels: int) -> int:
        """Frames per decoded block: the block, its absolute values and its mix-down (about
        three copies of a frame's samples) within the memory budget."""
        per_frame = 3 * _FLOAT32_BYTES * max(channels, 1)
        return max(1024, self.memory_budget_bytes // per_frame)


@dataclass(frozen=True)
class AudioHeader:
    """What a file says about itself before decoding. ``declared_seconds`` is None when the
    container does not say; ``exact_length`` is False when the decoder only estimated it (raw
    MP3/AAC without an index), so a shortfall then proves no truncation."""

    format: str
    subtype: str | None
    sampling_rate: int
    channels: int
    declared_seconds: float | None
    exact_length: bool = True


def check_header(header: AudioHeader, limits: AudioLimits, label: str) -> None:
    """Refuse, before decoding, a file whose declared rate, channels or length break the limits."""
    rate, channels = header.sampling_rate, header.channels
    if not limits.min_sample_rate <= rate <= limits.max_sample_rate:
        params = {"label": label, "rate": rate, "lowest": limits.min_sample_rate, "highest": limits.max_sample_rate}
        raise AudioDecodeError(message_key="error.audio_sample_rate", params=params)
    if not 1 <= channels <= limits.max_channels:
        params = {"label": label, "channels": channels, "most": limits.max_channels}
        raise AudioDecodeError(message_key="error.audio_channels", params=params)
    if header.declared_seconds is None:
        return
    refuse_too_long(header.declared_seconds, label, limits)
    decoded_gb = header.declared_seconds * rate * channels * _FLOAT32_BYTES / 1e9
    if decoded_gb * 1e9 > limits.max_decoded_bytes:
        params = {
            "label": label,
            "gb": f"{decoded_gb:.1f}",
            "limit": f"{limits.max_decoded_bytes / 1e9:.1f}",
            "channels": channels,
            "rate": rate,
        }
        raise AudioDecodeError(message_key="error.audio_too_big", params=params)


def refuse_too_long(seconds: float, label: str, limits: AudioLimits) -> None:
    if seconds > limits.max_seconds:
        params = {
            "label": label,
            "hours": f"{seconds / 3600:.2f}",
            "limit": f"{limits.max_seconds / 3600:.2f}",
            "setting": MAX_SECONDS_SETTING,
        }
        raise AudioDecodeError(
            message_key="error.audio_too_long",
            params=params,
        )


def refuse_too_short(seconds: float, label: str, limits: AudioLimits) -> None:
    if seconds < limits.min_seconds:
        params = {"label": label, "seconds": f"{seconds:.3f}", "least": f"{limits.min_seconds:g}"}
        raise AudioDecodeError(message_key="error.audio_too_short", params=params)
