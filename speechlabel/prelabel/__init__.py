"""Segment and draft: VAD (``vad``), Whisper windows (``windowing``), the engines
(``engines``), the resumable pipeline (``pipeline``) and its jobs (``jobs``).
Imports core, i18n, audio, store, workspace and accounts.
"""
