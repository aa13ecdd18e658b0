"""The minutes (BB) and the submission (TTr) issued in the bloc's register from snapshots, their
PDF and DOCX, idempotent issuing, and the dossier ZIP for the ministry.

The round of every test: chair 2, vice 1, member 0 votes of 3 present (paper); the chair, ranked
first with 98.5 points, is elected (tests/awards/matrix_awards.closed_paper_round).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as read_docx
from pypdf import PdfReader

from awards import services
from awards.documents import (
    MINUTES_KIND,
    SUBMISSION_KIND,
    dossier_zip,
    minutes_issue,
    submission_issue,
)
from awards.models import AwardType, Nomination, Proposal
from documents.models import Document, DocumentType
from documents.services import document_create_draft, document_freeze_pdf
from tests.awards.conftest import flag_round
from tests.awards.matrix_awards import PDF, closed_paper_round, issue_data

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 12, 20)
SIGNER = {"place": "Đắk Lắk", "signer_name": "Phạm Văn Tịch", "signer_title": "Trưởng ban"}


def _pdf_text(document: Document) -> str:
    with document_freeze_pdf(document_id=document.pk).pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _minutes(world, ballot_round=None) -> Document:
    ballot_round = ballot_round or closed_paper_round(world)
    return minutes_issue(
        ballot_round=ballot_round,
        by=world.secretariat,
        issued_on=DAY,
        signature_heading="CHỦ TỌA",
        **SIGNER,
    )


def _submission(world) -> Document:
    return submission_issue(
        bloc_year=world.bloc_year,
        by=world.secretariat,
        issued_on=DAY,
        signature_heading="TM. KHỐI THI ĐUA A\nKHỐI TRƯỞNG",
        **SIGNER,
    )


# --- the minutes ------------------------------------------------------------------------------


def test_the_minutes_are_numbered_in_the_blocs_register(world):
    document = _minutes(world)
    assert (document.kind, document.number_text, document.number_year) == (
        MINUTES_KIND,
        "01/BB-KTĐA",
        2022,
    )
    assert document.bloc == world.bloc
    assert document.status == Document.Status.ISSUED
    assert document.subject == "Kiểm phiếu bình xét Cờ thi đua của Bộ năm 2022"
    assert document.extra["elected"] == [world.chair.full_name]
    proposal = Proposal.objects.get()
    assert proposal.minutes == document


def test_the_minutes_pdf_names_the_elected_and_the_votes(world):
    text = _pdf_text(_minutes(world))
    assert "Số: 01/BB-KTĐA" in text
    assert "BIÊN BẢN" in text
    assert "ngày 20 tháng 12 năm 2022" in text
    for unit in (world.chair, world.vice, world.member):
        assert unit.full_name in text  # the members, and the candidates
    assert "Số phiếu phát ra: 3; số phiếu thu về: 3; số phiếu hợp lệ: 3." in text
    assert f"{world.chair.full_name}: 2/3 phiếu, đạt 66,67%" in text
    assert "đạt trên 50% phiếu, xếp trong 1 suất" in text
    assert "33,33" in text
    assert "THƯ KÝ" in text
    assert "CHỦ TỌA" in text
    assert "Phạm Văn Tịch" in text


def test_issuing_the_minutes_twice_gives_the_same_document(world):
    first = _minutes(world)
    again = minutes_issue(
        ballot_round=Proposal.objects.get().round,
        by=world.secretariat,
        issued_on=dt.date(2022, 12, 21),
        **SIGNER,
    )
    assert again.pk == first.pk
    assert Document.objects.filter(kind=MINUTES_KIND).count() == 1


def test_an_open_round_has_no_minutes(world, leaders):
    ballot_round = services.round_open(ballot_round=flag_round(world), by=world.secretariat)
    with pytest.raises(ValidationError, match="sau khi vòng bỏ phiếu đã kết thúc"):
        minutes_issue(ballot_round=ballot_round, by=world.secretariat, issued_on=DAY, **SIGNER)
    assert not Document.objects.exists()


def test_the_minutes_docx_carries_the_vote_table(world):
    from documents.docx import render_document_docx

    docx = read_docx(io.BytesIO(render_document_docx(_minutes(world))))
    cells = {cell.text for table in docx.tables for row in table.rows for cell in row.cells}
    assert {"Ứng viên", "Số phiếu", "Tỷ lệ (%)", world.chair.full_name, "66,67", "Trúng"} <= cells


# --- the submission ---------------------------------------------------------------------------


def test_the_submission_lists_each_proposal_with_score_rank_and_votes(world):
    minutes = _minutes(world)
    document = _submission(world)
    assert (document.kind, document.number_text) == (SUBMISSION_KIND, "02/TTr-KTĐA")
    assert Proposal.objects.get().submission == document
    text = _pdf_text(document)
    assert "TỜ TRÌNH" in text
    assert "Số: 02/TTr-KTĐA" in text
    assert "1. Cờ thi đua của Bộ" in text
    assert world.chair.full_name in text
    assert "98,50" in text
    assert "2/3" in text
    assert "66,67" in text
    assert f"Biên bản kiểm phiếu số {minutes.number_text}" in text
    assert "TM. KHỐI THI ĐUA A" in text
    assert "KHỐI TRƯỞNG" in text
    assert world.vice.full_name not in text  # not elected, not proposed


def test_the_submission_groups_proposals_by_award(world):
    closed_paper_round(world)
    closed_paper_round(
        world,
        ranked=False,
        award_code="bang-khen-tap-the",
        seats=2,
        votes=(3, 2, 1),
        title="Bình xét Bằng khen năm 2022",
    )
    awards = _submission(world).extra["awards"]
    assert [(a["award"], [r["label"] for r in a["rows"]]) for a in awards] == [
        ("Cờ thi đua của Bộ", [world.chair.full_name]),
        ("Bằng khen của Bộ trưởng (tập thể)", [world.chair.full_name, world.vice.full_name]),
    ]
    assert (awards[1]["rows"][1]["rank"], awards[1]["rows"][1]["votes"]) == (2, 2)


def test_the_submission_is_issued_once_and_needs_proposals(world):
    with pytest.raises(ValidationError, match="Chưa có đề nghị khen thưởng"):
        _submission(world)
    closed_paper_round(world)
    first = _submission(world)
    assert _submission(world).pk == first.pk
    assert Document.objects.filter(kind=SUBMISSION_KIND).count() == 1


def test_the_submission_docx_carries_the_proposals(world):
    from documents.docx import render_document_docx

    closed_paper_round(world)
    docx = read_docx(io.BytesIO(render_document_docx(_submission(world))))
    cells = {cell.text for table in docx.tables for row in table.rows for cell in row.cells}
    assert {
        "Tập thể, cá nhân",
        "Điểm thi đua",
        "Hạng",
        world.chair.full_name,
        "98,50",
        "1",
        "66,67",
    } <= cells


# --- the views --------------------------------------------------------------------------------


def test_the_secretariat_issues_the_minutes_from_the_results_page(world, login):
    ballot_round = closed_paper_round(world)
    url = reverse("ballot_minutes_issue", kwargs={"pk": ballot_round.pk})
    response = login(world.secretariat).post(url, issue_data())
    document = Document.objects.get(kind=MINUTES_KIND)
    assert response["Location"] == reverse("document_detail", kwargs={"pk": document.pk})
    again = login(world.secretariat).post(url, issue_data())
    assert again["Location"] == response["Location"]
    page = login(world.officer).get(reverse("ballot_round_results", kwargs={"pk": ballot_round.pk}))
    assert "01/BB-KTĐA" in page.content.decode()


def test_minutes_of_an_open_round_are_refused_with_a_message(world, login, leaders):
    ballot_round = services.round_open(ballot_round=flag_round(world), by=world.secretariat)
    response = login(world.secretariat).post(
        reverse("ballot_minutes_issue", kwargs={"pk": ballot_round.pk}), issue_data(), follow=True
    )
    assert "sau khi vòng bỏ phiếu đã kết thúc" in response.content.decode()
    assert not Document.objects.exists()


def test_the_secretariat_issues_the_submission_from_the_overview(world, login):
    closed_paper_round(world)
    url = reverse("award_submission_issue", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    response = login(world.secretariat).post(url, issue_data())
    document = Document.objects.get(kind=SUBMISSION_KIND)
    assert response["Location"] == reverse("document_detail", kwargs={"pk": document.pk})
    assert document.signature_heading == "TM. KHỐI THI ĐUA A"
    assert document.authority == "TM."
    assert login(world.ministry).post(url, issue_data()).status_code == 403


def test_an_incomplete_issue_form_goes_back_with_a_message(world, login):
    closed_paper_round(world)
    url = reverse("award_submission_issue", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    response = login(world.secretariat).post(url, {"issued_on": "2022-12-20"}, follow=True)
    assert "Họ tên người ký" in response.content.decode()
    assert not Document.objects.exists()


# --- the dossier ------------------------------------------------------------------------------


def _unit_report(world) -> Nomination:
    return services.nomination_create(
        bloc_year=world.bloc_year,
        award_type=AwardType.objects.get(code="dien-hinh-tap-the"),
        unit=world.member,
        by=world.officer,
        source=Nomination.Source.UNIT,
        report=SimpleUploadedFile("bao-cao.pdf", PDF, "application/pdf"),
    )


def test_the_dossier_holds_the_submission_minutes_summary_and_reports(world):
    from scoring.models import Round
    from scoring.summary import summary_issue

    ballot_round = closed_paper_round(world)
    summary = summary_issue(
        scoring_round=Round.objects.get(bloc_year=world.bloc_year),
        by=world.secretariat,
        issued_on=DAY,
        signature_heading="TM. KHỐI THI ĐUA A",
        **SIGNER,
    )
    minutes = _minutes(world, ballot_round)
    submission = _submission(world)
    _unit_report(world)
    # Neither a draft nor another bloc's summary belongs in it.
    for bloc in (world.bloc, world.other_bloc):
        document_create_draft(
            bloc=bloc,
            doc_type=DocumentType.objects.get(code="BC"),
            kind="summary_table",
            subject="Biểu tổng hợp (dự thảo)",
            place="Đắk Lắk",
            created_by=world.secretariat,
            extra={"year": 2022},
        )
    archive = zipfile.ZipFile(io.BytesIO(dossier_zip(world.bloc_year)))
    assert sorted(archive.namelist()) == [
        "1-to-trinh/03_TTr-KTĐA.pdf",
        "2-bien-ban-kiem-phieu/02_BB-KTĐA.pdf",
        "3-bieu-tong-hop/01_BC-KTĐA.pdf",
        f"4-bao-cao-thanh-tich/{world.member.full_name} - bao-cao.pdf",
        "danh-muc.csv",
    ]
    assert (summary.number_text, minutes.number_text, submission.number_text) == (
        "01/BC-KTĐA",
        "02/BB-KTĐA",
        "03/TTr-KTĐA",
    )
    for name in archive.namelist():
        if name.endswith(".pdf") and not name.startswith("4-"):
            assert archive.read(name).startswith(b"%PDF")
    assert archive.read(f"4-bao-cao-thanh-tich/{world.member.full_name} - bao-cao.pdf") == PDF
    index = list(csv.reader(io.StringIO(archive.read("danh-muc.csv").decode("utf-8-sig"))))
    assert index[0] == ["tep", "noi_dung", "sha256"]
    assert len(index) == 5
    for name, _what, digest in index[1:]:
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    submission.refresh_from_db()
    assert submission.is_pdf_ready  # frozen on the way, so the dossier and verification agree


def test_a_correction_replaces_the_submission_in_the_dossier_once_issued(world):
    from documents.services import document_issue, document_supersede

    def submissions() -> list[str]:
        archive = zipfile.ZipFile(io.BytesIO(dossier_zip(world.bloc_year)))
        return [name for name in archive.namelist() if name.startswith("1-to-trinh/")]

    closed_paper_round(world)
    original = _submission(world)
    correction = document_supersede(document=original, created_by=world.secretariat)
    assert _submission(world).pk == correction.pk  # the current one of the chain
    assert submissions() == ["1-to-trinh/01_TTr-KTĐA.pdf"]  # a draft replaces nothing yet
    document_issue(document=correction, issued_on=DAY, issued_by=world.secretariat, render=False)
    assert submissions() == ["1-to-trinh/02_TTr-KTĐA.pdf"]


def test_the_dossier_download_is_for_the_secretariat_and_the_ministry(world, login):
    _unit_report(world)
    url = reverse("award_dossier", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    for user in (world.secretariat, world.ministry):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert "attachment" in response["Content-Disposition"]
        assert "ho-so-khen-thuong-KT" in response["Content-Disposition"]
        assert "danh-muc.csv" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert login(world.officer).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
