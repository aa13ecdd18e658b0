"""Property tests of the upload checks (khoi_portal/uploads.py) and the legacy-encoding detector.

The upload views themselves get arbitrary files through tests/test_properties_forms.py; here
the pieces are driven directly, many more times, since they are pure and fast:

- ``check_upload`` answers any bytes under any name with a type it accepts or a
  ValidationError, never another exception;
- ``safe_filename`` always gives a bare, NFC, control-free, bounded name, and is idempotent;
- ``detect_legacy_encoding`` never flags real Unicode Vietnamese (the seed documents, Django's
  own Vietnamese translations, random sentences of their words) and flags the same words
  typed in TCVN3 or VNI.
"""

from __future__ import annotations

import pathlib
import re
import unicodedata

import django
import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from khoi_portal import uploads
from khoi_portal.lib import legacy_encodings as legacy

SEEDS = sorted(pathlib.Path("/work/shared/seeds").glob("*.txt")) or sorted(
    (pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "seeds").glob("*.txt")
)
DJANGO_VI = sorted(pathlib.Path(django.__file__).parent.glob("**/locale/vi/LC_MESSAGES/*.po"))
FAST = settings(max_examples=300, deadline=None, database=None, derandomize=True)
RULES = [
    uploads.EVIDENCE,
    uploads.SIGNATURE_SCAN,
    uploads.SIGNED_PDF,
    uploads.ACHIEVEMENT_REPORT,
    uploads.SCALE_XLSX,
    uploads.VERIFY_PDF,
]
HEADS = [b"%PDF-1.4\n", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"MZ", b"\x7fELF"]


def _seed_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SEEDS)


def _words() -> list[str]:
    return sorted({w.lower() for w in re.findall(r"[^\W\d_]+", _seed_text())})


def test_the_seed_documents_exist():
    assert len(SEEDS) >= 5


@given(
    name=st.text(max_size=80),
    head=st.sampled_from(HEADS),
    body=st.binary(max_size=4096),
    rule=st.sampled_from(RULES),
)
@FAST
def test_any_upload_is_accepted_as_an_allowed_type_or_refused_cleanly(name, head, body, rule):
    try:
        upload = SimpleUploadedFile(name or "tep", head + body)
    except SuspiciousFileOperation:  # Django's upload parser refuses such names before us
        assume(False)
    try:
        checked = uploads.check_upload(upload, rule)
    except ValidationError as error:
        messages = error.messages
    else:
        messages = None
        assert checked.mime in rule.types
        assert checked.name == uploads.safe_filename(checked.name, mime=checked.mime)
    if messages is not None:
        assert messages
        assert all(messages)


@given(raw=st.text(), mime=st.sampled_from([None, *uploads.TYPE_NAMES]))
@FAST
def test_a_safe_filename_is_a_bare_clean_name(raw, mime):
    name = uploads.safe_filename(raw, mime=mime)
    assert name
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith(".")
    assert name not in {".", ".."}
    assert len(name) <= uploads.MAX_NAME
    assert unicodedata.is_normalized("NFC", name)
    assert not any(unicodedata.category(ch)[0] == "C" for ch in name)
    assert uploads.safe_filename(name, mime=mime) == name
    if mime is not None:
        assert name.endswith("." + uploads.TYPE_NAMES[mime][1])


# --- legacy encodings --------------------------------------------------------------------------


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_no_seed_document_nor_any_of_its_lines_is_flagged(path):
    text = path.read_text(encoding="utf-8")
    assert legacy.detect_legacy_encoding(text) is None
    for line in text.splitlines():
        assert legacy.detect_legacy_encoding(line) is None, line


def test_django_s_vietnamese_translations_are_not_flagged():
    assert DJANGO_VI
    flagged = []
    for path in DJANGO_VI:
        for text in re.findall(r'^msgstr "(.+)"$', path.read_text(encoding="utf-8"), re.M):
            if legacy.detect_legacy_encoding(text) is not None:
                flagged.append(text)
    assert not flagged


_TO_TCVN3 = dict(zip(legacy._TCVN3_UNICODE, legacy._TCVN3_LATIN1, strict=True))


def _tcvn3(text: str) -> str:
    return "".join(_TO_TCVN3.get(ch, ch) for ch in text)


def _vni(text: str) -> str:
    return "".join(legacy._vni_of(ch) if not ch.isascii() and ch.isalpha() else ch for ch in text)


WORDS = _words()


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
@FAST
def test_real_vietnamese_sentences_are_not_flagged(words):
    assert legacy.detect_legacy_encoding(" ".join(words)) is None


# Seed words that no longer read as Vietnamese once typed in each legacy encoding ("hoµ" for
# "hoà"); words TCVN3 keeps as letters Vietnamese also uses ("cã" for "có") are left out.
SYLLABLES = [w for w in WORDS if not w.isascii() and legacy.is_vietnamese_syllable(w)]
# A word counts only if it keeps an ASCII letter ("ë" alone, TCVN3 for "ở", is too thin).
TCVN3_WORDS = [
    w
    for w in SYLLABLES
    if not legacy.is_vietnamese_syllable(_tcvn3(w)) and re.search("[a-z]", _tcvn3(w))
]
VNI_WORDS = [
    w
    for w in SYLLABLES
    if not legacy.is_vietnamese_syllable(_vni(w)) and re.search("[a-z]", _vni(w))
]
# A word whose legacy form also decodes to a syllable in the other table ("kế" in VNI is "keá",
# TCVN3 for "keỏ") names no encoding by itself; a text of only such words is a fair tie.
TCVN3_WORDS = [w for w in TCVN3_WORDS if not legacy._is_legacy_word(_tcvn3(w), legacy.decode_vni)]
VNI_WORDS = [w for w in VNI_WORDS if not legacy._is_legacy_word(_vni(w), legacy.decode_tcvn3)]


@given(
    st.sampled_from([(_tcvn3, legacy.TCVN3, TCVN3_WORDS), (_vni, legacy.VNI, VNI_WORDS)]).flatmap(
        lambda case: st.tuples(
            st.just(case), st.lists(st.sampled_from(case[2]), min_size=2, max_size=30)
        )
    )
)
@FAST
def test_the_same_words_typed_in_tcvn3_or_vni_are_flagged(drawn):
    (encode, encoding, _pool), words = drawn
    found = legacy.detect_legacy_encoding(encode(" ".join(words)))
    assert found is not None
    assert found.encoding == encoding


def test_every_seed_word_round_trips_through_both_tables():
    assert len(TCVN3_WORDS) > 100
    assert len(VNI_WORDS) > 100
    for word in WORDS:
        assert legacy.decode_tcvn3(_tcvn3(word)) == word
        assert legacy.decode_vni(_vni(word)) == word


def test_the_vni_table_round_trips_every_vietnamese_letter():
    letters = legacy._TCVN3_UNICODE[:-7]  # the lowercase letters with diacritics
    for letter in letters:
        assert legacy.decode_vni(legacy._vni_of(letter)) == letter
        assert legacy.decode_tcvn3(_TO_TCVN3[letter]) == letter
