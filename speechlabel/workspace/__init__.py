"""Where the app's data lives: the settings read from the environment (``config``) and
the workspace opened from them (``workspace``: the store and the data folder).
Imports core, audio (its limits) and store.
"""
