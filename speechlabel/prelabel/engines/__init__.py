"""Transcription engines behind one base class and a registry: faster-whisper,
openai-whisper (optional) and the bundled models; their options.
"""
