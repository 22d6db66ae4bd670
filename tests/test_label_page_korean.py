"""The label page in Korean (a KsponSpeech project of real audio): the label loop mounted with
its texts and the scheme's tags in Korean (AppTest on the real app), lint problems in Korean
through the loop's lint route (SQLite and PostgreSQL), the segment list and the switch back to
English; and the lint texts themselves, per rule code."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import (
    AIHUB,
    BUILTIN_SCHEMES,
    KSPON,
    RULES,
    lint,
    scheme_from_mapping,
)
from speechlabel.conventions.lint_text import problem_message, rule_key, tag_meaning
from speechlabel.core.models import ConventionSettings, SegmentStatus
from speechlabel.i18n import Lang, catalog, enum_label
from speechlabel.projects.conventions import update_convention_settings
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, loop_data
from tests.app_session import PASSWORD
from tests.label_routes_client import ana_on_first

HANGUL = re.compile(r"[가-힣]")


def open_in_korean() -> AppTest:
    """ana's label page; the project is Korean, so the page opens in Korean without choosing."""
    page = AppTest.from_file(APP, default_timeout=60)
    page.session_state["session_token"] = accounts.login(Workspace.shared().store, "ana", PASSWORD)[0]
    page.run()
    assert not page.exception, page.exception
    return page


def test_the_label_loop_mounts_in_korean_with_the_schemes_tags(kspon_project):
    store, project = kspon_project
    page = open_in_korean()
    assert page.title[0].value == "라벨링"
    assert page.radio(key="ui_language").value == "ko"
    data = loop_data(page)
    assert data["lang"] == "ko" and data["texts"]["save_next"] == "저장 후 다음"
    assert data["texts"]["transcript"] == "전사"
    assert data["texts"]["previous"] == "이전"
    first = store.list_segments(store.list_recordings(project.id)[0].id)[0]
    assert data["mount"]["open"] == first.id
    breath = data["scheme_tags"][0]
    assert (breath["text"], breath["hotkey"], breath["meaning"]) == ("b/", "Alt+B", "숨소리")
    assert data["scheme_tags"][-2]["label"].startswith("(철자)/(발음)")
    assert data["scheme_tags"][-1]["label"] == "(…)/(…) 확인"


def test_lint_problems_in_korean_and_the_blocked_save(app, store, kspon):
    project = update_convention_settings(store, SYSTEM, kspon, ConventionSettings(KSPON, True))
    web, card = ana_on_first(app, store, project)
    web.headers["x-speechlabel-lang"] = "ko"
    body = web.post(
        "/api/label/lint", json={"segment_id": card["id"], "text": "모+몬 소리야  (70%)/(70 퍼센트)"}
    ).json()
    messages = " ".join(p["message"] for p in body["problems"])
    assert [p["error"] for p in body["problems"]].count(True) == 2 and len(body["problems"]) == 3
    assert "다음 단어에 붙어 있습니다" in messages  # plus-joined
    assert "발음 쪽에는 숫자를 들린 대로 한글로 씁니다" in messages and "칠십" in messages
    assert "단어 사이에 공백이 2개 있습니다" in messages  # double-space
    assert not re.search(r"is joined|spaces between|pronunciation side", messages)
    assert body["fixed"] == "모+ 몬 소리야 (70%)/(칠십 퍼센트)"
    refused = web.post(
        "/api/label/save",
        json={
            "segment_id": card["id"],
            "version": card["version"],
            "text": "모+몬 소리야  (70%)/(70 퍼센트)",
            "tags": [],
        },
    )
    assert refused.status_code == 422
    assert refused.json()["error"].startswith("이 프로젝트는 검사 오류가 있는 전사를 받지 않습니다: 1번째 글자:")
    assert "(외 1개)" in refused.json()["error"]
    assert store.get_segment(card["id"]).status == SegmentStatus.DRAFTED
    saved = web.post(
        "/api/label/save",
        json={"segment_id": card["id"], "version": card["version"], "text": body["fixed"], "tags": []},
    )
    assert saved.status_code == 200 and store.get_segment(card["id"]).text == body["fixed"]


def test_the_segment_list_and_the_page_switch_back_to_english(kspon_project):
    page = open_in_korean()
    assert page.expander[-1].label == "kspon에서 내 작업 (2)"
    table = page.dataframe[0].value
    assert list(table.columns) == ["", "시작", "끝", "화자", "상태", "텍스트"]
    assert set(table["상태"]) == {enum_label(SegmentStatus.DRAFTED, Lang.KO)}
    page.radio(key="ui_language").set_value("en").run()
    assert page.title[0].value == "Label"
    data = loop_data(page)
    assert data["lang"] == "en" and data["texts"]["save_next"] == "Save & next"
    assert data["scheme_tags"][0]["meaning"] == "breath"


# --- the lint texts ------------------------------------------------------------------------------


def test_every_rule_code_has_a_korean_and_an_english_template():
    for code, rule in RULES.items():
        assert catalog(Lang.EN)[rule_key(code)] == rule.template
        assert HANGUL.search(catalog(Lang.KO)[rule_key(code)]), code


@pytest.mark.parametrize(
    ("text", "scheme", "code", "korean"),
    [
        ("모+몬 소리야", KSPON, "plus-joined", "+이(가) 다음 단어에 붙어 있습니다"),
        ("소리 o/ 야", KSPON, "tag-not-at-start", "o/(다른 화자 또는 겹친 말소리 (전사 맨 앞))은(는) 전사 맨 앞"),
        ("소리야 (칠십)/()", KSPON, "empty-dual-side", "이중 전사의 발음 쪽에 단어가 없습니다"),
        ("(70%)/(칠십 %) 야", KSPON, "stray-character-in-dual", "발음 쪽에 쓸 수 없습니다. 들린 대로 한글로 쓰세요."),
        ("x/ 소리야", KSPON, "unknown-tag", "x/은(는) 이 규칙(kspon)의 태그가 아닙니다"),
        ("(FP:) 네", AIHUB, "tag-content-missing", "(FP:) 안에 들린 말을 적어야 합니다"),
    ],
)
def test_problems_render_from_the_korean_templates(text, scheme, code, korean):
    problems = [p for p in lint(text, scheme) if p.code == code]
    assert problems, [p.code for p in lint(text, scheme)]
    message = problem_message(problems[0], scheme, Lang.KO)
    assert korean in message
    assert problem_message(problems[0], scheme, Lang.EN) == problems[0].message


def test_built_in_tag_meanings_in_korean_and_a_leads_own_as_written():
    for scheme in BUILTIN_SCHEMES.values():
        for tag in scheme.tags:
            assert HANGUL.search(tag_meaning(scheme, tag, Lang.KO)), (scheme.name, tag.text)
            assert tag_meaning(scheme, tag, Lang.EN) == tag.meaning
    own = scheme_from_mapping(
        {
            "name": "factory",
            "base": "kspon",
            "tags": [{"tag": "[machine]", "kind": "noise", "meaning": "machine noise"}],
        }
    )
    machine = own.by_text["[machine]"]
    assert tag_meaning(own, machine, Lang.KO) == "machine noise"  # the lead's words, as written
    assert tag_meaning(own, own.by_text["n/"], Lang.KO) == "잡음"  # taken over from its base, kspon
    generic = project_conventions_generic(("hum",))
    assert tag_meaning(generic, generic.by_text["[hum]"], Lang.KO) == "hum (프로젝트 태그)"


def project_conventions_generic(names: tuple[str, ...]):
    """The generic scheme with a project's own tag names joined in (project_conventions)."""
    from speechlabel.projects.conventions import _generic_with

    return _generic_with(names)
