"""Tables, in SQLAlchemy Core. The Alembic migrations in ``speechlabel/migrations`` create them;
this module is what queries are written against. Keep both in step."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("language", String(16), nullable=True),
    Column("segment_options", JSON, nullable=False),
    Column("engine_options", JSON, nullable=False),
    Column("glossary", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Added by migration 0003; NULL (projects from before it) reads as the default LabelSettings.
    Column("label_settings", JSON, nullable=True),
    Column("assignment_settings", JSON, nullable=True),  # migration 0005
    Column("review_settings", JSON, nullable=True),  # migration 0007
    Column("convention_settings", JSON, nullable=True),  # migration 0009
    Column("qc_rules", JSON, nullable=True),  # migration 0016_qc
    Column("command_settings", JSON, nullable=True),  # migration 0017_cmd
)

recordings = Table(
    "recordings",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("original_path", String(255), nullable=False),
    Column("normalized_path", String(255), nullable=False),
    Column("format", String(64), nullable=False),
    Column("subtype", String(64), nullable=True),
    Column("sampling_rate", Integer, nullable=False),
    Column("channels", Integer, nullable=False),
    Column("num_samples", Integer, nullable=False),
    Column("duration", Float, nullable=False),
    Column("peak_dbfs", Float, nullable=False),
    Column("rms_dbfs", Float, nullable=False),
    Column("clipped_ratio", Float, nullable=False),
    Column("snr_db", Float, nullable=True),
    Column("prelabel_state", String(16), nullable=False),
    Column("segment_options", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("qc", JSON, nullable=True),  # migration 0016_qc: measures and flags (core/qc.py)
    UniqueConstraint("project_id", "sha256", name="uq_recordings_project_sha256"),
)

segments = Table(
    "segments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("recording_id", String(40), ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False),
    Column("start", Float, nullable=False),
    Column("duration", Float, nullable=False),
    Column("channel", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(16), nullable=True),
    Column("speaker", String(100), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("custom", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(100), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Index("ix_segments_project_status", "project_id", "status"),
    Index("ix_segments_recording_start", "recording_id", "start"),
    Index("ix_segments_project_order", "project_id", "recording_id", "start", "id"),  # migration 0005
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("engine", String(40), nullable=False),
    Column("model", String(255), nullable=False),
    Column("options", JSON, nullable=False),
    Column("text", Text, nullable=False),
    Column("words", JSON, nullable=False),
    Column("avg_logprob", Float, nullable=False),
    Column("no_speech_prob", Float, nullable=False),
    Column("compression_ratio", Float, nullable=False),
    Column("language", String(16), nullable=False),
    Column("language_probability", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_drafts_segment", "segment_id"),
    Index("ix_drafts_segment_logprob", "segment_id", "avg_logprob"),  # migration 0008: review queue
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("author", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("speaker", String(100), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("start", Float, nullable=False),
    Column("duration", Float, nullable=False),
    Column("status", String(20), nullable=False),
    Column("comment", Text, nullable=True),
    Index("ix_revisions_segment_version", "segment_id", "version"),
    Index("ix_revisions_segment_status", "segment_id", "status", "id"),  # migration 0008: review queue
)

# Added by migration 0002: the label page's server-side unsaved edits and the merge log.
unsaved_edits = Table(
    "unsaved_edits",
    metadata,
    Column("user", String(100), primary_key=True),
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("base_version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("speaker", String(100), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("tab", String(64), nullable=True),  # the browser tab that kept it last (migration 0010)
    # Migration 0013: the edit ends with text typed for a segment a merge absorbed, from this offset.
    Column("carried_from", String(40), nullable=True),
    Column("carried_at", Integer, nullable=True),
)

segment_merges = Table(
    "segment_merges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("absorbed_id", String(40), nullable=False),
    Column("absorbed_version", Integer, nullable=False),
    Column("absorbed", JSON, nullable=False),
    Column("revision_ids", JSON, nullable=False),
    Column("draft_ids", JSON, nullable=False),
    Column("author", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Migration 0013: the survivor's version and own text just before the merge.
    Column("survivor_version", Integer, nullable=True),
    Column("survivor_text", Text, nullable=True),
    Index("ix_segment_merges_segment", "segment_id"),
    Index("ix_segment_merges_absorbed", "absorbed_id"),
)

# Added by migration 0004: accounts, project roles, sessions, sign-in failures and the audit log.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

project_members = Table(
    "project_members",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    PrimaryKeyConstraint("project_id", "user_id", name="pk_project_members"),
    Index("ix_project_members_user", "user_id"),
)

# The token itself is never stored: only its SHA-256, so a copy of the database opens no session.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_user", "user_id"),
)

# One row per failed sign-in; a username (existing or not) is paused after too many recent ones.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # The client's address as the app saw it ("" when unknown, e.g. localhost): migration 0011.
    Column("address", String(64), nullable=False, server_default=""),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_address_at", "address", "at"),
)

# No foreign key on project_id: the log outlives what it talks about.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("project_id", Integer, nullable=True),
    Column("target", String(200), nullable=True),
    Column("details", JSON, nullable=False),
    Index("ix_audit_log_project", "project_id", "id"),
    Index("ix_audit_log_target", "target", "id"),
)

# Added by migration 0005: work handed out. Slot 1 is the labeling; slot 2 is reserved for the
# independent second labeling of double-labeled segments. A lease is active until expires_at.
leases = Table(
    "leases",
    metadata,
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(40), nullable=False),
    Column("batch_id", String(32), nullable=False),
    Column("leased_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("assigned_by", String(40), nullable=True),
    Index("ix_leases_holder", "project_id", "username", "expires_at"),
)

# Added by migration 0006: double labeling. A row exists once a segment is picked for a second,
# independent transcription; its lease is slot 2 of ``leases``; text etc. are set when saved.
second_labels = Table(
    "second_labels",
    metadata,
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("picked_at", DateTime(timezone=True), nullable=False),
    Column("labeler", String(40), nullable=True),
    Column("text", Text, nullable=True),
    Column("speaker", String(100), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("comment", Text, nullable=True),
    Column("start", Float, nullable=True),
    Column("duration", Float, nullable=True),
    Column("saved_at", DateTime(timezone=True), nullable=True),
    Index("ix_second_labels_open", "project_id", "saved_at"),
)

# Added by migration 0007: review decisions. The segment's status and revision record the change
# too; this table keeps what a revision cannot: whose work was judged, the decision and the reason.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("segment_version", Integer, nullable=False),
    Column("labeler", String(100), nullable=True),
    Column("reviewer", String(100), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reason", String(40), nullable=True),
    Column("comment", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_reviews_segment", "segment_id", "id"),
    Index("ix_reviews_project_labeler", "project_id", "labeler", "created_at"),
)


# Added by migration 0012: pre-labeling jobs, whichever process runs them (the app's worker thread
# or the command line). At most one job per project is ``running`` (the partial unique index): a
# second run waits for it. The owner (host, pid) beats ``heartbeat_at``; a running job whose owner
# is gone is shown as interrupted, with the progress it had recorded.
prelabel_jobs = Table(
    "prelabel_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("started_by", String(100), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("recordings_done", Integer, nullable=False),
    Column("recordings_total", Integer, nullable=False),
    Column("audio_seconds_done", Float, nullable=False),
    Column("audio_seconds_total", Float, nullable=False),
    Column("segments_drafted", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("error_key", String(100), nullable=True),
    Column("error_params", JSON, nullable=True),
    Index("ix_prelabel_jobs_project", "project_id", "id"),
    Index(
        "uq_prelabel_jobs_one_running",
        "project_id",
        unique=True,
        sqlite_where=text("state = 'running'"),
        postgresql_where=text("state = 'running'"),
    ),
)

# Pre-labeling work, one row per recording (the last job that queued it): runners claim rows
# (``store/work.py``), hold them by a lease their heartbeat extends, and every draft they write
# checks in its own transaction that the row is still theirs.
prelabel_work = Table(
    "prelabel_work",
    metadata,
    Column("recording_id", String(40), ForeignKey("recordings.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("job_id", Integer, ForeignKey("prelabel_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("owner", String(255), nullable=True),
    Column("lease_expires_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("audio_seconds", Float, nullable=False),
    Column("audio_seconds_done", Float, nullable=False),
    Column("segments_drafted", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("error_key", String(100), nullable=True),
    Column("error_params", JSON, nullable=True),
    Index("ix_prelabel_work_claim", "state", "queued_at"),
    Index("ix_prelabel_work_job", "job_id", "state"),
)

# Runners that are up (``speechlabel worker``, the app's local worker, ``speechlabel prelabel``):
# a row per process, its heartbeat in seen_at, so the app can tell a lead whether one is running.
prelabel_runners = Table(
    "prelabel_runners",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("device", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# Migration 0015: who a project's speakers are and how each recording was made (core/metadata.py).
# A speaker is a name on segments (no table of its own), so its metadata is keyed by project and
# name; either row is absent until a lead sets something.
speaker_metadata = Table(
    "speaker_metadata",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("speaker", String(100), nullable=False),
    Column("gender", String(16), nullable=True),
    Column("age_group", String(16), nullable=True),
    Column("dialect", String(100), nullable=True),
    Column("native_language", String(100), nullable=True),
    PrimaryKeyConstraint("project_id", "speaker", name="pk_speaker_metadata"),
)

recording_metadata = Table(
    "recording_metadata",
    metadata,
    Column("recording_id", String(40), ForeignKey("recordings.id", ondelete="CASCADE"), primary_key=True),
    Column("environment", String(100), nullable=True),
    Column("device", String(100), nullable=True),
    Column("mic_distance", String(16), nullable=True),
)

# Migration 0018_lab: labor telemetry (core/labor.py), one row per save that carried it, beside
# the revision the save made (NULL for a second labeling, which makes no revision).
labor = Table(
    "labor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("revision_id", Integer, ForeignKey("revisions.id", ondelete="CASCADE"), nullable=True),
    Column("labeler", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("second_labeling", Boolean, nullable=False),
    Column("draft_shown", Boolean, nullable=False),
    Column("audio_seconds", Float, nullable=False),
    Column("active_seconds", Float, nullable=False),
    Column("keys", Integer, nullable=False),
    Column("edits", Integer, nullable=False),
    Column("plays", Integer, nullable=False),
    Column("clamped", Boolean, nullable=False),
    Index("ix_labor_project_time", "project_id", "created_at"),
    Index("ix_labor_segment", "segment_id"),
)


# Migration 0019_rt: confidence routing (speechlabel/routing). A cheap second decode per segment,
# a project's fitted correctness models (JSON numbers, never a pickle) and each routed segment's
# score, route and the threshold that decided it.
second_drafts = Table(
    "second_drafts",
    metadata,
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(255), nullable=False),
    Column("options", JSON, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

correctness_models = Table(
    "correctness_models",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("model", JSON, nullable=False),
    Column("routing", JSON, nullable=True),
    Index("ix_correctness_models_project", "project_id", "id"),
)

segment_routes = Table(
    "segment_routes",
    metadata,
    Column("segment_id", String(40), ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("model_id", Integer, ForeignKey("correctness_models.id", ondelete="CASCADE"), nullable=False),
    Column("score", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("route", String(16), nullable=False),
    Column("draft_text", Text, nullable=False),
    Column("routed_at", DateTime(timezone=True), nullable=False),
    Index("ix_segment_routes_project_route", "project_id", "route"),
)
