"""The label page's transcription convention (a KsponSpeech project of real audio): the scheme's
tags with their hotkeys handed to the label loop (AppTest on the real app), and through the loop's
JSON routes on SQLite and PostgreSQL: a tag put at the caret, the lint problems of the current
text with their positions, the fixed text, and the save refused while the project blocks on
errors. (Keys and the caret in a real browser: tests/e2e/test_label_conventions.py.)"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import ACCEPT_DUAL, KSPON
from speechlabel.core.models import ConventionSettings, SegmentStatus
from speechlabel.projects.conventions import update_convention_settings
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, loop_data
from tests.app_session import PASSWORD
from tests.label_routes_client import ana_on_first

KSPON_LINE = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"


def open_label_page() -> AppTest:
    page = AppTest.from_file(APP, default_timeout=60)
    page.session_state["session_token"] = accounts.login(Workspace.shared().store, "ana", PASSWORD)[0]
    # The project is Korean, so the page would open in Korean; these tests read the English texts
    # (tests/test_label_page_korean.py reads the Korean ones).
    page.session_state["ui_language"], page.session_state["ui_language_chosen"] = "en", True
    page.run()
    assert not page.exception, page.exception
    assert page.title[0].value == "Label"
    return page


def test_the_loop_gets_the_schemes_tags_with_their_hotkeys(kspon_project):
    data = loop_data(open_label_page())
    tags = data["scheme_tags"]
    assert [(tag["text"], tag["hotkey"]) for tag in tags[:-2]] == [(tag.text, tag.hotkey) for tag in KSPON.tags]
    dual, accept = tags[-2:]
    assert dual["label"] == "(spelling)/(pronunciation)" and dual["hotkey"] == "Alt+D"
    # The proposed dual transcriptions of a draft (conventions.draft_style) are kept with one key.
    assert (accept["text"], accept["hotkey"]) == (ACCEPT_DUAL, "Alt+A") and accept["label"] == "Accept (…)/(…)"
    assert tags[0]["meaning"] == "breath"
    assert data["hotkeys"]["Alt+B"] == "b/" and data["hotkeys"]["Alt+H"] == "*"
    assert data["speakers"] == ["A", "B"]


def test_the_accept_key_keeps_the_next_proposed_dual_and_moves_past_it(app, store, kspon):
    web, card = ana_on_first(app, store, kspon)
    text = "어/ (3시)/(세  시)에 (70%)/(칠십 퍼센트) 확률"
    first = web.post(
        "/api/label/insert", json={"segment_id": card["id"], "text": text, "tag": ACCEPT_DUAL, "start": 0}
    ).json()
    assert first["text"] == "어/ (3시)/(세 시)에 (70%)/(칠십 퍼센트) 확률"  # tidied
    assert first["text"][: first["caret"]] == "어/ (3시)/(세 시)"
    second = web.post(
        "/api/label/insert",
        json={"segment_id": card["id"], "text": first["text"], "tag": ACCEPT_DUAL, "start": first["caret"]},
    ).json()
    assert second["text"][: second["caret"]].endswith("(70%)/(칠십 퍼센트)")


def test_a_tag_goes_in_at_the_caret_and_the_text_is_kept(app, store, kspon):
    web, card = ana_on_first(app, store, kspon)
    text = "모 몬 소리야"
    put = web.post(
        "/api/label/insert",
        json={"segment_id": card["id"], "text": text, "tag": "n/", "start": len("모 몬"), "end": None},
    ).json()
    assert put["text"] == "모 몬 n/ 소리야" and put["text"][: put["caret"]].endswith("n/ ")  # caret in code points
    # o/ goes to the start wherever the caret is.
    put = web.post(
        "/api/label/insert",
        json={"segment_id": card["id"], "text": put["text"], "tag": "o/", "start": len(put["text"])},
    ).json()
    assert put["text"].startswith("o/ 모 몬 n/ 소리야")
    assert (
        web.post(
            "/api/label/keep",
            json={"segment_id": card["id"], "version": card["version"], "text": put["text"], "tags": []},
        ).status_code
        == 200
    )
    assert store.get_unsaved_edit("ana", card["id"]).text == put["text"]


def test_lint_lists_problems_with_positions_and_suggestions(app, store, kspon):
    web, card = ana_on_first(app, store, kspon)
    body = web.post("/api/label/lint", json={"segment_id": card["id"], "text": "아/  모+몬 소리야"}).json()
    problems = {p["code"]: p for p in body["problems"]}
    joined, spaces = problems["plus-joined"], problems["double-space"]
    assert (joined["start"], joined["end"], joined["error"], joined["suggestion"]) == (5, 6, True, "모+ 몬")
    assert joined["message"] == "\\+ is joined to the next word" or "joined to the next word" in joined["message"]
    assert (spaces["start"], spaces["end"], spaces["error"]) == (2, 4, False)
    assert "2 spaces between words" in spaces["message"]
    assert body["fixed"] == "아/ 모+ 몬 소리야"
    clean = web.post("/api/label/lint", json={"segment_id": card["id"], "text": KSPON_LINE}).json()
    assert clean == {"problems": [], "fixed": None}


def test_the_fix_covers_digits_in_the_pronunciation(app, store, kspon):
    web, card = ana_on_first(app, store, kspon)
    body = web.post("/api/label/lint", json={"segment_id": card["id"], "text": "아/  모+몬 소리야 70%"}).json()
    assert body["fixed"] == "아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트)"
    assert len([p for p in body["problems"] if p["suggestion"] is not None]) >= 3


def test_a_project_blocking_on_lint_errors_refuses_the_save(app, store, kspon):
    project = update_convention_settings(store, SYSTEM, kspon, ConventionSettings(KSPON, True))
    web, card = ana_on_first(app, store, project)
    body = {"segment_id": card["id"], "version": card["version"], "text": "모+몬 소리야", "tags": []}
    refused = web.post("/api/label/save", json=body)
    assert refused.status_code == 422, refused.text
    assert "breaks the project's transcription rules" in refused.json()["error"]
    assert "joined to the next word" in refused.json()["error"] and refused.json()["problems"] == 1
    unchanged = store.get_segment(card["id"])
    assert (unchanged.text, unchanged.status, unchanged.version) == (
        "모 몬 소리야",
        SegmentStatus.DRAFTED,
        card["version"],
    )
    saved = web.post("/api/label/save", json={**body, "text": "모+ 몬 소리야"})
    assert saved.status_code == 200, saved.text
    stored = store.get_segment(card["id"])
    assert (stored.text, stored.status) == ("모+ 몬 소리야", SegmentStatus.SUBMITTED)
    assert saved.json()["next_id"] != card["id"]
