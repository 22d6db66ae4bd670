"""Audio and datasets into a project: files and folders (``files``), NeMo, Lhotse and
subtitled datasets (``datasets``). Imports core, audio, store, workspace, accounts and
prelabel (a dataset's texts checked like drafts).
"""
