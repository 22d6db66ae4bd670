"""The label page in Korean (AppTest on the real app, a KsponSpeech project of real audio): tag
buttons with Korean meanings, lint problems rendered from the Korean rule templates, the
blocked Save & next and the segment list; and the lint texts themselves, per rule code."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from speechlabel import accounts
from speechlabel.access import SYSTEM
from speechlabel.conventions import (
    AIHUB,
    BUILTIN_SCHEMES,
    KSPON,
    RULES,
    lint,
    scheme_from_mapping,
)
from speechlabel.i18n import Lang, catalog, enum_label
from speechlabel.i18n.lint_text import problem_message, rule_key, tag_meaning
from speechlabel.models import ConventionSettings, SegmentStatus
from speechlabel.project_conventions import update_convention_settings
from speechlabel.workspace import Workspace
from tests.test_label_conventions_page import APP, PASSWORD, kspon_project, tag_button  # noqa: F401 — fixture

HANGUL = re.compile(r"[가-힣]")


def open_in_korean() -> AppTest:
    """ana's label page; the project is Korean, so the page opens in Korean without choosing."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, "ana", PASSWORD)[0]
    app.run()
    assert not app.exception, app.exception
    return app


def lint_box(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_the_label_page_opens_in_korean_with_the_schemes_tags(kspon_project):  # noqa: F811 — fixture
    app = open_in_korean()
    assert app.title[0].value == "라벨링"
    assert app.radio(key="ui_language").value == "ko"
    assert "세그먼트 2개 중 1번째" in app.subheader[0].value
    assert any(c.value.startswith("전사 태그 — KsponSpeech / ETRI") for c in app.caption)
    assert transcript_ko(app).value == "모 몬 소리야"
    breath = tag_button(app, "label_tag_0")
    assert breath.label == "b/ · Alt+B" and breath.help == "숨소리"
    assert tag_button(app, "label_tag_dual").label.startswith(r"\(철자\)/\(발음\)")
    labels = {b.label for b in app.button}
    assert {"저장 후 다음", "이전", "이 세그먼트 건너뛰기", "이 세그먼트를 전사 불가로 표시", "여기서 나누기", "합치기"} <= labels


def transcript_ko(app: AppTest):
    return next(area for area in app.text_area if area.label == "전사")


def test_lint_problems_in_korean_fix_and_the_blocked_save(kspon_project):  # noqa: F811 — fixture
    store, project = kspon_project
    update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, True))
    app = open_in_korean()
    transcript_ko(app).input("모+몬 소리야  (70%)/(70 퍼센트)").run()
    text = lint_box(app)
    assert "KsponSpeech / ETRI 규칙 검사: **오류 2개, 경고 1개**" in text
    assert "다음 단어에 붙어 있습니다" in text  # plus-joined
    assert "발음 쪽에는 숫자를 들린 대로 한글로 씁니다" in text and "칠십" in text  # digits-in-pronunciation
    assert "단어 사이에 공백이 2개 있습니다" in text  # double-space
    assert ":red[오류]" in text and ":orange[경고]" in text and "제안:" in text
    assert not re.search(r"is joined|spaces between|pronunciation side", text)
    assert any("오류가 남아 있으면" in w.value for w in app.warning)

    next(b for b in app.button if b.label == "저장 후 다음").click().run()
    assert app.error[0].value.startswith("이 프로젝트는 검사 오류가 있는 전사를 받지 않습니다: 1번째 글자:")
    assert "(외 1개)" in app.error[0].value

    next(b for b in app.button if b.label == "고치기").click().run()
    assert transcript_ko(app).value == "모+ 몬 소리야 (70%)/(칠십 퍼센트)"
    assert app.success[0].value == "제안된 수정을 적용했습니다 (문제 3개 해결)."
    assert any("규칙에 어긋난 곳이 없습니다" in c.value for c in app.caption)
    next(b for b in app.button if b.label == "저장 후 다음").click().run()
    assert not app.error
    assert app.success[0].value == "a.wav의 세그먼트 1을(를) 저장했습니다."


def test_the_segment_list_and_the_page_switch_back_to_english(kspon_project):  # noqa: F811 — fixture
    app = open_in_korean()
    assert app.expander[-1].label == "kspon에서 내 작업 (2)"
    table = app.dataframe[0].value
    assert list(table.columns) == ["", "시작", "끝", "화자", "상태", "텍스트"]
    assert set(table["상태"]) == {enum_label(SegmentStatus.DRAFTED, Lang.KO)}
    app.radio(key="ui_language").set_value("en").run()
    assert app.title[0].value == "Label"
    assert next(area for area in app.text_area if area.label == "Transcript").value == "모 몬 소리야"
    assert tag_button(app, "label_tag_0").help == "breath"


# --- the lint texts ------------------------------------------------------------------------------


def test_every_rule_code_has_a_korean_and_an_english_template():
    for code, rule in RULES.items():
        assert catalog(Lang.EN)[rule_key(code)] == rule.template
        assert HANGUL.search(catalog(Lang.KO)[rule_key(code)]), code


@pytest.mark.parametrize(("text", "scheme", "code", "korean"), [
    ("모+몬 소리야", KSPON, "plus-joined", "+이(가) 다음 단어에 붙어 있습니다"),
    ("소리 o/ 야", KSPON, "tag-not-at-start", "o/(다른 화자 또는 겹친 말소리 (전사 맨 앞))은(는) 전사 맨 앞"),
    ("소리야 (칠십)/()", KSPON, "empty-dual-side", "이중 전사의 발음 쪽에 단어가 없습니다"),
    ("(70%)/(칠십 %) 야", KSPON, "stray-character-in-dual", "발음 쪽에 쓸 수 없습니다. 들린 대로 한글로 쓰세요."),
    ("x/ 소리야", KSPON, "unknown-tag", "x/은(는) 이 규칙(kspon)의 태그가 아닙니다"),
    ("(FP:) 네", AIHUB, "tag-content-missing", "(FP:) 안에 들린 말을 적어야 합니다"),
])
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
    own = scheme_from_mapping({"name": "factory", "base": "kspon",
                               "tags": [{"tag": "[machine]", "kind": "noise", "meaning": "machine noise"}]})
    machine = own.by_text["[machine]"]
    assert tag_meaning(own, machine, Lang.KO) == "machine noise"  # the lead's words, as written
    assert tag_meaning(own, own.by_text["n/"], Lang.KO) == "잡음"  # taken over from its base, kspon
    generic = project_conventions_generic(("hum",))
    assert tag_meaning(generic, generic.by_text["[hum]"], Lang.KO) == "hum (프로젝트 태그)"


def project_conventions_generic(names: tuple[str, ...]):
    """The generic scheme with a project's own tag names joined in (project_conventions)."""
    from speechlabel.project_conventions import _generic_with
    return _generic_with(names)
