"""The ground every context stands on: errors, the data model (enums and dataclasses),
the rules every segment keeps (``segment_rules``), drafts through a split or merge,
language facts, Markdown escaping, leftover files. Imports nothing else of speechlabel.
"""
