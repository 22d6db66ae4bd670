"""A database that refuses writes (a real SQLite file made read-only) on the real pages: the user
reads what happened in their language, never a traceback or SQLAlchemy's text."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP
from tests.app_session import sign_in
from tests.read_only import read_only_file


def test_a_project_created_on_a_read_only_database_shows_the_reason_not_a_traceback(app_data):
    store = Workspace.shared().store
    app = sign_in(AppTest.from_file(APP, default_timeout=60), store, "boss", admin=True).run()
    with read_only_file(app_data.data_dir / "speechlabel.db"):
        store.engine.dispose()  # connections opened before were writable: open them anew
        app.text_input[0].input("factory-ko")
        app.button[0].click().run()
        assert not app.exception
        [shown] = [e.value for e in app.error]
        assert shown.startswith("the database is read\\-only\\: nothing was saved")
        assert "Traceback" not in shown and "INSERT" not in shown and "sqlite" not in shown.lower()
        store.engine.dispose()
    assert [p.name for p in store.list_projects()] == []


def test_a_page_whose_reads_fail_shows_the_reason_in_korean(app_data, tmp_path):
    store = Workspace.shared().store
    app = sign_in(AppTest.from_file(APP, default_timeout=60), store, "boss", admin=True).run()
    app.sidebar.radio[0].set_value("ko").run()
    database = app_data.data_dir / "speechlabel.db"
    database.rename(tmp_path / "moved.db")  # the file is gone and its folder cannot be written
    try:
        with read_only_file(app_data.data_dir):
            store.engine.dispose()
            app.run()
            assert not app.exception
            # Shown by the app's last resort (workbench.run_pages), escaped like every error text.
            assert [e.value for e in app.error] == [
                "데이터베이스 연결이 끊겨 아무것도 저장되지 않았습니다\\. 잠시 후 다시 시도하세요\\."
            ]
    finally:
        (tmp_path / "moved.db").rename(database)
        store.engine.dispose()
