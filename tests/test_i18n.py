"""The English interface: the catalogue is complete and compiled, the switch works, the main
pages read in English, and official documents stay Vietnamese whatever the reader chose.

The msgids are the Vietnamese interface; ``locale/en/LC_MESSAGES/django.po`` translates them and
the compiled ``django.mo`` is committed, so a fresh clone runs in English without GNU gettext.
After changing strings: ``manage.py makemessages -l en --add-location=file -i node_modules
-i bench``, translate, then ``manage.py compilemessages -l en -i .venv -i node_modules``
(tests/test_i18n.py fails until both are done).
"""

from __future__ import annotations

import gettext
import io
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.scoring.conftest import scored  # noqa: F401  (the score sheet fixture)

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

# --- a small .po reader (no polib: the project does not depend on it) ------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text[:1] == text[-1:] == '"', text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[dict]:
    """The entries of *path*: msgctxt, msgid, msgid_plural, msgstr or msgstr[n], and flags.
    Obsolete (``#~``) entries are left out; the header is the entry whose msgid is empty."""
    entries: list[dict] = []
    entry: dict = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, ""
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line):
            key = match.group(1)
            entry[key] = _unquote(match.group(2))
        else:
            entry[key] += _unquote(line)
    return entries


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def messages() -> list[dict]:
    return [e for e in read_po(PO) if e["msgid"]]


# --- the catalogue --------------------------------------------------------------------------


def test_the_catalogue_is_there():
    assert ("en", "English") in settings.LANGUAGES
    assert Path(settings.LOCALE_PATHS[0]) == LOCALE.parent.parent
    assert len(messages()) > 1000


