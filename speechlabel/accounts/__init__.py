"""People: users, passwords, sessions, roles and who may do what, sign-in limits,
per-session route budgets. Imports core, store and workspace (the settings).
"""
