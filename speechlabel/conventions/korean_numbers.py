"""Numbers read out in Sino-Korean words, for the suggested pronunciation side ``(70%)/(칠십 퍼센트)``.

Only a suggestion: counters often take native Korean numbers (``(3)/(세) 번``), which the
labeler corrects; the suggestion saves typing the common case.
"""

from __future__ import annotations

import re

_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("", "십", "백", "천")
_LARGE_UNITS = ("", "만", "억", "조", "경")
# A number as written: 1,000 and 3.14 and 70% included.
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?")


def read_number(written: str) -> str:
    """``"70%"`` -> ``"칠십 퍼센트"``, ``"0.1"`` -> ``"영 점 일"``, ``"12,345"`` -> ``"만 이천삼백사십오"``.

    A number with a leading zero (``010``) or more than 20 digits is read digit by digit, as
    phone and serial numbers are (0 as 공).
    """
    percent = written.endswith("%")
    number = written.rstrip("%").replace(",", "")
    whole, _, fraction = number.partition(".")
    if len(whole) > 1 and whole.startswith("0") or len(whole) > 20:
        words = "".join("공" if digit == "0" else _DIGITS[int(digit)] for digit in whole)
    else:
        words = read_integer(int(whole))
    if fraction:
        words += " 점 " + "".join(_DIGITS[int(digit)] for digit in fraction)
    return words + (" 퍼센트" if percent else "")


def read_integer(value: int) -> str:
    if value == 0:
        return "영"
    groups = []
    for unit in _LARGE_UNITS:
        value, group = divmod(value, 10_000)
        if group:
            words = _read_group(group)
            # 만 alone, not 일만; but 일억, 일조 (as Koreans read them).
            groups.append(("" if words == "일" and unit == "만" else words) + unit)
        if not value:
            break
    return " ".join(reversed(groups))


def _read_group(group: int) -> str:
    """A number below 10,000: 1 before 십/백/천 is silent (십, not 일십)."""
    words = []
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit:
            words.append(("" if digit == 1 and position else _DIGITS[digit]) + _SMALL_UNITS[position])
    return "".join(words)


def read_numbers_in(text: str) -> str:
    """Every number in ``text`` read out; other characters kept (``3시`` -> ``삼시``)."""
    return NUMBER.sub(lambda match: read_number(match.group()), text)
