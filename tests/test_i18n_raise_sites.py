"""No page (and no ``speechlabel --lang ko`` command) shows an error in English under the Korean
lead-in: every ``raise`` of a SpeechLabelError in the modules the pages or the command line
import carries a ``message_key`` (itself, through its class, or through a helper that every
caller gives a key), except a short allow-list of errors nobody reads that way. Keyed raises
whose English message is an f-string must build the same text as their English catalog entry.
Then real failures of the forms that took keys last: a bad scheme file, bad project options, a
bad export name."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import SchemeFileError, load_scheme_file
from speechlabel.core.errors import SpeechLabelError, ValidationError
from speechlabel.export.names import SafeNames
from speechlabel.i18n import Lang, catalog
from speechlabel.projects.manage import create_project, read_glossary, validate_glossary
from speechlabel.projects.scheme_upload import (
    SchemeUpload,
    save_convention_form,
    scheme_from_upload,
)
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.prelabel.engines.options import TranscribeOptions
from tests.test_i18n_errors import assert_in_korean

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "workbench.py", *sorted((ROOT / "views").glob("*.py"))]
CLI = [ROOT / "speechlabel" / "cli" / "__init__.py"]

# Raises that may stay without a key, by (file, enclosing function), and why nobody reads them
# under the lead-in.
ALLOWED_UNKEYED = {
    # The label loop's save route renders a refused save itself, with the first lint problem in the
    # reader's language (views/label_api.lint_rejected_message); the error's English is for logs, and no
    # command saves a transcript.
    ("speechlabel/projects/conventions.py", "check_submittable"),
}


# --- which modules the pages import -----------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported(name: str, path: Path) -> set[str]:
    """The speechlabel modules ``path`` imports (``from x import y`` counts ``x`` and ``x.y``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    modules = set()
    for dotted in found:
        parts = dotted.split(".")
        if parts[0] == "speechlabel":
            modules.update(".".join(parts[:end]) for end in range(1, len(parts) + 1)
                           if _module_file(".".join(parts[:end])))
    return modules


def page_modules() -> dict[str, Path]:
    """Every speechlabel module the pages (workbench.py, views/) import, directly or not. The
    rest (cli, dataset_import, export.arguments, convention commands, migrations, vad_metrics)
    is reached only from the command line or the test benches."""
    return _imported_from([(f"views.{path.stem}" if path.parent.name == "views" else path.stem, path)
                           for path in PAGES])


def cli_modules() -> dict[str, Path]:
    """Every speechlabel module ``speechlabel`` (cli.py) imports, directly or not: its errors
    print in the language of ``--lang``. Not migrations (Alembic's) nor vad_metrics (a bench)."""
    return _imported_from([("speechlabel.cli", path) for path in CLI])


def _imported_from(todo: list[tuple[str, Path]]) -> dict[str, Path]:
    seen: dict[str, Path] = {}
    while todo:
        name, path = todo.pop()
        if name not in seen:
            seen[name] = path
            todo.extend((module, _module_file(module)) for module in _imported(name, path) if module not in seen)
    return {name: path for name, path in seen.items() if name.startswith("speechlabel")}


# --- the raises ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseSite:
    where: str  # file:line
    file: str
    function: str  # the enclosing function's name ("" at module level)
    error: type[SpeechLabelError]
    call: ast.Call
    helper_parameter: str | None  # message_key=<this parameter of the enclosing function>


def _functions(tree: ast.AST):
    """(function node, its name) for every function, and the module itself as ("", tree)."""
    yield tree, ""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, node.name


def _raised_class(module, call: ast.Call):
    target = call.func
    chain = []
    while isinstance(target, ast.Attribute):
        chain.insert(0, target.attr)
        target = target.value
    if not isinstance(target, ast.Name):
        return None
    found = getattr(module, target.id, None)
    for attribute in chain:
        found = getattr(found, attribute, None)
    return found if isinstance(found, type) and issubclass(found, SpeechLabelError) else None


def _own_raises(function: ast.AST):
    """Raises in ``function`` itself, not in functions nested inside it."""
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def raise_sites(modules: dict[str, Path] | None = None) -> list[RaiseSite]:
    """The raises of SpeechLabelErrors in ``modules`` (the pages' and the command line's)."""
    sites = []
    for name, path in sorted((modules or {**page_modules(), **cli_modules()}).items()):
        module = importlib.import_module(name)
        relative = str(path.relative_to(ROOT))
        for function, function_name in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            parameters = set() if not function_name else {a.arg for a in function.args.args + function.args.kwonlyargs}
            for node in _own_raises(function):
                error = _raised_class(module, node.exc)
                if error is None:
                    continue
                key = next((k.value for k in node.exc.keywords if k.arg == "message_key"), None)
                helper = key.id if isinstance(key, ast.Name) and key.id in parameters else None
                sites.append(RaiseSite(f"{relative}:{node.lineno}", relative, function_name, error, node.exc, helper))
    return sites


def _keyed_by_class(error: type[SpeechLabelError]) -> bool:
    """A class whose own ``__init__`` passes a ``message_key`` (``StaleVersion``, ...)."""
    for klass in error.__mro__:
        if klass is SpeechLabelError:
            return False
        if "__init__" in vars(klass):
            source = textwrap.dedent(inspect.getsource(vars(klass)["__init__"]))
            return any(isinstance(node, ast.keyword) and node.arg == "message_key"
                       for node in ast.walk(ast.parse(source)))
    return False


def _has_key(site: RaiseSite) -> bool:
    return any(keyword.arg == "message_key" for keyword in site.call.keywords) or _keyed_by_class(site.error)


def test_the_scan_sees_the_pages_and_the_command_lines_modules():
    pages, cli = page_modules(), cli_modules()
    assert {"speechlabel.projects.manage", "speechlabel.conventions.scheme_file", "speechlabel.export.names",
            "speechlabel.store.recordings"} <= set(pages)
    assert "speechlabel.cli" not in pages and "speechlabel.ingest.datasets" not in pages
    assert {"speechlabel.ingest.datasets.detect", "speechlabel.cli.lint", "speechlabel.projects.manage"} <= set(cli)
    assert not any(name.startswith("speechlabel.migrations") or name == "speechlabel.prelabel.vad_metrics" for name in cli)


@pytest.mark.parametrize("reader", ["pages", "cli"])
def test_every_error_a_page_or_a_command_can_show_has_a_message_key(reader):
    sites = raise_sites(page_modules() if reader == "pages" else cli_modules())
    assert len(sites) > 250  # the scan sees the raise sites, not nothing
    unkeyed = [site.where for site in sites if not _has_key(site) and (site.file, site.function) not in ALLOWED_UNKEYED]
    assert not unkeyed, f"raises shown in English only: {unkeyed}"


def test_the_allowed_raises_are_still_there_and_still_unkeyed():
    unkeyed = {(site.file, site.function) for site in raise_sites() if not _has_key(site)}
    assert ALLOWED_UNKEYED <= unkeyed, f"allowed but no longer unkeyed: {ALLOWED_UNKEYED - unkeyed}"


def _calls_to(name: str):
    for path in page_modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if called == name:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def test_helpers_that_raise_with_the_callers_key_always_get_one():
    helpers = {}
    for site in raise_sites():
        if site.helper_parameter:
            module = importlib.import_module(site.file.removesuffix(".py").replace("/", "."))
            parameters = list(inspect.signature(getattr(module, site.function, None) or _method(module, site.function)
                                                ).parameters)
            helpers[site.function] = (site.helper_parameter, parameters.index(site.helper_parameter))
    assert len(helpers) >= 5
    for function, (parameter, position) in helpers.items():
        for where, call in _calls_to(function):
            given = any(k.arg == parameter for k in call.keywords) or len(call.args) > position - _bound(call)
            assert given, f"{where}: {function}(...) is called without its {parameter}"


def _method(module, name: str):
    return next(getattr(value, name) for value in vars(module).values()
                if isinstance(value, type) and name in vars(value))


def _bound(call: ast.Call) -> int:
    """``self.helper(...)``: the call's first argument is the parameter after ``self``."""
    return 1 if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
        and call.func.value.id in ("self", "cls") else 0


# --- the English catalog entry says what the raise site says -------------------------------------------


def english_template(call: ast.Call) -> str | None:
    """The raise site's message as a catalog template: each ``{expression}`` of the f-string
    replaced by the params entry that has the same expression. None when it cannot be read so."""
    if not call.args:
        return None
    params = next((k.value for k in call.keywords if k.arg == "params"), None)
    names = {}
    if isinstance(params, ast.Dict):
        names = {ast.dump(value): key.value for key, value in zip(params.keys, params.values)
                 if isinstance(key, ast.Constant)}
    message = call.args[0]
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return _escaped(message.value)
    if not isinstance(message, ast.JoinedStr):
        return None
    template = []
    for part in message.values:
        if isinstance(part, ast.Constant):
            template.append(_escaped(part.value))
            continue
        name = names.get(ast.dump(part.value))
        if name is None or (part.format_spec is not None and not _constant_spec(part.format_spec)):
            return None
        conversion = "" if part.conversion == -1 else "!" + chr(part.conversion)
        spec = "" if part.format_spec is None else ":" + part.format_spec.values[0].value
        template.append("{" + name + conversion + spec + "}")
    return "".join(template)


def _constant_spec(spec: ast.JoinedStr) -> bool:
    return len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def test_keyed_raise_sites_say_what_their_english_catalog_entry_says():
    checked, different = 0, []
    for site in raise_sites():
        key = next((k.value for k in site.call.keywords if k.arg == "message_key"), None)
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue  # a conditional or a helper's key: tests/test_i18n_errors.py renders those
        template = english_template(site.call)
        if template is None:
            continue
        checked += 1
        if template != catalog(Lang.EN)[key.value]:
            different.append(f"{site.where}: {key.value}\n  raise site: {template}\n  catalog:    "
                             f"{catalog(Lang.EN)[key.value]}")
    assert checked > 200
    assert not different, "\n".join(different)


# --- real failures of the forms that took keys last ---------------------------------------------------


def refusal(action) -> SpeechLabelError:
    with pytest.raises(SpeechLabelError) as caught:
        action()
    return caught.value


def upload(name: str, text: str):
    return lambda: scheme_from_upload(SchemeUpload(name, text.encode("utf-8")))


@pytest.mark.parametrize(("name", "text", "korean"), [
    ("factory.toml", 'name = "factory"\nbase = ', "factory.toml: 올바른 TOML이 아닙니다: "),
    ("factory.json", '{"name": "factory",}', "factory.json: 올바른 JSON이 아닙니다: "),
    ("factory.toml", 'name = "factory"\nbase = "kspon"\ncolour = "red"\n',
     "factory.toml 파일: 규칙: 알 수 없는 키 'colour'입니다. 허용되는 키: name, base, "),
    ("factory.toml", 'name = "factory"\n', "factory.toml 파일: 규칙에 태그가 없습니다. "),
    ("factory.toml", 'name = "factory"\n[[tags]]\ntag = "[door]"\nkind = "noise"\nsize = 3\n',
     "factory.toml 파일: 1번째 태그: 알 수 없는 키 'size'입니다."),
    ("factory.toml", 'name = "factory"\n[[tags]]\ntag = "door"\nkind = "noise"\n',
     "factory.toml 파일: 1번째 태그: 태그 'door'은(는) 검사기가 아는 형식으로 쓰이지 않았습니다. 다음 형식으로 쓰세요: `x/`"),
    ("factory.toml", 'name = "factory"\n[[tags]]\ntag = "[door]"\nkind = "noise"\nhotkey = "Ctrl+Enter"\n',
     "factory.toml 파일: '[door]'의 단축키 Ctrl+Enter은(는) 라벨링 페이지의 '저장 후 다음' 키입니다."),
    ("factory.txt", "", "factory.txt: 규칙 파일은 `.toml` 또는 `.json`으로 끝나야 합니다."),
    ("factory.toml", "x" * (256 * 1024 + 1), "factory.toml: 262145바이트입니다."),
])
def test_a_bad_scheme_file_is_explained_in_korean(name, text, korean):
    error = refusal(upload(name, text))
    assert isinstance(error, SchemeFileError)
    assert assert_in_korean(error).startswith(korean)


def test_a_bad_scheme_file_on_disk_and_in_the_form_in_korean(store, project, tmp_path):
    assert assert_in_korean(refusal(lambda: load_scheme_file(tmp_path / "missing.toml"))).startswith(
        f"규칙 파일 {tmp_path / 'missing.toml'}을(를) 읽을 수 없습니다: ")
    assert assert_in_korean(refusal(lambda: save_convention_form(store, SYSTEM, project, "file", True))).startswith(
        "올린 규칙 파일이 없습니다.")
    assert "알 수 없는 태그 규칙 선택 'ksponspeech'" in assert_in_korean(
        refusal(lambda: save_convention_form(store, SYSTEM, project, "ksponspeech", True)))


def test_bad_project_options_are_explained_in_korean(store, tmp_path):
    assert assert_in_korean(refusal(lambda: TranscribeOptions(beam_size=0))) == (
        "beam_size은(는) 1에서 16 사이의 정수여야 합니다. 받은 값: 0")
    assert "알 수 없는 엔진 'whisper.cpp'" in assert_in_korean(refusal(lambda: TranscribeOptions(engine="whisper.cpp")))
    assert "Whisper 언어 코드가 아닙니다" in assert_in_korean(refusal(lambda: TranscribeOptions(language="xx")))
    assert "openai-whisper에서 쓸 수 없습니다" in assert_in_korean(
        refusal(lambda: TranscribeOptions(engine="openai-whisper", compute_type="int8")))
    assert "모델은 비어 있지 않은 이름이나 디렉터리" in assert_in_korean(refusal(lambda: TranscribeOptions(model=" ")))
    assert "용어집의 용어 'x" in assert_in_korean(refusal(lambda: TranscribeOptions(glossary=("x" * 101,))))
    short = SegmentOptions(max_duration=0.5)
    assert assert_in_korean(refusal(lambda: create_project(store, "calls", segment_options=short, actor=SYSTEM))) == (
        "최대 세그먼트 길이(`max_duration`)는 1초 이상이어야 합니다. 받은 값: 0.5")
    assert "절반 이하" in assert_in_korean(refusal(SegmentOptions(min_duration=5.0, max_duration=6.0).validate))
    assert "알 수 없는 분할 설정: loudness" in assert_in_korean(refusal(lambda: SegmentOptions.from_dict({"loudness": 1})))
    assert assert_in_korean(refusal(lambda: validate_glossary([f"term {n}" for n in range(1001)]))).startswith(
        "용어집에 용어가 1001개 있습니다.")
    assert "UTF-8 텍스트가 아닙니다" in assert_in_korean(refusal(lambda: read_glossary(_latin1(tmp_path))))


def _latin1(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.txt"
    path.write_bytes("café".encode("latin-1"))
    return path


def test_a_bad_export_name_is_explained_in_korean():
    recordings = SafeNames(what="recording id")
    recordings("Rec1")
    assert assert_in_korean(refusal(lambda: recordings("rec1"))) == (
        "녹음 식별자 'Rec1'와(과) 'rec1'이(가) 내보내기에서 같은 이름 'rec1'이(가) 됩니다. 둘 중 하나의 이름을 바꾸세요.")
    speakers = SafeNames(what="speaker")
    speakers("Ana")
    assert assert_in_korean(refusal(lambda: speakers("ana"))).startswith("화자 'Ana'와(과) 'ana'")


def test_a_missing_recording_is_explained_in_korean(store):
    assert assert_in_korean(refusal(lambda: store.get_recording("nope"))) == "녹음 'nope'이(가) 없습니다."


def test_a_nested_problem_and_a_phrase_render_in_english_exactly_as_raised():
    error = refusal(upload("factory.toml", 'name = "factory"\n[[tags]]\ntag = "[door]"\nkind = "noise"\n'
                                           'hotkey = "Ctrl+Z"\n'))
    assert str(error) == "factory.toml: hotkey Ctrl+Z of '[door]' is the label page's 'undo'; choose another"
    assert "'실행 취소' 키입니다" in assert_in_korean(error)
    assert isinstance(error.params["error"], ValidationError)  # the problem itself, rendered in each language
