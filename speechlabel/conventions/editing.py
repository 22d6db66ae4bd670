"""Inserting a tag where the labeler's caret is (a tag button or its hotkey on the label page).

``start``/``end`` are the selection in the transcript box (equal when nothing is selected); the
result is the new text and where the caret goes. Each form goes where it belongs: a word of its
own between words (never splitting one), a mark at the end or start of the word at the caret,
a code tag around the selected words, ``o/`` at the very start.
"""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.conventions.schemes import SENTENCE_PUNCTUATION, Content, Tag, TagForm
from speechlabel.conventions.syntax import PieceKind, parse
from speechlabel.core.errors import ValidationError


@dataclass(frozen=True)
class Insertion:
    text: str
    caret: int


def insert_tag(text: str, tag: Tag, start: int, end: int | None = None) -> Insertion:
    end = start if end is None else end
    _check_selection(text, start, end)
    if tag.at_start:
        if text.startswith(tag.text):
            return Insertion(text, start)
        added = tag.text + (" " if text and not text[0].isspace() else "")
        return Insertion(added + text, start + len(added))
    if tag.form == TagForm.SUFFIX:
        return _suffix(text, tag.text, start, end)
    if tag.form == TagForm.PREFIX:
        return _prefix(text, tag.text, start)
    if tag.form == TagForm.CODE and tag.content != Content.NONE:
        selected = text[start:end].strip()
        if selected:
            return _between_words(text[:start], f"({tag.code}:{selected})", text[end:], caret_back=0)
        before, after = _split_at_word_end(text, start)
        return _between_words(before, f"({tag.code}:)", after, caret_back=1)
    before, after = _split_at_word_end(text, start)
    return _between_words(before, tag.text, after, caret_back=0)


def insert_dual(text: str, start: int, end: int | None = None) -> Insertion:
    """``(selection)/()`` with the caret in the pronunciation side, or ``()/()`` with the caret
    in the spelling side. No spaces are added: a particle may follow (``(1시)/(한 시)에``)."""
    end = start if end is None else end
    _check_selection(text, start, end)
    selected = text[start:end]
    if selected.strip():
        inserted = f"({selected.strip()})/()"
        return Insertion(text[:start] + inserted + text[end:], start + len(inserted) - 1)
    return Insertion(text[:start] + "()/()" + text[start:], start + 1)


def accept_dual(text: str, start: int, end: int | None = None) -> Insertion:
    """The labeler keeps the next proposed dual transcription (``draft_style`` writes numbers as
    ``(70%)/(칠십 퍼센트)``) that holds or follows the caret: its sides' spacing is tidied and the
    caret goes past it, so the next press goes on to the next proposal. None left: nothing moves."""
    end = start if end is None else end
    _check_selection(text, start, end)
    for word in parse(text):
        for piece in word.pieces:
            if piece.kind == PieceKind.DUAL and piece.end > start:
                tidy = "({})/({})".format(*(" ".join(side.split()) for side in piece.parts))
                return Insertion(text[: piece.start] + tidy + text[piece.end :], piece.start + len(tidy))
    return Insertion(text, end)


def _check_selection(text: str, start: int, end: int) -> None:
    if not isinstance(text, str):
        raise ValidationError(message_key="error.text_not_string", params={"type": type(text).__name__})
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        raise ValidationError(
            message_key="error.selection_outside", params={"start": start, "end": end, "length": len(text)}
        )


def _split_at_word_end(text: str, at: int) -> tuple[str, str]:
    """Split at ``at``, moved to the end of the word it falls inside so no word is cut."""
    while 0 < at < len(text) and not text[at - 1].isspace() and not text[at].isspace():
        at += 1
    return text[:at], text[at:]


def _between_words(before: str, inserted: str, after: str, caret_back: int) -> Insertion:
    """``inserted`` as a word of its own; the caret after it and the space that follows, ready
    for the next word (or ``caret_back`` characters before its end, inside an empty code tag)."""
    left = " " if before and not before[-1].isspace() else ""
    right = " " if after and not after[0].isspace() else ""
    new_before = before + left + inserted
    text = new_before + right + after
    if caret_back:
        return Insertion(text, len(new_before) - caret_back)
    caret = len(new_before)
    return Insertion(text, caret + 1 if caret < len(text) and text[caret].isspace() else caret)


def _word_bounds(text: str, at: int) -> tuple[int, int] | None:
    """The word at ``at``: the one it is inside or touches, else the nearest before it."""
    if (at == len(text) or text[at].isspace()) and (at == 0 or text[at - 1].isspace()):
        while at > 0 and text[at - 1].isspace():
            at -= 1
        if at == 0:
            return None
    begin = at
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    finish = at
    while finish < len(text) and not text[finish].isspace():
        finish += 1
    return begin, finish


def _suffix(text: str, mark: str, start: int, end: int) -> Insertion:
    bounds = _word_bounds(text, max(start, end))
    if bounds is None:
        return Insertion(text, start)
    begin, finish = bounds
    at = finish
    while at > begin and text[at - 1] in SENTENCE_PUNCTUATION:  # 모+, not 모,+
        at -= 1
    if text[begin:at].endswith(mark):
        return Insertion(text, finish)
    return Insertion(text[:at] + mark + text[at:], finish + len(mark))


def _prefix(text: str, mark: str, start: int) -> Insertion:
    bounds = _word_bounds(text, start)
    if bounds is None:
        return Insertion(text, start)
    begin, finish = bounds
    if text[begin:].startswith(mark):
        return Insertion(text, finish)
    return Insertion(text[:begin] + mark + text[begin:], finish + len(mark))
