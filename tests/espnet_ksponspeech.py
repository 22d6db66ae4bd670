"""ESPnet's KsponSpeech transcript parser, ported for the tests: the linter must accept only
lines this parser keeps, and keep them as the text variants say.

Source: espnet/espnet, egs2/ksponspeech/asr1/local/get_transcriptions.py at commit
cf6342cf4a2cfc7a53f996a8a2b4da9e9a8c5424 (Copyright 2020 ETRI, Jeong-Uk Bang; Apache 2.0).
The recipe runs it as ``--type df --unk-sym '[unk]'`` with the default ``--notation-type char``
(local/trans_prep.sh). The script works in five stages over a whole file, writing
``{utt} :: {text}`` between stages and splitting each line again on whitespace
(``split_fn_trans``); a stage-3 "INVALID EXPR" line and a line empty after stage 5 are dropped.
The regular expressions below are copied unchanged, including stage 3's ``[\\(\\)]]`` (it only
catches ``(]`` and ``)]``, so most leftover parentheses pass through). File I/O and logging
are left out; each function takes and returns one transcript.
"""

from __future__ import annotations

import re


def parse_transcript(text: str, type: str = "df", notation: str = "char", unk_sym: str = "[unk]") -> str | None:
    """The transcript as the recipe writes it to ``text.trn``, or None when it drops the line."""
    line = _resplit(text)
    line = _resplit(_stage1_meta_symbols(line, unk_sym))
    line = _resplit(_stage2_repeat_symbols(line, type))
    line = _stage3_notation(line, notation)
    if line is None:
        return None
    line = _resplit(line)
    line = _resplit(_stage4_filler_words(line, type))
    return _stage5_punctuation(line, type)


def _resplit(trans: str) -> str:
    """What ``split_fn_trans`` does to the text when the next stage reads the line back."""
    return " ".join(trans.split())


def _stage1_meta_symbols(trans: str, unk_sym: str) -> str:
    line = trans.replace("*", "").strip()  # symbol for noisy speech
    line = line.replace("o/", "").strip()  # symbol for overlapped signals
    line = line.replace("l/", "").strip()  # symbol for laugh signals
    line = line.replace("b/", "").strip()  # symbol for breath signals
    line = line.replace("n/", "").strip()  # symbol for noise signals
    line = line.replace("u/", unk_sym).strip()  # symbol for unknown words
    return " ".join(line.split())


def _stage2_repeat_symbols(trans: str, type: str) -> str:
    line = trans.replace(" +", "+ ").strip()  # fix the notation errors ('w1 +w2' -> 'w1+ w2')
    if type == "fl":  # remove repeated words
        line = re.sub(r"\(([^\)]+)\)/\(([^\)]+)\)[^ \+]*\+", "", line).strip()
        line = re.sub(r"[^ \+]+[\+]($|\s)", " ", line).strip()
        line = re.sub(r".*\+.*", "", line).strip()  # remove error sentences ('w1+w2' -> '')
    elif type == "df":  # remain repeated words
        line = re.sub(r"\(([^\)]+)\)/\(([^\)]+)\)([^ \+]*)\+", r"(\1)/(\2)\3", line).strip()
        line = re.sub(r"([^ \+]+)[\+]($|\s)", r"\1 ", line).strip()
        line = re.sub(r"([^ \+]+)[\+](\,|\.|\?|\!)", r"\1\2", line).strip()
        line = re.sub(r".*\+.*", "", line).strip()  # remove mis-used special symbol ('w1+w2' -> '')
    else:
        line = line.strip()
    return " ".join(line.split())


def _stage3_notation(trans: str, notation: str) -> str | None:
    line = re.sub(r"\)\s*/\s*\(", r")/(", trans)
    if notation == "char":
        line = re.sub(r"\(([^\)]+)\)/\(([^\)]+)\)", r"\1", line)  # ($1)/($2) -> $1
    else:
        line = re.sub(r"\(([^\)]+)\)/\(([^\)]+)\)", r"\2", line)  # ($1)/($2) -> $2
    if re.search(r"[\(\)]]", line):
        return None  # "INVALID EXPR": the line is skipped
    return line.strip()


def _stage4_filler_words(trans: str, type: str) -> str:
    if type == "fl":
        return re.sub(r"[^ \+]+[\/]", "", trans).strip()  # remove filler words ('/')
    if type == "df":
        return re.sub(r"([^ \+]+)[\/]", r"\1", trans).strip()  # remain filler words ('/')
    return trans.strip()


def _stage5_punctuation(trans: str, type: str) -> str | None:
    line = trans.upper()
    line = re.sub(r"^[\,\.\?\!]+ ", " ", line).strip()  # '. w1' -> 'w1'
    line = re.sub(r" [\,\.\?\! ]+ ", " ", line).strip()  # 'w1 . w2 ' -> 'w1 w2'
    line = re.sub(r" [\,\.\?\!]+$", " ", line).strip()  # 'w1 .' -> 'w1'
    line = re.sub(r"(^| )[\,\.\?\!]([^ ]+)", r" \2", line).strip()  # '.w1' -> 'w1'
    line = re.sub(r"^[\,\.\?\!]$", "", line).strip()  # if the line has only '.', remove it
    line = line.replace("#", "").strip()
    line = line.replace("/", "").strip() if type != "dt" else line.strip()
    line = " ".join(line.split())
    return line or None  # empty lines are not written
