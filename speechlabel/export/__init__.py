"""Exports that ASR teams load without edits: NeMo, Hugging Face audiofolder, Lhotse,
Kaldi/ESPnet, Google's Speech Commands layout, AI Hub label JSON and a generic JSONL with full provenance, with a dataset card.

One entry point, :func:`export_dataset` (also known by its old name ``export_jsonl``), takes
an :class:`ExportOptions`: format, which segments, text variant, clips or offsets, sample rate,
train/dev/test split. Modules: ``options`` (the choices), ``select`` (segments, text, splits),
``media`` (audio), ``names`` (safe ids and file names), one module per format, ``card``
(README), ``run`` (staging, atomic move).

Formats are chosen by name from a registry (``formats``): each format module registers its
writer when imported, and this package imports them, so they are registered whenever it is used.
"""

from speechlabel.export import aihub_format, hf, kaldi, lhotse_format, nemo, speech_commands  # noqa: F401 - each registers its format
from speechlabel.export.card import CARD_NAME, SplitSummary
from speechlabel.export.nemo import MANIFEST_NAME, manifest_line
from speechlabel.export.options import SPLIT_NAMES, ExportFormat, ExportOptions, SplitBy, TextVariant
from speechlabel.export.run import ExportReport, export_dataset, export_jsonl

__all__ = [
    "CARD_NAME",
    "MANIFEST_NAME",
    "SPLIT_NAMES",
    "ExportFormat",
    "ExportOptions",
    "ExportReport",
    "SplitBy",
    "SplitSummary",
    "TextVariant",
    "export_dataset",
    "export_jsonl",
    "manifest_line",
]
