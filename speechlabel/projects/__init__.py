"""Projects: create, settings, status, their transcription conventions and scheme
uploads. Imports core, conventions, accounts, store.
"""
