"""Vietnamese text: NFC normalisation, alphabetical order, Decree 30/2020 dates and numbers.

Pure functions, no Django imports: used by forms, models, the SQLite collation and the
document renderer alike.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache

# The Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y),
# with the Latin letters Vietnamese does not use (f j w z) slotted in Latin order so
# foreign names still sort sensibly.
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}

# Vowel-shape marks that make a new letter (ă â ê ô ơ ư) versus tone marks, which only
# weigh when the letters are otherwise equal. Tone order as in dictionaries and in ICU's
# vi collation: ngang < huyền < hỏi < ngã < sắc < nặng.
_SHAPE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

# Character classes in ICU's root order: whitespace < punctuation < symbols < digits < letters.
_SPACE, _PUNCT, _SYMBOL, _DIGIT, _LETTER = range(5)


def nfc(value: str) -> str:
    """Return *value* in Unicode NFC: pasted and PDF-extracted text often arrives as NFD."""
    return unicodedata.normalize("NFC", value)


def _char_class(ch: str) -> int:
    category = unicodedata.category(ch)
    if ch.isspace():
        return _SPACE
    if category.startswith("P"):
        return _PUNCT
    if category.startswith("N"):
        return _DIGIT
    return _SYMBOL


@lru_cache(maxsize=65536)
def sort_key(value: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]:
    """A key that orders strings as a Vietnamese reader (and PostgreSQL's ``vi-x-icu``) does.

    Three levels, compared one after the other: letters, then tones, then case.
    """
    primary: list[tuple[int, int]] = []
    tones: list[int] = []
    case: list[int] = []
    for base in unicodedata.normalize("NFC", value):
        decomposed = unicodedata.normalize("NFD", base)
        head, marks = decomposed[0], decomposed[1:]
        lower = head.lower()
        shape = "".join(m for m in marks if m in _SHAPE_MARKS)
        letter = unicodedata.normalize("NFC", lower + shape) if shape else lower
        if letter in _LETTER_RANK:
            primary.append((_LETTER, _LETTER_RANK[letter]))
            tones.append(max((_TONE_RANK.get(m, 0) for m in marks), default=0))
            case.append(0 if head == lower else 1)
        elif head.isalpha():
            primary.append((_LETTER, len(_ALPHABET) + ord(lower)))
            tones.append(0)
            case.append(0 if head == lower else 1)
        else:
            cls = _char_class(head)
            rank = int(head) if cls == _DIGIT and head.isdigit() else ord(head)
            primary.append((cls, rank))
            tones.append(0)
            case.append(0)
    return tuple(primary), tuple(tones), tuple(case)


def collate(left: str, right: str) -> int:
    """Three-way comparison for ``sqlite3.Connection.create_collation``."""
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def sorted_vi(items, key=lambda item: item):
    """Sort any iterable in Vietnamese order of ``key(item)``."""
    return sorted(items, key=lambda item: sort_key(key(item)))


# --- Decree 30/2020/NĐ-CP, Appendix I -------------------------------------------------

_WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def two_digits(number: int) -> str:
    """Document numbers and days below 10 take a leading zero: 1 → "01", 12 → "12"."""
    return f"{number:02d}"


def month_number(month: int) -> str:
    """Months 1 and 2 take a leading zero, the others do not ("tháng 01", "tháng 6")."""
    return f"{month:02d}" if month <= 2 else str(month)


def date_long(day: dt.date) -> str:
    """ "ngày 11 tháng 01 năm 2021" (Decree 30: leading zero for days < 10 and months 1–2)."""
    return f"ngày {two_digits(day.day)} tháng {month_number(day.month)} năm {day.year}"


def place_date(place: str, day: dt.date) -> str:
    """The italic place-and-date line under the motto: "Sóc Trăng, ngày 11 tháng 01 năm 2021"."""
    return f"{place}, {date_long(day)}"


def weekday(day: dt.date) -> str:
    """ "thứ Sáu" for a Friday; written out explicitly, never through the OS locale."""
    return _WEEKDAYS[day.weekday()]


def date_short(day: dt.date) -> str:
    """ "15/01/2021": the numeric form used in running text and tables."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def document_number(number: int, type_code: str, issuer_symbol: str) -> str:
    """ "01/GM-KTĐMTNB": no spaces around "/" and "-", a leading zero below 10.

    A công văn has no type code: "12/BQL-VP".
    """
    symbol = f"{type_code}-{issuer_symbol}" if type_code else issuer_symbol
    return f"{two_digits(number)}/{symbol}"
