"""The store on a real SQLite file and on the real PostgreSQL (every test runs on both)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy
from alembic.script import ScriptDirectory

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import Conflict, NotFound, StaleVersion
from speechlabel.core.models import Draft, PrelabelState, SegmentEdit, SegmentStatus, Word
from speechlabel.ingest.files import import_audio
from speechlabel.projects.manage import create_project
from speechlabel.store import Store, exports, schema
from speechlabel.store.engine import _MIGRATIONS


@pytest.fixture
def recording(store, settings, project, speech_dir):
    data = (speech_dir / "en" / "LDC93S1.wav").read_bytes()
    return import_audio(store, settings, project, data, "LDC93S1.wav")


@pytest.fixture
def segments(store, recording):
    return store.replace_segments(
        recording.id, recording.project_id, [(0.1, 1.2), (1.5, 2.8)], {"max_duration": 15}, "prelabel"
    )


def a_draft(text: str) -> Draft:
    return Draft(
        text=text,
        words=(Word("she", 0.2, 0.3, 0.91), Word("had", 0.5, 0.2, 0.42)),
        avg_logprob=-0.25,
        no_speech_prob=0.01,
        compression_ratio=1.1,
        language="en",
        language_probability=0.98,
        engine="faster-whisper",
        model="base",
        options={"beam_size": 5},
    )


def test_projects_are_unique_by_name_and_listed(store):
    create_project(store, "factory-ko", language="ko", glossary=("컨베이어", "PLC"), actor=SYSTEM)
    with pytest.raises(Conflict, match="already exists"):
        create_project(store, "factory-ko", actor=SYSTEM)
    project = store.get_project("factory-ko")
    assert project.language == "ko" and project.glossary == ("컨베이어", "PLC")
    assert [p.name for p in store.list_projects()] == ["factory-ko"]
    with pytest.raises(NotFound, match="no project named 'nope'"):
        store.get_project("nope")


def test_opening_twice_keeps_the_schema_and_data(migrated_database_url, store):
    create_project(store, "kept", actor=SYSTEM)
    url, schema = migrated_database_url
    again = Store.open(url, schema=schema)
    try:
        assert [p.name for p in again.list_projects()] == ["kept"]
    finally:
        again.close()


def schema_shape(engine) -> dict:
    """Everything a migration decides, as the database reports it: tables, columns (type,
    nullability, default), keys, indexes, constraints, sequences, and the recorded revision."""
    inspector = sqlalchemy.inspect(engine)
    shape: dict = {"sequences": sorted(inspector.get_sequence_names())} if engine.dialect.name != "sqlite" else {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (
                    fk["constrained_columns"],
                    fk["referred_table"],
                    fk["referred_columns"],
                    sorted(fk.get("options", {}).items()),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted((i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(table)),
            "unique": sorted((u["name"], u["column_names"]) for u in inspector.get_unique_constraints(table)),
            "checks": sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)),
        }
    with engine.connect() as connection:
        shape["revision"] = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return shape


@pytest.mark.parametrize(
    ("database_url", "migrated_database_url"),
    [("sqlite",) * 2, ("postgresql",) * 2],
    indirect=True,
    ids=["sqlite", "postgresql"],
)
def test_the_tests_migrated_copies_are_what_migrating_makes(database_url, migrated_database_url):
    """The store's tests run on copies of one database migrated per session (tests/conftest.py):
    a copy must be exactly what migrating an empty database makes, and hold no rows."""
    fresh = Store.open(*database_url)
    copy = Store.open(*migrated_database_url, migrate=False)
    try:
        assert schema_shape(copy.engine) == schema_shape(fresh.engine)
        assert schema_shape(copy.engine)["revision"] == [ScriptDirectory(str(_MIGRATIONS)).get_current_head()]
        with copy.engine.connect() as connection:
            for table in schema.metadata.sorted_tables:
                assert connection.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(table)).scalar() == 0
    finally:
        fresh.close()
        copy.close()


def test_segmentation_is_stored_in_order_and_marks_the_recording(store, recording, segments):
    assert [(s.start, s.end) for s in segments] == [(0.1, 1.2), (1.5, 2.8)]
    assert all(s.status == SegmentStatus.NEW and s.version == 1 for s in segments)
    assert store.get_recording(recording.id).prelabel_state == PrelabelState.SEGMENTED
    assert store.count_segments_by_status(recording.project_id) == {SegmentStatus.NEW: 2}


def test_a_draft_becomes_the_text_only_of_an_untouched_segment(store, segments):
    first, second = segments
    drafted = store.add_draft(first.id, a_draft("she had your"), "prelabel")
    assert (drafted.text, drafted.status, drafted.version) == ("she had your", SegmentStatus.DRAFTED, 2)
    assert store.latest_draft(first.id).words[1] == Word("had", 0.5, 0.2, 0.42)

    edited = store.save_segment(second.id, 1, SegmentEdit(text="typed by hand"), "ana")
    kept = store.add_draft(second.id, a_draft("whisper text"), "prelabel")
    assert kept.text == "typed by hand" and kept.version == edited.version
    assert store.latest_draft(second.id).text == "whisper text"


def test_resegmenting_is_refused_once_a_segment_was_touched(store, recording, segments):
    store.add_draft(segments[0].id, a_draft("x"), "prelabel")
    with pytest.raises(Conflict, match="cannot be segmented again"):
        store.replace_segments(recording.id, recording.project_id, [(0.0, 1.0)], {}, "prelabel")
    assert len(store.list_segments(recording.id)) == 2


def test_save_appends_a_revision_and_a_stale_save_names_who_saved(store, segments):
    segment = segments[0]
    saved = store.save_segment(
        segment.id, 1, SegmentEdit(text="she had", speaker="A", tags=("n/",), status=SegmentStatus.SUBMITTED), "ana"
    )
    assert (saved.version, saved.speaker, saved.tags, saved.updated_by) == (2, "A", ("n/",), "ana")
    with pytest.raises(StaleVersion) as stale:
        store.save_segment(segment.id, 1, SegmentEdit(text="lost?"), "ben")
    assert stale.value.saved_by == "ana" and stale.value.current_version == 2
    assert "saved by ana" in str(stale.value)
    assert store.get_segment(segment.id).text == "she had"
    history = store.list_revisions(segment.id)
    assert [(r.version, r.author, r.status) for r in history] == [
        (1, "prelabel", SegmentStatus.NEW),
        (2, "ana", SegmentStatus.SUBMITTED),
    ]
    assert history[-1].text == "she had" and history[-1].tags == ("n/",)


def test_sixteen_threads_saving_the_same_segments_lose_no_update(store, segments):
    threads, saves_per_thread = 16, 8
    errors: list[BaseException] = []

    def labeler(number: int) -> None:
        try:
            for k in range(saves_per_thread):
                segment_id = segments[k % 2].id
                while True:  # what the UI does after a conflict: reload, re-apply, save again
                    current = store.get_segment(segment_id)
                    try:
                        store.save_segment(
                            segment_id,
                            current.version,
                            SegmentEdit(text=f"{current.text} t{number}.{k}".strip()),
                            f"user{number}",
                        )
                        break
                    except StaleVersion:
                        continue
        except BaseException as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)

    workers = [threading.Thread(target=labeler, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    tokens = []
    for segment in segments:
        final = store.get_segment(segment.id)
        tokens += final.text.split()
        assert final.version == 1 + threads * saves_per_thread // 2
        assert len(store.list_revisions(segment.id)) == final.version
    expected = {f"t{n}.{k}" for n in range(threads) for k in range(saves_per_thread)}
    assert sorted(tokens) == sorted(expected)


def test_export_rows_page_through_every_segment_with_its_latest_draft(store, recording, monkeypatch):
    bounds = [(i * 0.2, i * 0.2 + 0.15) for i in range(7)]
    made = store.replace_segments(recording.id, recording.project_id, bounds, {}, "prelabel")
    store.add_draft(made[3].id, a_draft("first"), "prelabel")
    store.add_draft(made[3].id, a_draft("second"), "prelabel")
    monkeypatch.setattr(exports, "PAGE_SIZE", 3)
    rows = list(store.iter_export_rows(recording.project_id))
    assert [r.segment.id for r in rows] == [s.id for s in made]
    assert rows[3].draft_text == "second" and rows[3].draft_model == "base"
    assert rows[0].draft_text is None and rows[0].recording_label == "LDC93S1.wav"
    drafted = list(store.iter_export_rows(recording.project_id, [SegmentStatus.DRAFTED]))
    assert [r.segment.id for r in drafted] == [made[3].id]
