"""The label loop: what the label page's browser component reads and does, one segment at a
time, over the app's JSON routes (views/label_api.py) instead of whole-page reruns."""

from speechlabel.labeling.loop.actions import Edit, Loop, Moved, Saved
from speechlabel.labeling.loop.cards import SegmentCard, segment_card
from speechlabel.labeling.loop.tabs import NotOpen, OpenSegments, TabKey

__all__ = ["Edit", "Loop", "Moved", "NotOpen", "OpenSegments", "Saved", "SegmentCard", "TabKey", "segment_card"]
