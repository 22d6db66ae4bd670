"""The UI's two languages: every message key the code uses is in both catalogs, no catalog key is
unused, both languages fill the same fields, the Korean catalog has no English left, errors
render in Korean, the default language follows the project and the browser, and pages switch
to Korean in the app (AppTest)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM, require_role
from speechlabel.conventions import BUILTIN_SCHEMES, RULES
from speechlabel.conventions.convert import NOTE_TEMPLATES
from speechlabel.conventions.lint_text import (
    builtin_meaning_keys,
    note_key,
    note_keys,
    rule_key,
    rule_keys,
    word_keys,
)
from speechlabel.core.commands import ProjectKind
from speechlabel.core.errors import (
    NotFound,
    SpeechLabelError,
    StaleVersion,
    TooManyAttempts,
    ValidationError,
    WrongCredentials,
)
from speechlabel.core.lifecycle import Action
from speechlabel.core.metadata import AgeGroup, Gender, MicDistance
from speechlabel.core.models import (
    PrelabelState,
    ReviewDecision,
    ReviewReason,
    Role,
    SegmentStatus,
)
from speechlabel.core.qc import QcAction
from speechlabel.export.destinations import check_export_name
from speechlabel.export.names import SafeNames
from speechlabel.export.options import ExportFormat
from speechlabel.i18n import (
    Lang,
    MissingMessage,
    catalog,
    default_language,
    enum_label,
    error_message,
    translate,
)
from speechlabel.i18n.labels import ENUM_PREFIXES
from speechlabel.prelabel.jobs import JobState
from speechlabel.projects.manage import create_project, validate_name
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, button, open_review_page, reviewer, submitted
from tests.app_session import shown, sign_in
from tests.korean_errors import DIFFERENT_FIELDS, fields

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "workbench.py", *sorted((ROOT / "views").glob("*.py")), *sorted((ROOT / "speechlabel").rglob("*.py"))]
# ``Phrase(key, english)``: fixed words inside an error message, translated as a param.
TRANSLATING_CALLS = {"t", "translate", "Phrase"}
KEY_SHAPE = re.compile(r"[a-z_]+(\.[a-z_]+)+")
# Functions whose ``what`` argument (the second, or ``what=``) becomes a translated noun
# (``noun.<what>``) in error messages.
NOUN_TAKERS = {"validate_name", "_validate_names", "_clean_label_name", "SafeNames"}
# Latin letters the Korean catalog may keep: product, format and metric names, codes, units.
KOREAN_WHITELIST = re.compile(
    r"`[^`]*`|\{[^}]*\}|[\w.-]+\.txt|faster-whisper|openai-whisper|int8|float32|\*\*admin\*\*|"
    r"SPEECHLABEL_ADMIN_PASSWORD|Whisper|NeMo|Hugging Face|audiofolder|Lhotse|Speech Commands|AI Hub|"
    r"Kaldi|ESPnet|JSONL|JSON|TOML|\.toml|\.json|UTF-8|README\.md|\.zip|CSV|CER|WER|UTC|MB|Hz|calls-nemo-2026-05|"
    r"tiny\.en|base|'auto'|a-z|"
    r"\bko\b|\ben\b|\bja\b|\bzh\b|"
    # Transcription tags and the names the lint messages keep: AI Hub's codes, ESPnet's fluent
    # text (fl), the example foreign word, the generic filler, key names, level units.
    r"\((?:NO|SN|FP|SP):|\bfl\b|\bLTE\b|%um|Esc|Alt\+[A-Z,.]|Ctrl\+Enter|dBFS|\bdB\b"
)


def _namespaces() -> set[str]:
    return {key.split(".")[0] for key in catalog(Lang.EN)}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            yield node, func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def used_keys() -> set[str]:
    """Keys named in the code: first argument of ``t(...)``/``translate(...)``, ``message_key=``
    values (also both sides of a conditional), and key-shaped constants in the pages (keys
    chosen in a dict or a conditional and passed to ``t`` later)."""
    namespaces, keys = _namespaces(), set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, name in _calls(tree):
            if name in TRANSLATING_CALLS and call.args and isinstance(call.args[0], ast.Constant):
                keys.add(call.args[0].value)
            for keyword in call.keywords:
                if keyword.arg == "message_key" or (keyword.arg or "").endswith("_key"):
                    keys.update(
                        c.value
                        for c in ast.walk(keyword.value)
                        if isinstance(c, ast.Constant)
                        and isinstance(c.value, str)
                        and (keyword.arg == "message_key" or KEY_SHAPE.fullmatch(c.value))
                    )
        keys.update(_key_defaults(tree))
        if path.parent.name == "views" or path.name == "workbench.py":
            keys.update(
                node.value
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEY_SHAPE.fullmatch(node.value)
                and node.value.split(".")[0] in namespaces
            )
    return keys


def _key_defaults(tree: ast.AST) -> set[str]:
    """Message keys given as the default of a parameter named ``*_key`` (``too_long_key=...``)."""
    found = set()
    for function in (node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))):
        arguments = function.args
        named = arguments.posonlyargs + arguments.args
        pairs = list(zip(named[len(named) - len(arguments.defaults) :], arguments.defaults))
        pairs += [
            (argument, default)
            for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults)
            if default is not None
        ]
        found.update(
            default.value
            for argument, default in pairs
            if argument.arg.endswith("_key")
            and isinstance(default, ast.Constant)
            and isinstance(default.value, str)
            and KEY_SHAPE.fullmatch(default.value)
        )
    return found


def noun_keys() -> set[str]:
    nouns = {inspect.signature(SafeNames).parameters["what"].default}
    for path in SOURCES:
        for call, name in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            if name not in NOUN_TAKERS:
                continue
            given = [call.args[1]] if len(call.args) > 1 else []
            given += [keyword.value for keyword in call.keywords if keyword.arg == "what"]
            nouns.update(node.value for node in given if isinstance(node, ast.Constant))
    return {"noun." + noun.replace(" ", "_") for noun in nouns}


def enum_keys() -> set[str]:
    return {f"{prefix}.{member.value}" for kind, prefix in ENUM_PREFIXES.items() for member in kind}


def catalog_only_keys() -> set[str]:
    """Keys chosen by data, not named in the code: lint rule templates, convert-text notes,
    built-in tag meanings."""
    return rule_keys() | note_keys() | builtin_meaning_keys() | word_keys()


def test_the_catalog_only_keys_are_those_of_the_rules_notes_and_built_in_tags():
    assert rule_keys() == {rule_key(code) for code in RULES}
    assert note_keys() == {note_key(code) for code in NOTE_TEMPLATES}
    assert builtin_meaning_keys() == {
        f"tag_meaning.{scheme.name}.{tag.kind.value}" for scheme in BUILTIN_SCHEMES.values() for tag in scheme.tags
    }


# --- the catalogs --------------------------------------------------------------------------------


def test_every_key_the_code_uses_is_in_both_catalogs():
    used = used_keys() | noun_keys() | enum_keys() | catalog_only_keys()
    assert len(used) > 250  # the scan finds the pages' keys, not nothing
    for lang in Lang:
        missing = sorted(used - set(catalog(lang)))
        assert not missing, f"missing from the {lang.value} catalog: {missing}"


def test_no_catalog_key_is_unused_and_both_catalogs_have_the_same_keys():
    assert set(catalog(Lang.EN)) == set(catalog(Lang.KO))
    unused = sorted(set(catalog(Lang.EN)) - used_keys() - noun_keys() - enum_keys() - catalog_only_keys())
    assert not unused, f"keys no code uses: {unused}"


def test_both_languages_fill_the_same_fields():
    different = {
        key: (fields(text) - fields(catalog(Lang.KO)[key]), fields(catalog(Lang.KO)[key]) - fields(text))
        for key, text in catalog(Lang.EN).items()
        if fields(text) != fields(catalog(Lang.KO)[key])
    }
    assert different == DIFFERENT_FIELDS


def test_the_korean_catalog_has_no_english_left():
    leftovers = {key: KOREAN_WHITELIST.sub("", text) for key, text in catalog(Lang.KO).items()}
    english = {key: text for key, text in leftovers.items() if re.search(r"[A-Za-z]", text)}
    assert not english
    assert all(re.search(r"[가-힣]", text) for key, text in catalog(Lang.KO).items() if key != "list.separator")


def test_a_missing_key_is_an_error_in_every_language_not_an_english_fallback():
    for lang in Lang:
        with pytest.raises(MissingMessage, match="no.such_key"):
            translate("no.such_key", lang)
    assert translate("review.bulk_done", Lang.KO, count=3, name="ana") == "ana 님의 세그먼트 3개를 승인했습니다."


def test_every_status_reason_and_role_has_a_label_in_both_languages():
    assert enum_label(SegmentStatus.SUBMITTED, Lang.KO) == "제출됨"
    assert enum_label(Role.REVIEWER, Lang.KO) == "검수자"
    # Each enum registers its labels where it is defined (@labeled): all of them are imported here.
    assert set(ENUM_PREFIXES) == {
        SegmentStatus,
        ReviewReason,
        ReviewDecision,
        Role,
        PrelabelState,
        JobState,
        ExportFormat,
        Action,
        Gender,
        AgeGroup,
        MicDistance,
        QcAction,
        ProjectKind,
    }
    for kind in ENUM_PREFIXES:
        for member in kind:
            labels = {enum_label(member, lang) for lang in Lang}
            assert len(labels) == 2, (member, labels)  # translated, not copied


# --- the default language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "locale", "header", "expected"),
    [
        ("ko", "en-US", "en", Lang.KO),  # a Korean project wins over the browser
        ("en", "ko-KR", "ko", Lang.EN),  # so does any other project language
        ("ja", None, None, Lang.EN),
        (None, "ko-KR", None, Lang.KO),  # no project: the browser's navigator.language
        (None, None, "fr-FR,ko;q=0.8,en;q=0.5", Lang.KO),  # else the first supported Accept-Language
        (None, None, "en;q=0.4, ko_KR;q=0.9", Lang.KO),
        (None, None, "ko;q=0, en", Lang.EN),  # q=0 means "not this one"
        (None, "de-DE", "*", Lang.EN),
        (None, None, None, Lang.EN),
    ],
)
def test_default_language(project, locale, header, expected):
    assert default_language(project, locale, header) == expected


# --- errors ----------------------------------------------------------------------------------------


def test_sign_in_errors_in_korean_and_english():
    assert error_message(WrongCredentials(), Lang.KO) == "사용자 이름 또는 비밀번호가 올바르지 않습니다."
    assert error_message(WrongCredentials(), Lang.EN) == "wrong username or password"
    paused = TooManyAttempts("ana", 61)
    assert (
        error_message(paused, Lang.KO) == "이 주소에서 'ana'의 로그인 실패가 너무 많습니다. 2분 뒤에 다시 시도하세요."
    )
    assert (
        error_message(TooManyAttempts(None, 61), Lang.KO)
        == "이 주소에서 로그인 실패가 너무 많습니다. 2분 뒤에 다시 시도하세요."
    )
    assert "2 minutes" in error_message(paused, Lang.EN)
    stale = StaleVersion("seg-1", 3, 4, "ben")
    assert error_message(stale, Lang.KO).startswith("세그먼트 seg-1을(를) 연 뒤(버전 3) ben 님이 먼저 저장했습니다")


def test_form_validation_errors_in_korean_with_translated_nouns():
    with pytest.raises(ValidationError) as empty:
        validate_name("  ", "project name")
    assert error_message(empty.value, Lang.KO) == "프로젝트 이름이(가) 비어 있습니다. 1자에서 100자까지 입력하세요."
    with pytest.raises(ValidationError) as dotted:
        check_export_name(".hidden")
    assert error_message(dotted.value, Lang.KO).startswith("내보내기 이름 '.hidden'이(가) 점으로 시작합니다.")
    with pytest.raises(ValidationError) as username:
        accounts.validate_username("A B")
    assert "쓸 수 없습니다" in error_message(username.value, Lang.KO)


def test_conflicts_and_refusals_from_the_store_in_korean(store):
    create_project(store, "calls", language="ko", actor=SYSTEM)
    with pytest.raises(SpeechLabelError) as twice:
        create_project(store, "calls", language="ko", actor=SYSTEM)
    assert error_message(twice.value, Lang.KO) == "'calls' 프로젝트가 이미 있습니다. 다른 이름을 고르세요."
    accounts.create_user(store, SYSTEM, "ana", "correct horse battery")
    accounts.set_role(store, SYSTEM, "ana", "calls", Role.LABELER)
    ana = accounts.login(store, "ana", "correct horse battery")[1]
    with pytest.raises(SpeechLabelError) as refused:
        require_role(ana, store.get_project("calls"), Role.REVIEWER, action="reviewing")
    assert error_message(refused.value, Lang.KO) == (
        "ana 님은 'calls'에서 라벨러입니다. 이 작업에는 검수자, 리드 역할이 필요합니다."
    )
    assert error_message(refused.value, Lang.EN) == str(refused.value)  # English keeps the action
    assert "reviewing needs the reviewer or lead role" in str(refused.value)


def test_an_error_without_a_key_shows_its_english_message_under_a_korean_lead_in():
    plain = NotFound("no segment abc")
    assert error_message(plain, Lang.KO) == "오류가 발생했습니다 (영문 원문): no segment abc"
    assert error_message(plain, Lang.EN) == "no segment abc"


# --- pages in Korean (AppTest) ---------------------------------------------------------------------


def switch_to_korean(app: AppTest) -> AppTest:
    app.radio(key="ui_language").set_value("ko").run()
    assert not app.exception, app.exception
    return app


def test_the_projects_page_switches_to_korean_and_back(app_data):
    app = sign_in(AppTest.from_file(APP, default_timeout=60), Workspace.shared().store, "boss", admin=True).run()
    assert app.title[0].value == "Projects" and "No projects yet" in app.info[0].value  # English by default
    switch_to_korean(app)
    assert app.title[0].value == "프로젝트"
    assert app.info[0].value.startswith("아직 프로젝트가 없습니다.")
    assert "**boss** 님으로 로그인함 (관리자)" in app.sidebar.caption[0].value
    app.text_input[0].input("factory-ko")
    app.selectbox[0].select("ko")
    button(app, "프로젝트 만들기").click().run()
    assert app.success[0].value == "프로젝트 'factory\\-ko'을(를) 만들었습니다."  # the name escaped (views/plain.py)
    button(app, "프로젝트 만들기").click().run()  # the same name again: the Conflict in Korean
    assert shown(app.error[0].value) == "'factory-ko' 프로젝트가 이미 있습니다. 다른 이름을 고르세요."
    app.radio(key="ui_language").set_value("en").run()
    assert app.title[0].value == "Projects"  # a chosen language stays, even in a Korean project


def test_a_korean_project_opens_in_korean_without_choosing(app_data):
    workspace = Workspace.shared()
    create_project(workspace.store, "factory-ko", language="ko", actor=SYSTEM)
    app = sign_in(AppTest.from_file(APP, default_timeout=60), workspace.store, "boss", admin=True).run()
    assert not app.exception
    assert app.title[0].value == "프로젝트"
    assert app.radio(key="ui_language").value == "ko"


def test_the_review_page_in_korean(labeled_project):
    workspace, project = labeled_project
    reviewer(workspace)
    submitted(workspace, project)
    app = switch_to_korean(open_review_page("rita"))
    assert app.title[0].value == "검수"
    assert app.caption[0].value.startswith("라벨러 **ana** · 상태 **제출됨**")
    assert {"승인", "반려", "화자 오류"} <= {b.label for b in app.button}
    button(app, "반려").click().run()
    assert app.error[0].value == "먼저 반려 사유를 선택하세요 (키 1–6)."
    button(app, "화자 오류").click().run()
    button(app, "반려").click().run()
    assert not app.exception
    assert app.success[-1].value == "calls에서 이 조건으로 검수를 기다리는 세그먼트가 없습니다. 🎉"


def test_the_clip_route_answers_in_the_browsers_language(app_data):
    import anyio
    from starlette.requests import Request

    from views.routes import clip

    def get(language: str):
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/clip/nope.wav",
            "query_string": b"start=0&end=1",
            "headers": [(b"accept-language", language.encode())],
            "path_params": {"recording_id": "nope"},
        }
        return anyio.run(clip, Request(scope))

    korean, english = get("ko-KR,ko;q=0.9"), get("en-US")  # no session cookie: refused, in that language
    assert korean.status_code == english.status_code == 401
    assert korean.body.decode() == translate("error.not_signed_in", Lang.KO)
    assert english.body.decode() == translate("error.not_signed_in", Lang.EN)
