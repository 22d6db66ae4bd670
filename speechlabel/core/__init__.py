"""The ground every context stands on: errors, the data model (enums and dataclasses),
the rules every segment keeps (``segment_rules``), drafts through a split or merge,
language facts, Markdown escaping, leftover files. Imports only the two libraries below it:
conventions (a project's tag scheme) and i18n (enums register their labels there).
"""
