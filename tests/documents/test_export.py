"""``manage.py export_documents``: one bloc's issued documents of a year, as PDFs plus index.csv."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import pdfplumber
import pytest
from django.core.management import CommandError, call_command

from documents.models import Document, DocumentType
from documents.services import document_create_draft, document_freeze_pdf, document_issue

COLUMNS = ["number", "date", "type", "subject", "signer", "sha256", "file"]
INVITATION = "tham dự Hội nghị tổng kết công tác thi đua năm 2020 tại Sóc Trăng"
REPORT = "Tổng kết phong trào thi đua, khen thưởng năm 2021 của Khối"


def _document(world, bloc, code: str, subject: str, on: dt.date | None) -> Document:
    document = document_create_draft(
        doc_type=DocumentType.objects.get(code=code),
        subject=subject,
        created_by=world.secretariat,
        bloc=bloc,
        place="Sóc Trăng",
        body="Nội dung có đủ dấu tiếng Việt: Đắk Lắk, Bình Định.",
        signature_heading="TM. KHỐI THI ĐUA\nTRƯỞNG KHỐI",
        signer_name="Nguyễn Văn Kiệt",
    )
    if on is None:
        return document
    return document_issue(
        document=document, issued_on=on, issued_by=world.secretariat, render=False
    )


@pytest.fixture
def register(world) -> dict[str, Document]:
    """Bloc A: two documents of 2021 (one already frozen, one distributed), one of 2022, a draft;
    bloc B: one of 2021."""
    first = _document(world, world.bloc, "TM", INVITATION, dt.date(2021, 1, 11))
    second = _document(world, world.bloc, "BC", REPORT, dt.date(2021, 12, 20))
    Document.objects.filter(pk=second.pk).update(status=Document.Status.DISTRIBUTED)
    next_year = _document(world, world.bloc, "KH", "Kế hoạch thi đua năm 2022", dt.date(2022, 2, 3))
    draft = _document(world, world.bloc, "TM", "Dự thảo chưa phát hành", None)
    other = _document(world, world.other_bloc, "TM", "Văn bản của khối B", dt.date(2021, 3, 1))
    first = document_freeze_pdf(document_id=first.pk)
    return {
        "first": first,
        "second": second,
        "next_year": next_year,
        "draft": draft,
        "other": other,
    }


def _export(symbol: str, year: int, out) -> str:
    stdout = io.StringIO()
    call_command(
        "export_documents", "--bloc", symbol, "--year", str(year), "--out", str(out), stdout=stdout
    )
    return stdout.getvalue()


def _index(out) -> list[dict[str, str]]:
    with (out / "index.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_export_writes_the_years_pdfs_and_an_index(world, register, tmp_path):
    out = tmp_path / "xuat" / "2021"  # created, parents included

    message = _export("KTĐA", 2021, out)

    assert sorted(p.name for p in out.iterdir()) == [
        "01_TM-KTĐA.pdf",
        "02_BC-KTĐA.pdf",
        "index.csv",
    ]
    assert "Đã xuất 2 văn bản" in message
    # Excel needs the BOM to read UTF-8; the Vietnamese survives the round trip.
    assert (out / "index.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _index(out)
    assert [row["number"] for row in rows] == ["01/TM-KTĐA", "02/BC-KTĐA"]  # by number
    assert rows[0] == {
        "number": "01/TM-KTĐA",
        "date": "11/01/2021",
        "type": "Thư mời",
        "subject": INVITATION,
        "signer": "Nguyễn Văn Kiệt",
        "sha256": rows[0]["sha256"],
        "file": "01_TM-KTĐA.pdf",
    }
    assert (rows[1]["date"], rows[1]["type"]) == ("20/12/2021", "Báo cáo")
    assert rows[1]["subject"] == REPORT
    for row in rows:
        content = (out / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(content).hexdigest()
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            text = " ".join(pdf.pages[0].extract_text().split())
        assert f"Số: {row['number']}" in text


def test_export_uses_the_frozen_pdf_and_freezes_the_others(world, register, tmp_path):
    first, second = register["first"], register["second"]
    assert first.is_pdf_ready
    assert not second.is_pdf_ready

    _export("KTĐA", 2021, tmp_path / "a")

    second.refresh_from_db()
    assert second.is_pdf_ready  # frozen by the export, so the verification page shows this file
    rows = {row["number"]: row for row in _index(tmp_path / "a")}
    assert rows["01/TM-KTĐA"]["sha256"] == first.sha256
    assert rows["02/BC-KTĐA"]["sha256"] == second.sha256
    with first.pdf.open("rb") as handle:
        assert (tmp_path / "a" / "01_TM-KTĐA.pdf").read_bytes() == handle.read()
    # A second export renders nothing again: the same files, byte for byte.
    _export("KTĐA", 2021, tmp_path / "b")
    assert _index(tmp_path / "b") == _index(tmp_path / "a")


def test_export_of_another_year_and_another_bloc(world, register, tmp_path):
    _export("KTĐA", 2022, tmp_path / "2022")
    _export("KTĐB", 2021, tmp_path / "b")

    assert [row["number"] for row in _index(tmp_path / "2022")] == ["01/KH-KTĐA"]
    assert [row["subject"] for row in _index(tmp_path / "b")] == ["Văn bản của khối B"]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["01_TM-KTĐB.pdf", "index.csv"]


def test_a_year_without_documents_writes_an_empty_index(world, register, tmp_path):
    message = _export("KTĐA", 2019, tmp_path)

    assert _index(tmp_path) == []
    assert "không có văn bản" in message


def test_an_unknown_bloc_symbol_is_a_clear_error(world, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        _export("KTĐXYZ", 2021, tmp_path / "out")

    message = str(excinfo.value)
    assert "Không tìm thấy khối có ký hiệu “KTĐXYZ”" in message
    assert "KTĐA" in message  # lists the symbols that do exist
    assert not (tmp_path / "out").exists()


def test_a_tampered_frozen_pdf_stops_the_export(world, register, tmp_path):
    first = register["first"]
    with first.pdf.open("wb") as handle:  # someone edits the stored file behind our back
        handle.write(b"%PDF-1.7 altered")

    with pytest.raises(CommandError) as excinfo:
        _export("KTĐA", 2021, tmp_path)

    assert "01/TM-KTĐA" in str(excinfo.value)
    assert "không khớp mã SHA-256" in str(excinfo.value)
    assert not (tmp_path / "index.csv").exists()