def test_every_msgid_has_a_translation_and_none_is_fuzzy():
    untranslated = [e["msgid"] for e in messages() if not all(translations(e))]
    fuzzy = [e["msgid"] for e in read_po(PO) if "fuzzy" in e.get("flags", set())]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_english_forms():
    header = next(e for e in read_po(PO) if e["msgid"] == "")
    assert "nplurals=2; plural=(n != 1);" in header["msgstr"]
    plurals = [e for e in messages() if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert set(entry) >= {"msgstr[0]", "msgstr[1]"}, entry["msgid"]


PLACEHOLDERS = re.compile(r"%\([a-z_]+\)[sdf]|%%|\{[a-z_]+\}|</?[a-z]+>")


def test_placeholders_and_markup_are_kept():
    """Every %(name)s, {name}, %% and tag of a msgid is in its translation, and nothing else
    (English may name a repeated placeholder once: "Bầu {kind} trưởng, {kind} phó")."""
    broken = [
        (entry["msgid"], text)
        for entry in messages()
        for text in translations(entry)
        if set(PLACEHOLDERS.findall(text)) != set(PLACEHOLDERS.findall(entry["msgid"]))
    ]
    assert broken == []


VIETNAMESE_LETTERS = re.compile(
    "[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.IGNORECASE
)
# Proper names and quoted Vietnamese terms that an English sentence keeps as they are.
KEPT_AS_IS = re.compile(
    r"Khối Portal|Sóc Trăng|Đà Nẵng|Đỗ Thanh Chiến|An Nghiệp|KTĐMTNB|QĐ|NĐ-CP|KHỐI THI ĐUA[^,.)]*|"
    r"TRƯỞNG KHỐI|Nhóm|Tiêu chí|Điểm thưởng|Điểm trừ|Có|Loại|Hướng dẫn chấm|Yêu cầu minh chứng|"
    r"Tổng điểm chuẩn|STT \| Nội dung \| Điểm chuẩn"
)


def test_translations_are_english():
    """No Vietnamese left in a msgstr beyond names, codes and quoted column headings."""
    leftovers = [
        text
        for e in messages()
        for text in translations(e)
        if VIETNAMESE_LETTERS.search(KEPT_AS_IS.sub("", text))
    ]
    assert leftovers == []


def test_the_compiled_catalogue_matches_the_po():
    """django.mo is committed: it must hold exactly the .po's translations (run
    ``manage.py compilemessages -l en`` after editing the .po)."""
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    expected: dict = {}
    for entry in messages():
        prefix = f"{entry['msgctxt']}\x04" if "msgctxt" in entry else ""
        msgid = prefix + entry["msgid"]
        if "msgid_plural" in entry:
            for key, value in entry.items():
                if key.startswith("msgstr["):
                    expected[(msgid, int(key[7:-1]))] = value
        else:
            expected[msgid] = entry["msgstr"]
    compiled = {key: value for key, value in catalog.items() if key != ""}
    assert compiled == expected


def test_django_translates_with_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("Bảng điều khiển") == "Dashboard"
        assert translation.gettext("Khối trưởng") == "Bloc Chair"
        assert translation.ngettext("%(n)s đề nghị", "%(n)s đề nghị", 2) == "%(n)s proposals"
    with translation.override("vi"):
        assert translation.gettext("Bảng điều khiển") == "Bảng điều khiển"


# --- pages in English -----------------------------------------------------------------------


class _Text(HTMLParser):
    """What a person reads: text nodes (not scripts or styles) and the attributes read aloud
    or shown (title, aria-label, placeholder, alt, value of buttons)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and name in ("title", "aria-label", "placeholder", "alt", "data-confirm"):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return unicodedata.normalize("NFC", " \n".join(parser.parts))


# Words of the Vietnamese interface that must not survive the switch to English.
UI_WORDS = (
    "Bảng điều khiển",
    "Đăng xuất",
    "Đăng nhập",
    "Mật khẩu",
    "Tên đăng nhập",
    "Ngôn ngữ",
    "Xác minh văn bản",
    "Bảo mật tài khoản",
    "Bỏ qua đến nội dung",
    "Phong trào",
    "Thành viên",
    "Khối trưởng",
    "Khối phó",
    "Thang điểm",
    "Phiếu chấm điểm",
    "Điểm chuẩn",
    "Tự chấm",
    "Lưu nháp",
    "Trạng thái",
    "Chưa có",
)


def switch_to_english(client, next_url: str = "/"):
    """As a person does it: the language form in the footer posts to set_language."""
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def english_page(client, url: str, data_strings: list[str]) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content.decode().count('<html lang="en">') == 1
    text = visible_text(response)
    for word in UI_WORDS:
        assert word not in text, f"{word!r} on {url}"
    # Beyond the data (names of blocs, units, people, criteria) and the language's own name
    # in the switch, nothing Vietnamese is left.
    rest = text
    for data in sorted({*data_strings, "Tiếng Việt", "Khối Portal"}, key=len, reverse=True):
        rest = rest.replace(data, "")
    leftovers = [line for line in rest.splitlines() if VIETNAMESE_LETTERS.search(line)]
    assert leftovers == [], url
    return text


def _world_data(world) -> list[str]:
    from blocs.models import MemberUnit, Province, User

    data = [world.bloc.name, world.other_bloc.name, world.bloc.symbol, world.other_bloc.symbol]
    for unit in MemberUnit.objects.all():
        data += [unit.full_name, unit.short_name]
    data += [u.get_full_name() for u in User.objects.all()]
    data += list(Province.objects.values_list("name", flat=True))
    return [d for d in data if d]


def test_the_login_page_reads_in_english(client, db):
    switch_to_english(client, reverse("login"))
    text = english_page(client, reverse("login"), [])
    for words in ("Sign in", "User name", "Password", "Language"):
        assert words in text


def test_the_dashboard_reads_in_english(world, login):
    client = login(world.secretariat)
    switch_to_english(client)
    text = english_page(client, reverse("dashboard"), _world_data(world))
    for words in ("Dashboard", "Hello", "Sign out", "Verify a document", "To do"):
        assert words in text


def test_a_bloc_page_reads_in_english(world, login):
    client = login(world.officer)
    switch_to_english(client)
    url = reverse("bloc_detail", kwargs={"pk": world.bloc.pk})
    text = english_page(client, url, _world_data(world))
    for words in ("Bloc Chair", "Bloc Vice-Chair", "Document symbol", "Members in 2022"):
        assert words in text


def test_the_score_sheet_reads_in_english(world, login, scored):  # noqa: F811
    client = login(world.officer)
    switch_to_english(client)
    url = reverse("sheet_detail", kwargs={"pk": scored.sheets["member"].pk})
    data = _world_data(world) + [c.title for c in (*scored.groups, *scored.items.values())]
    data += [scored.scale.title]
    text = english_page(client, url, data)
    for words in (
        "Emulation self-assessment score sheet 2022",
        "Maximum points",
        "Self-assessment score",
        "Save draft",
        "Evidence",
    ):
        assert words in text


def test_dates_on_pages_follow_the_reader(world, login):
    """A conference's registration deadline and a ballot round's date read "09:00, 12 January
    2030" in English and "09 giờ 00, ngày 12 tháng 01 năm 2030" in Vietnamese; the printed
    delegate list stays Vietnamese."""
    from tests.awards.matrix_awards import closed_paper_round
    from tests.meetings.conftest import make_meeting

    meeting = make_meeting(world)
    ballot_round = closed_paper_round(world)
    pages = {
        reverse("meeting_register", kwargs={"pk": meeting.pk}): (
            "09:00, 12 January 2030",
            "09 giờ 00, ngày 12 tháng 01 năm 2030",
        ),
        reverse("meeting_delegates", kwargs={"pk": meeting.pk}): (
            "09:00, 12 January 2030",
            "09 giờ 00, ngày 12 tháng 01 năm 2030",
        ),
        reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk}): (
            "20 December 2022",
            "ngày 20 tháng 12 năm 2022",
        ),
    }
    client = login(world.secretariat)
    for url, (_english, vietnamese) in pages.items():
        assert vietnamese in visible_text(client.get(url)), url
    switch_to_english(client)
    for url, (english, vietnamese) in pages.items():
        text = visible_text(client.get(url))
        assert english in text, url
        assert vietnamese not in text, url
    pdf = client.get(reverse("meeting_delegates_pdf", kwargs={"pk": meeting.pk}))
    assert "In lúc " in _pdf_text(pdf.content)
    assert "giờ" in _pdf_text(pdf.content).split("In lúc ")[1]


def test_the_error_pages_read_in_english(world, login):
    client = login(world.outsider)
    switch_to_english(client)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    text = visible_text(response)
    assert "Page not found" in text
    assert "Back to the home page" in text
    for data in sorted({*_world_data(world), "Tiếng Việt", "Khối Portal"}, key=len, reverse=True):
        text = text.replace(data, "")
    assert not VIETNAMESE_LETTERS.search(text)


def test_vietnamese_stays_the_default(world, login):
    client = login(world.secretariat)
    response = client.get(reverse("dashboard"))
    assert '<html lang="vi">' in response.content.decode()
    assert "Bảng điều khiển" in visible_text(response)


# --- official documents stay Vietnamese -------------------------------------------------------


def _document(world):
    from documents.models import DocumentType
    from documents.services import document_create_draft

    return document_create_draft(
        doc_type=DocumentType.objects.get(code="GM"),
        subject="tham dự Hội nghị tổng kết công tác thi đua năm 2022",
        created_by=world.secretariat,
        bloc=world.bloc,
        parent_body="BỘ TÀI CHÍNH",
        issuer_name="KHỐI THI ĐUA A",
        place="Đắk Lắk",
        recipients="Các đơn vị thành viên Khối thi đua A",
        body="Trân trọng kính mời đại diện lãnh đạo các đơn vị thành viên tham dự.",
        distribution="- Như trên;\n- Lưu: VT.",
        signature_heading="TM. KHỐI THI ĐUA A\nTRƯỞNG KHỐI",
        signer_title="Trưởng ban",
        signer_name="Phạm Văn Tịch",
    )


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize(
        "NFC", " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    )


def test_a_document_rendered_under_english_is_vietnamese(world, monkeypatch):
    """The renderer runs in Vietnamese: a kind's context (which may use gettext or a model's
    display labels) sees "vi", and the PDF and DOCX are the same as under Vietnamese."""
    from docx import Document as read_docx

    from documents import registry
    from documents.documents import render_document_html, render_document_pdf
    from documents.docx import render_document_docx

    document = _document(world)
    seen: list[str] = []
    kind = registry.get(document.kind)

    def context(doc):
        seen.append(translation.get_language())
        return kind.context(doc)

    monkeypatch.setitem(
        registry._kinds,
        kind.key,
        registry.Kind(kind.key, kind.label, kind.template, context, kind.docx_body),
    )
    with translation.override("vi"):
        html_vi = render_document_html(document, draft=True)
    with translation.override("en"):
        html_en = render_document_html(document, draft=True)
        pdf = render_document_pdf(document, draft=True)
        docx = render_document_docx(document, draft=True)
        assert translation.get_language() == "en"  # the override ends with the render
    assert html_en == html_vi
    assert set(seen) == {"vi"}
    text = _pdf_text(pdf)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Nơi nhận"):
        assert words in text
    word = read_docx(io.BytesIO(docx))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    docx_text = "\n".join([p.text for p in word.paragraphs] + cells)
    assert "Nơi nhận" in docx_text
    assert "Distribution" not in text + docx_text


def test_minutes_drawn_up_under_english_freeze_vietnamese_labels(world):
    """A snapshot frozen into a document (here the vote-count minutes, which keep the ballot's
    display labels) is taken in Vietnamese even when the secretariat works in English."""
    import datetime as dt

    from awards.documents import minutes_issue
    from documents.services import document_freeze_pdf
    from tests.awards.matrix_awards import closed_paper_round

    ballot_round = closed_paper_round(world)
    with translation.override("vi"):
        mode_vi = str(ballot_round.get_mode_display())
        base_vi = str(ballot_round.get_base_display())
    with translation.override("en"):
        assert str(ballot_round.get_mode_display()) != mode_vi  # the label has an English form
        document = minutes_issue(
            ballot_round=ballot_round,
            by=world.secretariat,
            issued_on=dt.date(2022, 12, 20),
            signature_heading="CHỦ TỌA",
            place="Đắk Lắk",
            signer_name="Phạm Văn Tịch",
            signer_title="Trưởng ban",
        )
        with document_freeze_pdf(document_id=document.pk).pdf.open("rb") as handle:
            text = _pdf_text(handle.read())
    assert (document.extra["mode_label"], document.extra["base_label"]) == (mode_vi, base_vi)
    assert "BIÊN BẢN" in text
    assert "Paper ballot" not in text
