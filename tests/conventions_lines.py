"""Realistic transcripts for the convention tests: KsponSpeech-style lines in the shape of the
corpus's own (tags, fillers, repetitions, dual transcriptions with particles glued on), AI Hub
conversational lines and English lines, plus a seeded generator of KsponSpeech-like lines with
the mistakes labelers make (marks in the wrong place, glued tags, broken dual transcriptions).
"""

from __future__ import annotations

import random

# Lines a KsponSpeech labeler could submit: no lint problems at all.
KSPON_GOOD = (
    "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/",
    "o/ b/ 그게 (0.1프로)/(영 점 일 프로) 가정의 아이들과 가정의 모습이야? b/",
    "n/ 아/ 근데 (1시)/(한 시)에 닫는 게 쫌 아쉽긴 한데 거기 진짜 괜찮은데 b/",
    "까* 오히려 사원 이런 것보다는 b/ 대신 돔* 먹+ 먹, 음식 거리",
    "o/ 나도 몰라. 나 그/ (3G)/(쓰리 쥐)* 하나도 안 봤음. 어.",
    "한+ 한+ 한 시간에 이 만 원? 거의 이 정도로 이 정도란 말이야. b/",
    "나는 악습은 원래 없어진다+ 없어져야 된다고 생각하긴 했는데",
    "o/ 그래가지고 진짜 차 사야겠다 아니 뭐/ 차 안 되면 스쿠터라도 타야되겠다 막/ 그런 생각 들더라구 b/",
    "l/ 아/ 진짜? 나 그거 u/ 몰랐어 l/",
    "(LTE)/(엘티이) 요금제가 (5만)/(오 만) 원이 넘어.",
    "음/ 그러니까 (2019년)/(이천십구 년)에 처음 갔었는데 b/ 그때는 사람이 별로 없었어",
    "u/ 그래서 그/ 거기까지 (3)/(세) 시간 걸렸어",
    "어/ 그 (KTX)/(케이티엑스) 타고 가면 한 (2시간)/(두 시간)이면 가.",
    "너 뭐 강남 자주 가?",
    "n/ (3)/(삼)번 라인 컨베이어가 점심 이후에 또 멈췄어요 n/",
    "b/ 내일 아침 (7시)/(일곱 시)에 알람 맞춰 줄래?",
    "온도를 (21도)/(이십일 도)로 맞춰 주세요",
    "(3)/(세)번+ (3)/(세)번 말했잖아",
    "아/ 그게 뭐였지* 그/ 그/ 아/ 맞다 l/",
    "u/",
    "아/",
)

AIHUB_GOOD = (
    "(NO:) 그래서 (FP:음) 제가 (SP:그렇게) 말했잖아요 (SN:)",
    "(FP:어) 내일 (10시)/(열 시)에 회의가 있어서 70% 정도만 준비했어요.",
    "(SP:) 다시 한 번 말씀해 주시겠어요?",
    "(SN:) 네 알겠습니다 (NO:)",
)

GENERIC_GOOD = (
    "[noise] so %um I was like [laughter] going to the store",
    "machine number 7 stopped again after lunch [music]",
    "can you %uh remind me to call the supplier at 4? [unintelligible]",
    "[crosstalk] well-known issue, don't worry [cough]",
)

_WORDS = (
    "아",
    "모",
    "몬",
    "소리야",
    "그게",
    "가정의",
    "확률이라니",
    "근데",
    "쫌",
    "먹",
    "음식",
    "거리",
    "시간에",
    "이",
    "만",
    "원",
)
_PIECES = (
    "b/",
    "l/",
    "n/",
    "o/",
    "u/",
    "(70%)/(칠십 퍼센트)",
    "(1시)/(한 시)에",
    "(3G)/(쓰리 쥐)",
    "(0.1프로)/(영 점 일 프로)",
    "+",
    "/",
    "*",
    "(",
    ")",
    "()/(칠십)",
    "(A)",
    ".",
    ",",
    "?",
    "N/",
    "x/",
    "70%",
    "LTE",
    "#",
    "[noise]",
    "(NO:)",
    "(A) / (B)",
    "(a/s)/(에이에스)",
    "(1+1)/(일 더하기 일)",
    "ㅋㅋ",
    "\u200b",
    "(칠 십)/(칠십)",
    "(3)/(세)번",
    "약(70%)/(칠십 퍼센트)",
    "(LTE)/(엘티이)",
    "(no)/(노)",
    "(5*3)/(오 곱하기 삼)",
    "(iPhone)/(아이폰)",
)
_MARKS = ("", "", "", "+", "/", "*", "+,", "/.", "?", "+/", "/+", "++", "*+")


def generated_kspon_lines(count: int, seed: int) -> list[str]:
    """KsponSpeech-like lines, about one in five without errors, the rest with typical mistakes:
    words with marks, tags and dual transcriptions joined by one space, none or two."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.55:
                words.append(rng.choice(_WORDS) + rng.choice(_MARKS))
            else:
                words.append(rng.choice(_PIECES) + (rng.choice(_MARKS) if rng.random() < 0.2 else ""))
        separators = [rng.choice((" ", " ", " ", " ", "", "  ")) for _ in words]
        line = "".join(word + separator for word, separator in zip(words, separators))
        lines.append(line.strip() if rng.random() < 0.9 else line)
    return lines
