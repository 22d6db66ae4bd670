"""The cheap second draft: a second decode whose agreement with the draft is a correctness signal.

English projects are decoded again by the bundled ``tiny.en`` (greedy): another model, 2-3x
faster than ``base``. Other languages have no second bundled model, so the same model decodes
again with the other search (beam 5 when the draft was greedy, else greedy): another decoding.
Segments are decoded together in windows as the drafts are (``windowing``: one decode per
28 s, split back by word times), so a short segment does not cost a whole 30 s decode.
"""

from __future__ import annotations

from dataclasses import replace

from speechlabel.prelabel.transcribe import TranscribeOptions

SECOND_ENGLISH_MODEL = "tiny.en"
OTHER_BEAM = 5


def second_options(first: TranscribeOptions) -> TranscribeOptions:
    """The options of the cheap second decode for a project drafting with ``first``."""
    cheap = replace(first, word_timestamps=True)
    if first.language == "en" and first.model != SECOND_ENGLISH_MODEL:
        return replace(cheap, model=SECOND_ENGLISH_MODEL, engine="faster-whisper", compute_type="int8", beam_size=1)
    return replace(cheap, beam_size=OTHER_BEAM if first.beam_size == 1 else 1)
