"""Upload edge cases, one test per case per upload point, through the real views.

Upload points (khoi_portal/uploads.py has one rule each): score-sheet evidence, the paper
signature scan and the certificate-signed PDF of a covenant, a nomination's achievement report,
the XLSX scale import, the PDF checked against the register. Cases: a program, a web page or a
ZIP behind a right extension, an empty file, an oversized file, an Office zip bomb, a name in
NFD, a name with folders; for the XLSX import also text in the TCVN3 and VNI legacy encodings.
Each refusal is a Vietnamese sentence on the page and nothing is written.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from khoi_portal import uploads
from tests.matrix_support import drain

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PLAIN_ZIP = _zip({"anh.jpg": b"\xff\xd8\xff" + b"\x00" * 100})
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/"/>'


def docx_bomb() -> bytes:
    # 12 MB of zeros packs into a few kilobytes: a ratio far beyond real Office XML.
    return _zip(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"\x00" * (12 * uploads.MB)}
    )


def xlsx_bomb() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * (12 * uploads.MB),
        }
    )


def scale_xlsx(titles: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Nội dung", "Điểm chuẩn"])
    sheet.append(["I", titles[0], 20])
    for number, title in enumerate(titles[1:], start=1):
        sheet.append([str(number), title, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


VALID_XLSX_TITLES = ["Công tác chỉ đạo", "Ban hành kế hoạch thi đua năm", "Tổ chức phát động"]


# --- the upload points ------------------------------------------------------------------------


@dataclass
class Point:
    """How to upload to one point: the URL, who, the other fields, what is written."""

    rule: uploads.Rule
    valid: Callable[[], bytes]
    post: Callable  # (world, login, upload) -> response, redirects followed
    written: Callable[[], int]
    stored_name: Callable[[], str] | None = None  # where the display name is kept, if anywhere


def _post_evidence(world, login, upload):
    from tests.scoring.matrix_sheets import member_sheet

    entry = member_sheet(world).entries.order_by("pk").first()
    url = reverse("evidence_upload", kwargs={"entry_pk": entry.pk})
    return login(world.officer).post(url, {"file": upload}, follow=True)


def _post_scan(world, login, upload):
    from tests.covenants.conftest import make_covenant

    covenant = make_covenant(world)
    day = covenant.finalized_at.astimezone().date().isoformat()
    data = {"unit": world.member.pk, "signer_name": "Nguyễn Văn Giấy", "signed_on": day}
    url = reverse("covenant_record_paper", kwargs={"pk": covenant.pk})
    return login(world.secretariat).post(url, data | {"scan": upload}, follow=True)


def _post_signed_pdf(world, login, upload):
    from tests.covenants.conftest import make_covenant

    covenant = make_covenant(world)
    url = reverse("covenant_upload_digital", kwargs={"pk": covenant.pk})
    return login(world.officer).post(url, {"file": upload}, follow=True)


def _post_report(world, login, upload):
    from awards.models import AwardType

    data = {
        "award_type": AwardType.objects.get(code="dien-hinh-ca-nhan").pk,
        "unit": world.member.pk,
        "person_name": "Nguyễn Thị Mai",
        "report": upload,
    }
    url = reverse("nomination_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    return login(world.officer).post(url, data, follow=True)


def _post_scale(world, login, upload):
    from tests.scoring.conftest import build_scale

    scale, _groups, _items = build_scale(world)
    url = reverse(
        "scale_import", kwargs={"bloc_pk": world.bloc.pk, "year": 2022, "scale_pk": scale.pk}
    )
    return login(world.secretariat).post(url, {"file": upload}, follow=True)


def _post_verify(world, login, upload):
    from tests.test_role_matrix import _issued

    document = _issued(world)
    url = reverse("verify", kwargs={"code": document.verification_code})
    return login(world.officer).post(url, {"file": upload}, follow=True)


def _count(model_path: str) -> Callable[[], int]:
    def count() -> int:
        from django.apps import apps

        return apps.get_model(model_path).objects.count()

    return count


def _scale_rows() -> int:
    from scoring.models import Criterion

    return Criterion.objects.filter(title__in=VALID_XLSX_TITLES).count()


def _evidence_name() -> str:
    from scoring.models import Evidence

    return Evidence.objects.get().original_name


def _report_name() -> str:
    from awards.models import Nomination

    return Nomination.objects.get().report_name


POINTS = {
    "evidence": Point(
        uploads.EVIDENCE, lambda: PDF, _post_evidence, _count("scoring.Evidence"), _evidence_name
    ),
    "paper_scan": Point(
        uploads.SIGNATURE_SCAN, lambda: PDF, _post_scan, _count("covenants.Signature")
    ),
    "signed_pdf": Point(uploads.SIGNED_PDF, lambda: PDF, _post_signed_pdf, lambda: 0),
    "achievement_report": Point(
        uploads.ACHIEVEMENT_REPORT,
        lambda: PDF,
        _post_report,
        _count("awards.Nomination"),
        _report_name,
    ),
    "scale_xlsx": Point(
        uploads.SCALE_XLSX, lambda: scale_xlsx(VALID_XLSX_TITLES), _post_scale, _scale_rows
    ),
    "verify_pdf": Point(uploads.VERIFY_PDF, lambda: PDF, _post_verify, lambda: 0),
}


def _page(response) -> str:
    return drain(response).decode()


# --- refusals by content -------------------------------------------------------------------

WRONG_TYPES = {
    "exe-named-pdf": ("bao-cao.pdf", EXE, "tệp chương trình Windows"),
    "elf-named-pdf": ("bao-cao.pdf", ELF, "tệp chương trình (ELF)"),
    "html-named-pdf": ("bao-cao.pdf", HTML, "trang web (HTML)"),
    "zip-named-jpg": ("anh.jpg", PLAIN_ZIP, "tệp nén ZIP"),
    "zip-named-xlsx": ("thang-diem.xlsx", PLAIN_ZIP, "tệp nén ZIP"),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
@pytest.mark.parametrize("point", sorted(POINTS))
def test_a_wrong_type_behind_a_right_extension_is_refused_and_named(world, login, point, case):
    name, content, what = WRONG_TYPES[case]
    spec = POINTS[point]
    response = spec.post(world, login, SimpleUploadedFile(name, content))
    page = _page(response)
    assert what in page
    assert "kiểm tra theo nội dung tệp, không theo phần mở rộng" in page
    assert spec.written() == 0


@pytest.mark.parametrize("point", sorted(POINTS))
def test_an_empty_file_is_refused(world, login, point):
    spec = POINTS[point]
    response = spec.post(world, login, SimpleUploadedFile("rong.pdf", b""))
    page = _page(response)
    assert "rỗng" in page
    assert spec.written() == 0


@pytest.mark.parametrize("point", sorted(POINTS))
def test_an_oversized_file_is_refused_with_the_limit(world, login, point):
    spec = POINTS[point]
    big = spec.valid() + b"\x00" * spec.rule.max_bytes
    response = spec.post(world, login, SimpleUploadedFile("lon.pdf", big))
    page = _page(response)
    assert f"Tệp quá lớn: tối đa {spec.rule.max_bytes // uploads.MB} MB." in page
    assert spec.written() == 0


BOMBS = {"evidence": docx_bomb, "achievement_report": docx_bomb, "scale_xlsx": xlsx_bomb}


@pytest.mark.parametrize("point", sorted(BOMBS))
def test_an_office_zip_bomb_is_refused_before_it_is_opened(world, login, point, monkeypatch):
    spec = POINTS[point]
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(1))
    name = "thang-diem.xlsx" if point == "scale_xlsx" else "bao-cao.docx"
    response = spec.post(world, login, SimpleUploadedFile(name, BOMBS[point]()))
    page = _page(response)
    assert "khi giải nén lớn bất thường" in page
    assert spec.written() == 0
    assert opened == []


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("point", sorted(POINTS))
def test_a_name_in_nfd_is_accepted_and_kept_in_nfc(world, login, point):
    spec = POINTS[point]
    extension = "xlsx" if point == "scale_xlsx" else "pdf"
    name = unicodedata.normalize("NFD", f"Biên bản họp Khối.{extension}")
    response = spec.post(world, login, SimpleUploadedFile(name, spec.valid()))
    assert response.status_code == 200
    assert "kiểm tra theo nội dung tệp" not in _page(response)
    if spec.stored_name is not None:
        assert spec.stored_name() == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize(
    "raw", ["../../etc/bao-cao.pdf", "C:\\Users\\van thu\\..\\bao-cao.pdf", "/tmp/./bao-cao.pdf"]
)
@pytest.mark.parametrize("point", ["evidence", "achievement_report"])
def test_a_name_with_folders_keeps_only_its_last_part(world, login, point, raw):
    spec = POINTS[point]
    spec.post(world, login, SimpleUploadedFile(raw, PDF))
    assert spec.stored_name() == "bao-cao.pdf"


@pytest.mark.parametrize(
    ("raw", "mime", "expected"),
    [
        ("../../etc/passwd", None, "passwd"),
        ("..\\..\\windows\\win.ini", None, "win.ini"),
        ("..", None, "tep"),
        ("bao\x00cao\x1b[31m.pdf", uploads.PDF, "baocao[31m.pdf"),
        ("\u202egpj.exe", uploads.JPEG, "gpj.exe.jpg"),
        ("scan.png", uploads.JPEG, "scan.jpg"),
        ("Báo cáo", uploads.PDF, "Báo cáo.pdf"),
        ("   .hidden.pdf  ", uploads.PDF, "hidden.pdf"),
        ('a<b>c:d"e|f?g*h.PDF', uploads.PDF, "a b c d e f g h.pdf"),
        (unicodedata.normalize("NFD", "Tờ trình.docx"), uploads.DOCX, "Tờ trình.docx"),
        ("x" * 400 + ".pdf", uploads.PDF, "x" * 146 + ".pdf"),
    ],
)
def test_safe_filename(raw, mime, expected):
    assert uploads.safe_filename(raw, mime=mime) == expected


def test_a_big_unpacked_office_file_is_refused_even_when_packed_plainly():
    rule = uploads.Rule(frozenset({uploads.XLSX}), uploads.MB, max_unzipped=1000)
    data = _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/a.xml": bytes(range(256)) * 8})
    with pytest.raises(ValidationError, match="lớn bất thường"):
        uploads.check_office_archive(data, name="a.xlsx", rule=rule)


def test_too_many_entries_are_refused():
    rule = uploads.Rule(frozenset({uploads.XLSX}), uploads.MB, max_entries=5)
    data = _zip({f"xl/{n}.xml": b"<a/>" for n in range(6)})
    with pytest.raises(ValidationError, match="6 thành phần"):
        uploads.check_office_archive(data, name="a.xlsx", rule=rule)


# --- legacy encodings in the XLSX import ------------------------------------------------------

LEGACY = {
    "tcvn3": (
        ["C«ng t¸c chØ ®¹o", "Ban hµnh kÕ ho¹ch thi ®ua n¨m", "Tæ chøc ph¸t ®éng"],
        "TCVN3 (ABC)",
    ),
    "vni": (
        ["Coâng taùc chæ ñaïo", "Ban haønh keá hoaïch thi ñua naêm", "Toå chöùc phaùt ñoäng"],
        "VNI",
    ),
}


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_a_scale_typed_in_a_legacy_encoding_is_refused_with_how_to_convert(world, login, case):
    titles, encoding = LEGACY[case]
    upload = SimpleUploadedFile("thang-diem.xlsx", scale_xlsx(titles))
    page = _page(POINTS["scale_xlsx"].post(world, login, upload))
    assert f"bảng mã {encoding}" in page or encoding in page
    assert "Công cụ chuyển mã" in page
    assert "Các dòng 2, 3, 4" in page
    assert POINTS["scale_xlsx"].written() == 0


def test_the_same_scale_in_unicode_is_imported(world, login):
    upload = SimpleUploadedFile("thang-diem.xlsx", scale_xlsx(VALID_XLSX_TITLES))
    page = _page(POINTS["scale_xlsx"].post(world, login, upload))
    assert "Đã nhập 3 dòng" in page
    assert POINTS["scale_xlsx"].written() == 3


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_a_text_field_typed_in_a_legacy_encoding_is_refused(world, login, case):
    titles, _encoding = LEGACY[case]
    spec = POINTS["paper_scan"]
    from tests.covenants.conftest import make_covenant

    covenant = make_covenant(world)
    day = covenant.finalized_at.astimezone().date().isoformat()
    url = reverse("covenant_record_paper", kwargs={"pk": covenant.pk})
    data = {"unit": world.member.pk, "signer_name": titles[1], "signed_on": day}
    page = _page(
        login(world.secretariat).post(url, data | {"scan": SimpleUploadedFile("a.pdf", PDF)})
    )
    assert "Công cụ chuyển mã" in page
    assert spec.written() == 0


def test_a_nul_character_is_a_form_error_not_a_server_error(world, login):
    from tests.covenants.conftest import make_covenant

    covenant = make_covenant(world)
    day = covenant.finalized_at.astimezone().date().isoformat()
    url = reverse("covenant_record_paper", kwargs={"pk": covenant.pk})
    data = {"unit": f"{world.member.pk}\x00", "signer_name": "Nguyễn\x00 Văn", "signed_on": day}
    response = login(world.secretariat).post(url, data | {"scan": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 200
    assert "ký tự điều khiển NUL" in _page(response)
    assert POINTS["paper_scan"].written() == 0
