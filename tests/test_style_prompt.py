"""The style prompt (issue 20 point 0): checked, defaulted per language, stored per project,
edited by the command line and by leads, and read by the real engine before every window."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.prelabel.engines.options import MAX_NEW_TOKENS, MIN_NEW_TOKENS, TranscribeOptions, max_new_tokens
from speechlabel.prelabel.engines.style_prompt import (
    KOREAN_DEFAULT,
    MAX_STYLE_PROMPT_TOKENS,
    PROMPT_BUDGET_TOKENS,
    default_style_prompt,
    style_prompt_from_input,
    token_count,
)
from speechlabel.prelabel.project_options import transcribe_options_for
from speechlabel.prelabel.transcribe import get_engine
from speechlabel.projects.manage import create_project, update_style_prompt
from tests.command_line import run

# Lower case, no punctuation, nothing JFK says: Whisper copies the style, not the words.
PLAIN_STYLE = "we went to the market and bought some bread then we walked home"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"style_prompt": "spoken\x07text"}, "error.style_prompt_control"),
        ({"style_prompt": "go " * 190}, "error.style_prompt_tokens"),
        ({"style_prompt": "가" * 601}, "error.style_prompt_chars"),
        ({"style_prompt": 3}, "error.style_prompt_type"),
        ({"repetition_penalty": 0.9}, "error.repetition_penalty"),
        ({"repetition_penalty": True}, "error.repetition_penalty"),
        ({"no_repeat_ngram_size": -1}, "error.option_whole_number"),
        ({"tokens_per_second": 0.5}, "error.tokens_per_second"),
    ],
)
def test_options_refuse_bad_prompts_and_guards(changes, key):
    with pytest.raises(ValidationError) as refused:
        TranscribeOptions(**changes)
    assert refused.value.message_key == key


def test_options_keep_prompt_and_guards_through_their_json():
    options = TranscribeOptions(style_prompt=KOREAN_DEFAULT, repetition_penalty=1.1, tokens_per_second=8)
    assert TranscribeOptions.from_dict(options.to_dict()) == options
    assert TranscribeOptions.from_dict({}).style_prompt == ""  # options stored before the prompt


def test_token_limit_scales_with_the_window_and_stays_inside_whisper_context():
    assert max_new_tokens(TranscribeOptions(tokens_per_second=0), 3.0) is None
    options = TranscribeOptions(tokens_per_second=10)
    assert max_new_tokens(options, 2.0) == MIN_NEW_TOKENS + 20
    assert max_new_tokens(options, 28.0) == MAX_NEW_TOKENS
    assert MAX_NEW_TOKENS + PROMPT_BUDGET_TOKENS + 5 <= 448  # prompt, its start tokens, the decode


def test_defaults_per_language_and_what_a_lead_types():
    assert default_style_prompt("ko") == KOREAN_DEFAULT
    assert default_style_prompt("en") == default_style_prompt(None) == ""
    assert style_prompt_from_input("  ", "ko") == KOREAN_DEFAULT
    assert style_prompt_from_input("None", "ko") == ""
    assert style_prompt_from_input(" 음 네.\n그렇죠. ", "ko") == "음 네. 그렇죠."


def test_korean_default_is_spoken_korean_as_kspon_references_write_it():
    # Hangul, spaces and sentence punctuation only: numbers read out, no digits, Latin or tags.
    assert re.fullmatch(r"[가-힣 .,?]+", KOREAN_DEFAULT)
    words = KOREAN_DEFAULT.replace(".", " ").split()
    assert {"어", "음", "그", "뭐"} <= set(words)
    assert token_count(KOREAN_DEFAULT) <= MAX_STYLE_PROMPT_TOKENS // 2  # leaves most of the budget to a glossary


def test_projects_store_the_prompt_and_leads_change_it(store, project, rita):
    korean = create_project(store, "ko-calls", language="ko", actor=SYSTEM)
    assert transcribe_options_for(korean).style_prompt == KOREAN_DEFAULT
    english = create_project(store, "en-calls", language="en", actor=SYSTEM, style_prompt="Um, okay. Yeah.")
    assert transcribe_options_for(english).style_prompt == "Um, okay. Yeah."
    off = create_project(store, "ko-off", language="ko", actor=SYSTEM, style_prompt="none")
    assert transcribe_options_for(off).style_prompt == ""
    changed = update_style_prompt(store, SYSTEM, "ko-off", "")
    assert (
        store.get_project("ko-off").engine_options["style_prompt"]
        == KOREAN_DEFAULT
        == changed.engine_options["style_prompt"]
    )
    with pytest.raises(Forbidden):
        update_style_prompt(store, rita, project, "none")  # a reviewer, not a lead
    assert store.get_project(project.name).engine_options == project.engine_options
    with pytest.raises(ValidationError):
        update_style_prompt(store, SYSTEM, "ko-off", "x\x1b[31m")
    assert store.get_project("ko-off").engine_options["style_prompt"] == KOREAN_DEFAULT


def test_command_line_sets_shows_and_turns_off_the_prompt(data_dir, capsys):
    assert run(data_dir, "project", "create", "calls", "--language", "ko") == 0
    assert repr(KOREAN_DEFAULT) in capsys.readouterr().out
    assert run(data_dir, "project", "settings", "calls", "--style-prompt", "음 그러니까 네.") == 0
    assert "style prompt: '음 그러니까 네.'" in capsys.readouterr().out
    assert run(data_dir, "project", "settings", "calls", "--style-prompt", "none") == 0
    assert "style prompt: (none)" in capsys.readouterr().out
    assert run(data_dir, "project", "create", "en-calls", "--language", "en", "--style-prompt", "Okay.") == 0
    assert "style prompt: 'Okay.'" in capsys.readouterr().out
    assert run(data_dir, "project", "settings", "calls", "--style-prompt", "a\x07b") != 0
    assert "control character" in capsys.readouterr().err


@pytest.fixture(scope="module")
def jfk(speech_dir):
    return load_mono_16k(speech_dir / "en" / "jfk.wav")


def test_the_prompt_reaches_every_window_of_the_real_engine(jfk):
    plain = TranscribeOptions(language="en")
    styled = replace(plain, style_prompt=PLAIN_STYLE)
    engine = get_engine(plain)
    before = engine.transcribe(jfk, plain).text
    assert "," in before and "Americans" in before  # Whisper's own style: cased and punctuated
    assert before.startswith("And so")
    draft = engine.transcribe(jfk, styled)
    assert draft.text.startswith("and so")  # the prompt's lower case
    assert draft.options["style_prompt"] == PLAIN_STYLE  # provenance: the draft says what it was read with
    # Packed windows go through the batched decode: the prompt reaches each of them.
    for prompt, comma in (("", True), (PLAIN_STYLE, False)):
        decoded = engine.decode_batch([jfk, jfk], replace(plain, style_prompt=prompt), word_timestamps=True)
        texts = [" ".join(segment.text for segment in found) for found, _ in decoded]
        assert [("Americans," in text) for text in texts] == [comma, comma], texts


def test_a_long_glossary_leaves_the_prompt_its_end_within_the_budget():
    options = TranscribeOptions(language="en", style_prompt=PLAIN_STYLE, tokens_per_second=10)
    engine = get_engine(options)
    arguments = engine.prompt_arguments(options, 3.0)
    assert arguments["initial_prompt"] == PLAIN_STYLE and arguments["max_new_tokens"] == MIN_NEW_TOKENS + 30
    glossary = tuple(f"Conveyor{n} station" for n in range(36))
    arguments = engine.prompt_arguments(replace(options, glossary=glossary), 3.0)
    prompt = arguments["initial_prompt"]
    hotwords = len(engine._encode(" " + arguments["hotwords"]))
    assert hotwords < PROMPT_BUDGET_TOKENS and prompt and PLAIN_STYLE.endswith(prompt) and prompt != PLAIN_STYLE
    assert hotwords + len(engine._encode(" " + prompt)) <= PROMPT_BUDGET_TOKENS
    # A glossary past the budget on its own (faster-whisper cuts it) leaves the prompt nothing.
    glossary = tuple(f"Conveyor{n} station" for n in range(60))
    assert engine.prompt_arguments(replace(options, glossary=glossary), 3.0)["initial_prompt"] is None
