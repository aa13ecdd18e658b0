"""Vietnamese text typed in the pre-Unicode encodings TCVN3 (ABC) and VNI, read as Unicode.

Offices still keep Word and Excel files typed with the .VnTime (TCVN3) or VNI-Times fonts.
Copied into a Unicode field, or read from such a workbook, their bytes come out as Latin-1
letters and symbols: "Céng hoµ x· héi chñ nghÜa ViÖt Nam" (TCVN3), "Coäng hoøa xaõ hoäi chuû
nghóa Vieät Nam" (VNI). Stored like that, the text is unreadable and unsearchable.

``detect_legacy_encoding`` finds such text so it can be refused with a message that tells the
user how to convert it (Unikey's "Công cụ chuyển mã"). It does not convert: a wrong guess
would store plausible-looking but wrong Vietnamese, which is worse than a clear refusal.

How it avoids flagging real Unicode Vietnamese: a word counts as legacy only if it is *not* a
Vietnamese syllable as typed (it holds letters Vietnamese never uses, such as "µ", "Ö", "ø")
*and* decoding it from TCVN3 or VNI gives a well-formed Vietnamese syllable. Real Unicode
words are well-formed already, and foreign words ("Müller", "café") stay malformed after
decoding. The text is flagged only when at least two words count and they are a good share of
the words with diacritics, so a stray "µm" or "©" in Unicode text is not enough.

Pure functions, no Django imports.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

TCVN3 = "TCVN3"
VNI = "VNI"

# TCVN 5712:1993 (VN3, the "ABC" fonts such as .VnTime): one byte per precomposed lowercase
# letter, and the seven shaped capitals; other capitals come from the ".VnTimeH" fonts, which
# reuse the lowercase codes. Read as Latin-1 / Windows-1252, each byte is the character below.
_TCVN3_UNICODE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_LATIN1 = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
assert len(_TCVN3_UNICODE) == len(_TCVN3_LATIN1)  # a broken table must not load
_FROM_TCVN3 = dict(zip(_TCVN3_LATIN1, _TCVN3_UNICODE, strict=True))
_TCVN3_TRANSLATION = str.maketrans(_FROM_TCVN3)

# VNI (VNI-Times fonts): a base letter followed by a mark byte; ơ, ư, đ and the toned i, ỵ
# are single bytes. Tone bytes: sắc ù, huyền ø, hỏi û, ngã õ, nặng ï; after a circumflex
# (written "â") the tone replaces it: á à å ã ä; after a breve ("ê"): é è ú ü ë.
_TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
_DROP_TONES = str.maketrans("", "", _TONES)
_VNI_TONE = dict(zip(_TONES, "ùøûõï", strict=True))
_VNI_CIRCUMFLEX_TONE = dict(zip(_TONES, "áàåãä", strict=True))
_VNI_BREVE_TONE = dict(zip(_TONES, "éèúüë", strict=True))
_VNI_I_TONE = dict(zip(_TONES, "íìæóò", strict=True))


def _vni_of(letter: str) -> str:
    """The VNI spelling (lowercase) of one lowercase Unicode Vietnamese letter."""
    decomposed = unicodedata.normalize("NFD", letter)
    base, marks = decomposed[0], decomposed[1:]
    tone = next((m for m in marks if m in _TONES), "")
    shape = next((m for m in marks if m not in _TONES), "")
    if base == "i":
        return _VNI_I_TONE[tone] if tone else "i"
    if base == "y" and tone == "\u0323":
        return "î"
    if shape == "\u031b":  # horn: ơ, ư
        head = {"o": "ô", "u": "ö"}[base]
        return head + (_VNI_TONE[tone] if tone else "")
    if shape == "\u0302":  # circumflex: â ê ô
        return base + (_VNI_CIRCUMFLEX_TONE[tone] if tone else "â")
    if shape == "\u0306":  # breve: ă
        return base + (_VNI_BREVE_TONE[tone] if tone else "ê")
    return base + (_VNI_TONE[tone] if tone else "")


def _vni_table() -> dict[str, str]:
    table = {"ñ": "đ"}
    for base in "aăâeêioôơuưy":
        for tone in ("", *_TONES):
            letter = unicodedata.normalize("NFC", base + tone)
            spelled = _vni_of(letter)
            if spelled != letter:
                table[spelled] = letter
    return table


_FROM_VNI = _vni_table()
_VNI_LONGEST = max(len(k) for k in _FROM_VNI)

# The characters without which no word can decode to anything else: the TCVN3 bytes (decoded
# as typed) and the non-ASCII characters of the VNI spellings (decoded lowercased). Every VNI
# spelling holds one (a plain "a" or "i" is spelled as itself), so text without any of them,
# as typed or lowercased, is not legacy text.
_TRIGGERS = frozenset(_FROM_TCVN3) | {c for key in _FROM_VNI for c in key if not c.isascii()}
assert all(any(c in _TRIGGERS for c in key) for key in _FROM_VNI)
_TRIGGER = re.compile(f"[{re.escape(''.join(sorted(_TRIGGERS)))}]")

# What may make up a word of legacy text: letters, plus the TCVN3 bytes that are symbols in
# Latin-1 (· ¸ § ® …).
_LEGACY_SYMBOLS = "".join(sorted({c for c in _TCVN3_LATIN1 if not c.isalpha()}))
_WORD = re.compile(rf"(?:[^\W\d_]|[{re.escape(_LEGACY_SYMBOLS)}])+")

_INITIAL = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
# The vowel groups Vietnamese spells (tones removed). Those ending in a glide (ai, ao, êu…)
# close the syllable; the others may take a final consonant. Longest first for the regex.
_GLIDE_ENDED = (
    "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu iêu oai oao oay oeo uây uôi uyu ươi ươu yêu"
)
_OPEN = "a ă â e ê i o ô ơ u ư y ia iê oa oă oe oo ua uâ uê uô uơ uy ưa ươ yê uya uyê"


def _alternatives(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"(?:{_INITIAL})?(?:(?:{_alternatives(_GLIDE_ENDED)})"
    rf"|(?:{_alternatives(_OPEN)})(?:ch|ng|nh|c|m|n|p|t)?)"
)
# SI units written with the micro sign, which TCVN3 would read as "à" ("µm" → "àm").
_UNITS = {"µm", "µg", "µl", "µs", "µa", "µv", "µf", "µw"}
_VIETNAMESE_MARKED = re.compile(r"[^\x00-\x7f]")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether *word* is spelled like a Vietnamese syllable: initial, vowels, final, one tone."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    bare = decomposed.translate(_DROP_TONES)
    if len(decomposed) - len(bare) > 1:  # more than one tone mark
        return False
    return _SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)) is not None


def decode_tcvn3(word: str) -> str:
    return word.translate(_TCVN3_TRANSLATION)


def decode_vni(word: str) -> str:
    word = word.lower()
    out, i = [], 0
    while i < len(word):
        for size in range(_VNI_LONGEST, 0, -1):
            letter = _FROM_VNI.get(word[i : i + size])
            if letter is not None:
                out.append(letter)
                i += size
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class LegacyText:
    encoding: str  # TCVN3 or VNI
    examples: tuple[str, ...]  # a few of the words as they were typed


_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _could_be_legacy(word: str) -> bool:
    """What a legacy word must be whatever the table: non-ASCII, with an ASCII letter, not a
    Vietnamese syllable as typed, not a unit such as "µm"."""
    return not (
        word.isascii()
        or _ASCII_LETTER.search(word) is None
        or is_vietnamese_syllable(word)
        or word.lower() in _UNITS
    )


def _decodes_to_syllable(word: str, decode) -> bool:
    decoded = decode(word)
    return (
        decoded.lower() != word.lower()
        and _VIETNAMESE_MARKED.search(decoded) is not None
        and is_vietnamese_syllable(decoded)
    )


def _is_legacy_word(word: str, decode) -> bool:
    return _could_be_legacy(word) and _decodes_to_syllable(word, decode)


def _word_verdicts(word: str) -> tuple[bool, bool]:
    """(TCVN3, VNI): whether *word* counts as legacy text in each table."""
    if not _could_be_legacy(word):
        return (False, False)
    return (_decodes_to_syllable(word, decode_tcvn3), _decodes_to_syllable(word, decode_vni))


# Cached: a text is checked word by word and Vietnamese has a few thousand syllables, so a
# 60-item score sheet saved again and again (issue #8) meets the same words every time. Only
# words as short as a syllable typed in VNI ("nghieâng") are kept, so the cache stays small.
_legacy_verdicts = functools.lru_cache(maxsize=16384)(_word_verdicts)
_CACHED_LENGTH = 12
# Whole texts up to this length are cached too (a verdict is a small immutable tuple).
_CACHED_TEXT_LENGTH = 300


def _verdicts(word: str) -> tuple[bool, bool]:
    return _legacy_verdicts(word) if len(word) <= _CACHED_LENGTH else _word_verdicts(word)


def detect_legacy_encoding(text: str, *, min_words: int = 2, min_share: float = 0.3):
    """A ``LegacyText`` if *text* reads as TCVN3 or VNI Vietnamese shown as Latin-1, else None.

    Flagged when at least *min_words* words decode to Vietnamese syllables and they make up at
    least *min_share* of the words that carry non-ASCII letters; in a short text (at most three
    such words, e.g. "Tiªu chÝ") one such word is enough if it is half of them.
    """
    if not text or text.isascii():
        return None
    if len(text) <= _CACHED_TEXT_LENGTH:  # a sheet's explanations come back on every save
        return _detect_cached(text, min_words, min_share)
    return _detect(text, min_words, min_share)


def _detect(text: str, min_words: int, min_share: float):
    text = unicodedata.normalize("NFC", text)
    if _TRIGGER.search(text) is None and _TRIGGER.search(text.lower()) is None:
        return None  # no character any table decodes
    marked = [w for w in _WORD.findall(text) if not w.isascii()]
    if not marked:
        return None
    verdicts = [_verdicts(w) for w in marked]
    if not any(tcvn3 or vni for tcvn3, vni in verdicts):
        return None  # the common case: real Unicode Vietnamese
    best: LegacyText | None = None
    best_count = 0
    for index, encoding in enumerate((TCVN3, VNI)):
        found = [w for w, verdict in zip(marked, verdicts, strict=True) if verdict[index]]
        short = len(marked) <= 3 and len(found) >= max(1, len(marked) / 2)
        enough = short or (len(found) >= min_words and len(found) >= min_share * len(marked))
        if enough and len(found) > best_count:
            best_count = len(found)
            best = LegacyText(encoding, tuple(dict.fromkeys(found))[:3])
    return best


_detect_cached = functools.lru_cache(maxsize=4096)(_detect)
