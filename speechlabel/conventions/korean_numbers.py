"""Numbers read out in Korean words, for the suggested pronunciation side ``(70%)/(칠십 퍼센트)``.

``read_number`` reads Sino-Korean; ``read_counted`` takes the counter after the number into
account (``(3시)/(세 시)``, ``(6월)/(유월)``) for the counters listed here, and ``read_digits``
reads phone-like numbers digit by digit. Only a suggestion: a counter can be read either way
(``3번 출구`` is 삼 번), which the labeler corrects; the suggestion saves typing the common case.
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
        words = _digit_by_digit(whole)
    else:
        words = read_integer(int(whole))
    if fraction:
        words += " 점 " + "".join(_DIGITS[int(digit)] for digit in fraction)
    return words + (" 퍼센트" if percent else "")


def _digit_by_digit(digits: str) -> str:
    return "".join("공" if digit == "0" else _DIGITS[int(digit)] for digit in digits)


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


# --- counted numbers: the reading a counter asks for ---------------------------------------------

# Native Korean numbers as they are said before a counter (한 개, not 하나 개; 스무 살).
_NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")
# Counters read with native numbers up to 99 (above, Sino-Korean: 백 명). Longest first where
# one starts another, so 시간 is found before 시.
# 대 is left out: 20대 is more often "the twenties" (이십 대) than twenty cars.
NATIVE_COUNTERS = ("시간", "시", "개", "명", "살", "번째", "번", "마리", "잔", "권", "장", "달", "가지", "군데", "병")
# Counters read with Sino-Korean numbers; 개월 before 개 (삼 개월, but 세 개).
SINO_COUNTERS = (
    "개월",
    "년",
    "월",
    "일",
    "분",
    "초",
    "원",
    "층",
    "호",
    "회",
    "도",
    "주년",
    "주",
    "학년",
    "세",
    "배",
    "퍼센트",
)
_MONTHS = {6: "유월", 10: "시월"}  # the two months whose reading drops a sound
# A written number glued to the counter after it (3시, 70%, 1,000원, 2024년).
COUNTED = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?)(?P<counter>"
    + "|".join(sorted(NATIVE_COUNTERS + SINO_COUNTERS, key=len, reverse=True))
    + r")?"
)
# Phone-like numbers: groups of digits joined by hyphens (010-1234-5678, 02-123-4567).
DIGIT_STRING = re.compile(r"\d{2,4}(?:-\d{3,4}){1,2}")


def read_native(value: int) -> str | None:
    """``3`` -> ``"세"``, ``20`` -> ``"스무"``, ``21`` -> ``"스물한"``: 1-99 as said before a
    counter; None outside 1-99 (there Koreans use Sino-Korean numbers)."""
    if not 1 <= value <= 99:
        return None
    tens, ones = divmod(value, 10)
    if value == 20:
        return "스무"
    return _NATIVE_TENS[tens] + _NATIVE_ONES[ones]


def read_counted(written: str, counter: str = "") -> str:
    """A number with the counter after it, as said: ``("3", "시")`` -> ``"세 시"``,
    ``("70%", "")`` -> ``"칠십 퍼센트"``, ``("6", "월")`` -> ``"유월"``, ``("1", "번째")`` ->
    ``"첫 번째"``. Native readings only for whole numbers 1-99 (hours 1-12); the rest Sino-Korean."""
    whole = written.replace(",", "")
    value = int(whole) if whole.isdigit() and not (len(whole) > 1 and whole.startswith("0")) else None
    if counter == "월" and value in _MONTHS:
        return _MONTHS[value]
    if counter == "월" and value is not None:
        return read_number(written) + "월"  # a month is one word: 삼월
    native = _native_reading(value, counter) if counter in NATIVE_COUNTERS else None
    words = native if native is not None else read_number(written)
    return f"{words} {counter}" if counter else words


def _native_reading(value: int | None, counter: str) -> str | None:
    if value is None or (counter == "시" and value > 12):
        return None
    if counter == "번째" and value == 1:
        return "첫"
    return read_native(value)


def read_digits(written: str) -> str:
    """A phone-like number digit by digit, its groups as words: ``"010-1234"`` -> ``"공일공 일이삼사"``."""
    return " ".join(_digit_by_digit(group) for group in written.split("-") if group)
