"""Projects: create, settings, status, their transcription conventions and scheme
uploads. Imports core, conventions, audio, store, accounts and prelabel (its options).
"""
