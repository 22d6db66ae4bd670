"""Errors carry a message key and params, never English of their own: every raise of a
SpeechLabelError in speechlabel/ and views/ names a key (itself or through its class), that key is
in both catalogs with the fields its params fill, and no call writes English beside a key -- the
English of ``str(error)`` is the English catalog's (``speechlabel.core.errors.english_message``). Then
real failures of the forms that took keys last: a bad scheme file, bad project options, a bad
export name."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import SchemeFileError, load_scheme_file
from speechlabel.conventions.schemes import MARK_CHARACTERS
from speechlabel.core.errors import SpeechLabelError, ValidationError
from speechlabel.export.names import SafeNames
from speechlabel.i18n import Lang, catalog, translate
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.manage import create_project, read_glossary, validate_glossary
from speechlabel.projects.scheme_upload import (
    SchemeUpload,
    save_convention_form,
    scheme_from_upload,
)
from tests.korean_errors import DIFFERENT_FIELDS, assert_in_korean, fields

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "speechlabel").rglob("*.py"), *(ROOT / "views").glob("*.py")])

# Raises that stay without a key (by file and function, "*" for any), and why nobody reads them
# translated.
ALLOWED_UNKEYED = {
    # The label loop's save route renders a refused save itself, with the first lint problem in the
    # reader's language (views/label_api.lint_rejected_message); no command saves a transcript.
    ("speechlabel/projects/conventions.py", "check_submittable"),
    # Checks of a bench's inputs (bench/segmentation.py): no page or command reaches them.
    ("speechlabel/prelabel/vad_metrics.py", "*"),
}
# Calls that pass English with a key: English rendered before, not written here.
ALLOWED_ENGLISH = {
    (
        "speechlabel/prelabel/jobs.py",
        "failure_error",
    ),  # a recording's failure read back from the database as it was stored
}
# Calls whose key is a row's of a declarative table; the table's own test checks its keys.
KEYS_FROM_TABLES = {
    ("speechlabel/core/project_settings.py", "check"),  # tests/test_project_settings_table.py
}


def _error_class(module, call: ast.Call, classes: list[str]) -> type[SpeechLabelError] | None:
    """The SpeechLabelError class ``call`` makes (``super().__init__`` in one's ``__init__`` too)."""
    target, chain = call.func, []
    if (
        isinstance(target, ast.Attribute)
        and target.attr == "__init__"
        and isinstance(target.value, ast.Call)
        and getattr(target.value.func, "id", None) == "super"
        and classes
    ):
        target, chain = ast.Name(classes[-1]), []
    while isinstance(target, ast.Attribute):
        chain.insert(0, target.attr)
        target = target.value
    found = getattr(module, target.id, None) if isinstance(target, ast.Name) else None
    for attribute in chain:
        found = getattr(found, attribute, None)
    return found if isinstance(found, type) and issubclass(found, SpeechLabelError) else None


def calls():
    """(file, enclosing function, error class or None, call, whether it is raised, the enclosing
    function's node) for every call in the sources."""
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        if "raise" not in source and "message_key" not in source:
            continue
        relative = str(path.relative_to(ROOT))
        tree = ast.parse(source)
        module = importlib.import_module(
            ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        )
        todo = [(tree, [], [], None)]
        while todo:
            node, functions, classes, raised = todo.pop()
            if isinstance(node, ast.Call):
                yield (
                    relative,
                    functions[-1].name if functions else "",
                    _error_class(module, node, classes),
                    node,
                    raised is node,
                    functions[-1] if functions else None,
                )
            inner_functions = (
                functions + [node] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else functions
            )
            inner_classes = classes + [node.name] if isinstance(node, ast.ClassDef) else classes
            for child in ast.iter_child_nodes(node):
                todo.append(
                    (child, inner_functions, inner_classes, node.exc if isinstance(node, ast.Raise) else raised)
                )


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _keyed_by_class(error: type[SpeechLabelError]) -> bool:
    """A class whose own ``__init__`` passes a ``message_key`` (``StaleVersion``, ...)."""
    for klass in error.__mro__:
        if klass is SpeechLabelError:
            return False
        if "__init__" in vars(klass):
            source = textwrap.dedent(inspect.getsource(vars(klass)["__init__"]))
            return any(
                isinstance(node, ast.keyword) and node.arg == "message_key" for node in ast.walk(ast.parse(source))
            )
    return False


def keys_named(call: ast.Call) -> list[str]:
    """The keys a ``message_key=`` can be: its constants (both sides of a conditional, ...)."""
    return [
        node.value
        for node in ast.walk(_keyword(call, "message_key"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_every_error_raised_has_a_message_key():
    raised = [
        (path, function, error, call)
        for path, function, error, call, is_raised, _ in calls()
        if error is not None and is_raised
    ]
    assert len(raised) > 300  # the scan sees the raise sites, not nothing
    unkeyed = {
        (path, function if (path, "*") not in ALLOWED_UNKEYED else "*")
        for path, function, error, call in raised
        if _keyword(call, "message_key") is None and not _keyed_by_class(error)
    }
    assert unkeyed == ALLOWED_UNKEYED


def test_no_call_writes_english_beside_its_key():
    english = {
        (path, function)
        for path, function, error, call, _, _ in calls()
        if error is not None and call.args and _keyword(call, "message_key") is not None
    }
    assert english == ALLOWED_ENGLISH


def test_every_key_is_in_both_catalogs_with_the_fields_its_params_fill():
    checked = 0
    for path, name, error, call, _, function in calls():
        if _keyword(call, "message_key") is None or (path, name) in ALLOWED_ENGLISH:
            continue
        params = _keyword(call, "params")
        given = None  # the params' names, when the call spells them out
        if isinstance(params, ast.Dict) and None not in params.keys:
            given = {key.value for key in params.keys}
        elif params is None and error is not None:
            given = set()
        keys = keys_named(call)
        for key in keys:
            assert key in catalog(Lang.EN) and key in catalog(Lang.KO), f"{path}:{call.lineno}: {key} is not in both"
            english, korean = fields(catalog(Lang.EN)[key]), fields(catalog(Lang.KO)[key])
            assert (english - korean, korean - english) == DIFFERENT_FIELDS.get(key, (set(), set())), (
                f"{path}:{call.lineno}: {key} fills {english} in English but {korean} in Korean"
            )
            if given is not None:
                # Keys chosen by a conditional share one params dict: a branch may use fewer.
                filled = english | korean
                assert filled <= given if len(keys) > 1 else filled == given, (
                    f"{path}:{call.lineno}: {key} fills {filled}, the call passes {given}"
                )
            checked += 1
        if not keys and (path, name) in KEYS_FROM_TABLES:
            continue
        if not keys:  # a helper's key: a parameter the helper's every caller must give
            name = _keyword(call, "message_key")
            assert isinstance(name, ast.Name) and function is not None, f"{path}:{call.lineno}: where is the key from?"
            arguments = function.args
            required = [
                a.arg
                for a in (arguments.posonlyargs + arguments.args)[
                    : len(arguments.posonlyargs + arguments.args) - len(arguments.defaults)
                ]
            ]
            required += [a.arg for a, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is None]
            assert name.id in required, f"{path}:{call.lineno}: {function.name}'s {name.id} may be left out"
    assert checked > 300


def test_phrases_that_name_constants_say_them():
    assert MARK_CHARACTERS in translate("phrase.tag_forms", Lang.EN)


# --- real failures of the forms that took keys last ---------------------------------------------------


def refusal(action) -> SpeechLabelError:
    with pytest.raises(SpeechLabelError) as caught:
        action()
    return caught.value


def upload(name: str, text: str):
    return lambda: scheme_from_upload(SchemeUpload(name, text.encode("utf-8")))


@pytest.mark.parametrize(
    ("name", "text", "korean"),
    [
        ("factory.toml", 'name = "factory"\nbase = ', "factory.toml: 올바른 TOML이 아닙니다: "),
        ("factory.json", '{"name": "factory",}', "factory.json: 올바른 JSON이 아닙니다: "),
        (
            "factory.toml",
            'name = "factory"\nbase = "kspon"\ncolour = "red"\n',
            "factory.toml 파일: 규칙: 알 수 없는 키 'colour'입니다. 허용되는 키: name, base, ",
        ),
        ("factory.toml", 'name = "factory"\n', "factory.toml 파일: 규칙에 태그가 없습니다. "),
        (
            "factory.toml",
            'name = "factory"\n[[tags]]\ntag = "[door]"\nkind = "noise"\nsize = 3\n',
            "factory.toml 파일: 1번째 태그: 알 수 없는 키 'size'입니다.",
        ),
        (
            "factory.toml",
            'name = "factory"\n[[tags]]\ntag = "door"\nkind = "noise"\n',
            "factory.toml 파일: 1번째 태그: 태그 'door'은(는) 검사기가 아는 형식으로 쓰이지 않았습니다. 다음 형식으로 쓰세요: `x/`",
        ),
        (
            "factory.toml",
            'name = "factory"\n[[tags]]\ntag = "[door]"\nkind = "noise"\nhotkey = "Ctrl+Enter"\n',
            "factory.toml 파일: '[door]'의 단축키 Ctrl+Enter은(는) 라벨링 페이지의 '저장 후 다음' 키입니다.",
        ),
        ("factory.txt", "", "factory.txt: 규칙 파일은 `.toml` 또는 `.json`으로 끝나야 합니다."),
        ("factory.toml", "x" * (256 * 1024 + 1), "factory.toml: 262145바이트입니다."),
    ],
)
def test_a_bad_scheme_file_is_explained_in_korean(name, text, korean):
    error = refusal(upload(name, text))
    assert isinstance(error, SchemeFileError)
    assert assert_in_korean(error).startswith(korean)


def test_a_bad_scheme_file_on_disk_and_in_the_form_in_korean(store, project, tmp_path):
    assert assert_in_korean(refusal(lambda: load_scheme_file(tmp_path / "missing.toml"))).startswith(
        f"규칙 파일 {tmp_path / 'missing.toml'}을(를) 읽을 수 없습니다: "
    )
    assert assert_in_korean(refusal(lambda: save_convention_form(store, SYSTEM, project, "file", True))).startswith(
        "올린 규칙 파일이 없습니다."
    )
    assert "알 수 없는 태그 규칙 선택 'ksponspeech'" in assert_in_korean(
        refusal(lambda: save_convention_form(store, SYSTEM, project, "ksponspeech", True))
    )


def test_bad_project_options_are_explained_in_korean(store, tmp_path):
    assert assert_in_korean(refusal(lambda: TranscribeOptions(beam_size=0))) == (
        "beam_size은(는) 1에서 16 사이의 정수여야 합니다. 받은 값: 0"
    )
    assert "알 수 없는 엔진 'whisper.cpp'" in assert_in_korean(refusal(lambda: TranscribeOptions(engine="whisper.cpp")))
    assert "Whisper 언어 코드가 아닙니다" in assert_in_korean(refusal(lambda: TranscribeOptions(language="xx")))
    assert "openai-whisper에서 쓸 수 없습니다" in assert_in_korean(
        refusal(lambda: TranscribeOptions(engine="openai-whisper", compute_type="int8"))
    )
    assert "모델은 비어 있지 않은 이름이나 디렉터리" in assert_in_korean(refusal(lambda: TranscribeOptions(model=" ")))
    assert "용어집의 용어 'x" in assert_in_korean(refusal(lambda: TranscribeOptions(glossary=("x" * 101,))))
    short = SegmentOptions(max_duration=0.5)
    assert assert_in_korean(refusal(lambda: create_project(store, "calls", segment_options=short, actor=SYSTEM))) == (
        "최대 세그먼트 길이(`max_duration`)는 1초 이상이어야 합니다. 받은 값: 0.5"
    )
    assert "절반 이하" in assert_in_korean(refusal(SegmentOptions(min_duration=5.0, max_duration=6.0).validate))
    assert "알 수 없는 분할 설정: loudness" in assert_in_korean(
        refusal(lambda: SegmentOptions.from_dict({"loudness": 1}))
    )
    assert assert_in_korean(refusal(lambda: validate_glossary([f"term {n}" for n in range(1001)]))).startswith(
        "용어집에 용어가 1001개 있습니다."
    )
    assert "UTF-8 텍스트가 아닙니다" in assert_in_korean(refusal(lambda: read_glossary(_latin1(tmp_path))))


def _latin1(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.txt"
    path.write_bytes("café".encode("latin-1"))
    return path


def test_a_bad_export_name_is_explained_in_korean():
    recordings = SafeNames(what="recording id")
    recordings("Rec1")
    assert assert_in_korean(refusal(lambda: recordings("rec1"))) == (
        "녹음 식별자 'Rec1'와(과) 'rec1'이(가) 내보내기에서 같은 이름 'rec1'이(가) 됩니다. 둘 중 하나의 이름을 바꾸세요."
    )
    speakers = SafeNames(what="speaker")
    speakers("Ana")
    assert assert_in_korean(refusal(lambda: speakers("ana"))).startswith("화자 'Ana'와(과) 'ana'")


def test_a_missing_recording_is_explained_in_korean(store):
    assert assert_in_korean(refusal(lambda: store.get_recording("nope"))) == "녹음 'nope'이(가) 없습니다."


def test_a_nested_problem_and_a_phrase_render_in_english_exactly_as_raised():
    error = refusal(
        upload("factory.toml", 'name = "factory"\n[[tags]]\ntag = "[door]"\nkind = "noise"\nhotkey = "Ctrl+Z"\n')
    )
    assert str(error) == "factory.toml: hotkey Ctrl+Z of '[door]' is the label page's 'undo'; choose another"
    assert "'실행 취소' 키입니다" in assert_in_korean(error)
    assert isinstance(error.params["error"], ValidationError)  # the problem itself, rendered in each language
