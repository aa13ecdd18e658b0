"""The legacy-encoding detector's shortcuts (issue #8) change none of its answers: the
character pre-check, the cached word verdicts and the translate tables give what the word by
word rule gives (tests/test_properties_uploads.py checks the rule itself)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from khoi_portal.lib import legacy_encodings as legacy

FAST = settings(max_examples=400, deadline=None, database=None, derandomize=True)


def _reference(text: str, *, min_words: int = 2, min_share: float = 0.3):
    """The detector without shortcuts: every word through _is_legacy_word, per table."""
    if not text or text.isascii():
        return None
    words = legacy._WORD.findall(unicodedata.normalize("NFC", text))
    marked = [w for w in words if not w.isascii()]
    best, best_count = None, 0
    for encoding, decode in ((legacy.TCVN3, legacy.decode_tcvn3), (legacy.VNI, legacy.decode_vni)):
        found = [w for w in marked if legacy._is_legacy_word(w, decode)]
        short = len(marked) <= 3 and len(found) >= max(1, len(marked) / 2)
        enough = short or (len(found) >= min_words and len(found) >= min_share * len(marked))
        if enough and len(found) > best_count:
            best_count = len(found)
            best = legacy.LegacyText(encoding, tuple(dict.fromkeys(found))[:3])
    return best


_TO_TCVN3 = dict(zip(legacy._TCVN3_UNICODE, legacy._TCVN3_LATIN1, strict=True))
VIETNAMESE = (
    "Theo báo cáo của đơn vị, Cộng hoà xã hội chủ nghĩa Việt Nam: tổ chức phát động thi đua"
)
LEGACY_LETTERS = "".join(sorted(legacy._TRIGGERS))
LETTERS = st.sampled_from(
    list("abcdeghiklmnopqrstuvxyAĐEOU ,.") + list(LEGACY_LETTERS) + list("ạảẽếộươăđÜüßçñ")
)
WORDS = st.sampled_from([*VIETNAMESE.split(), "µm", "Müller", "café", "Tiªu", "chÝ", "häc"])


def _tcvn3(text: str) -> str:
    return "".join(_TO_TCVN3.get(ch, ch) for ch in text)


def _vni(text: str) -> str:
    return "".join(
        legacy._vni_of(ch.lower()) if not ch.isascii() and ch.isalpha() and ch.islower() else ch
        for ch in text
    )


@given(st.lists(st.text(LETTERS, min_size=1, max_size=8), min_size=1, max_size=12))
@FAST
def test_random_words_get_the_answer_of_the_word_by_word_rule(words):
    text = " ".join(words)
    assert legacy.detect_legacy_encoding(text) == _reference(text)


@given(st.lists(WORDS, min_size=1, max_size=20), st.sampled_from([str, _tcvn3, _vni, str.upper]))
@FAST
def test_sentences_and_their_legacy_forms_get_the_same_answer(words, encode):
    text = encode(" ".join(words))
    assert legacy.detect_legacy_encoding(text) == _reference(text)


def test_known_legacy_texts_are_still_refused():
    found = legacy.detect_legacy_encoding("Ban hµnh kÕ ho¹ch thi ®ua n¨m")
    assert found is not None
    assert found.encoding == legacy.TCVN3
    found = legacy.detect_legacy_encoding("Ban haønh keá hoaïch thi ñua naêm")
    assert found is not None
    assert found.encoding == legacy.VNI
    assert legacy.detect_legacy_encoding(unicodedata.normalize("NFD", "Tiªu chÝ")) is not None


def test_text_without_any_legacy_character_is_not_read_word_by_word():
    legacy._legacy_verdicts.cache_clear()
    assert legacy.detect_legacy_encoding("Cả năm đạt tiến độ; kết quả: đạt") is None
    assert legacy._legacy_verdicts.cache_info().currsize == 0  # no word looked at


def test_a_word_is_judged_once():
    legacy._legacy_verdicts.cache_clear()
    legacy._detect_cached.cache_clear()
    for text in ("Theo báo cáo của đơn vị", "Báo cáo của đơn vị", "Theo báo cáo"):
        assert legacy.detect_legacy_encoding(text) is None
    info = legacy._legacy_verdicts.cache_info()
    assert info.misses == 6  # báo, cáo, của, đơn, vị, Báo
    assert info.hits == 4 + 2  # cáo, của, đơn, vị; báo, cáo


def test_a_short_text_is_judged_once():
    legacy._legacy_verdicts.cache_clear()
    legacy._detect_cached.cache_clear()
    for _ in range(60):
        assert legacy.detect_legacy_encoding("Theo báo cáo của đơn vị") is None
        assert legacy.detect_legacy_encoding("Tiªu chÝ thi ®ua") is not None
    assert legacy._legacy_verdicts.cache_info().misses == 5 + 3
    assert legacy._detect_cached.cache_info().hits == 59 * 2
    long = "Theo báo cáo của đơn vị. " * 20  # longer than the cached texts: judged each time
    for _ in range(2):
        assert legacy.detect_legacy_encoding(long) is None
    assert legacy._detect_cached.cache_info().currsize == 2


def test_every_vni_spelling_holds_a_character_of_the_pre_check():
    for spelled in legacy._FROM_VNI:
        assert any(ch in legacy._TRIGGERS for ch in spelled), spelled
    assert set(legacy._FROM_TCVN3) <= legacy._TRIGGERS


def test_long_words_are_judged_without_being_kept():
    legacy._legacy_verdicts.cache_clear()
    text = "Tiªu chÝ " + "x¸" * 50
    assert legacy.detect_legacy_encoding(text) == _reference(text)
    assert legacy._legacy_verdicts.cache_info().currsize == 2  # Tiªu, chÝ
