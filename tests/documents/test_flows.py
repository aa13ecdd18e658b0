"""The register as the secretariat uses it: draft, edit, issue, distribute, correct, batch, verify."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.models import Batch, Delivery, Document, DocumentType
from documents.tasks import run_batch, send_delivery

pytestmark = pytest.mark.django_db


def _draft(world, **extra):
    fields = {
        "subject": "Họp thường trực Khối",
        "place": "Đắk Lắk",
        "signer_name": "Phạm Văn Tịch",
        "body": "Kính mời các đơn vị dự họp.",
    } | extra
    return services.document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="GM"),
        created_by=world.secretariat,
        **fields,
    )


def _form_data(document, **changes):
    from documents.forms import DocumentForm

    data = {k: v for k, v in DocumentForm.initial_from(document).items()}
    data["doc_type"] = document.doc_type_id
    return {k: ("" if v is None else v) for k, v in (data | changes).items()}


def test_secretariat_drafts_a_document_with_bloc_header(world, login):
    client = login(world.secretariat)
    page = client.get(
        reverse("document_create", kwargs={"bloc_pk": world.bloc.pk})
    ).content.decode()
    assert "KHỐI THI ĐUA A" in page  # the issuer defaults to the bloc's name
    response = client.post(
        reverse("document_create", kwargs={"bloc_pk": world.bloc.pk}),
        {
            "doc_type": DocumentType.objects.get(code="BC").pk,
            "subject": "Tổng kết năm 2022",
            "place": "Đắk Lắk",
            "issuer_name": "KHỐI THI ĐUA A",
            "body": "Nội dung",
            "signer_name": "Phạm Văn Tịch",
        },
    )
    document = Document.objects.get(subject="Tổng kết năm 2022")
    assert response.status_code == 302
    assert document.is_draft
    assert document.number is None
    assert document.issuer_symbol == "KTĐA"


def test_a_stale_edit_is_refused_and_changes_nothing(world, login):
    document = _draft(world)
    client = login(world.secretariat)
    url = reverse("document_edit", kwargs={"pk": document.pk})
    stale = _form_data(document, body="Bản của người thứ nhất")
    fresh = _form_data(document, body="Bản của người thứ hai")
    assert client.post(url, fresh).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "Dự thảo vừa được người khác sửa" in response.content.decode()
    document.refresh_from_db()
    assert document.body == "Bản của người thứ hai"
    assert document.version == 2


def test_issue_numbers_freezes_and_forbids_edits(world, login, django_capture_on_commit_callbacks):
    document = _draft(world)
    client = login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("document_issue", kwargs={"pk": document.pk}),
            {
                "issued_on": "2022-03-02",
                "signer_name": "Phạm Văn Tịch",
                "signer_title": "TRƯỞNG BAN",
                "authority": "TM.",
                "signature_heading": "TM. KHỐI THI ĐUA A",
            },
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.number_text == "01/GM-KTĐA"
    assert document.issued_on == dt.date(2022, 3, 2)
    assert document.is_pdf_ready
    assert hashlib.sha256(document.pdf.read()).hexdigest() == document.sha256
    document.pdf.close()
    assert document.history.first().history_user == world.secretariat
    response = client.get(reverse("document_edit", kwargs={"pk": document.pk}), follow=True)
    assert "không thể sửa" in response.content.decode()
    # re-running the render task changes nothing: the frozen file and hash stay
    sha = document.sha256
    services.document_freeze_pdf(document_id=document.pk)
    document.refresh_from_db()
    assert document.sha256 == sha


def test_issue_without_signer_is_refused_in_vietnamese(world, login):
    document = _draft(world, signer_name="")
    response = login(world.secretariat).post(
        reverse("document_issue", kwargs={"pk": document.pk}),
        {"issued_on": "2022-03-02", "signer_name": ""},
        follow=True,
    )
    assert (
        "Trường này là bắt buộc" in response.content.decode()
        or "bắt buộc" in response.content.decode()
    )
    document.refresh_from_db()
    assert document.is_draft
    assert document.number is None


def test_distribution_mails_each_member_once_with_the_pdf(
    world, django_capture_on_commit_callbacks
):
    document = services.document_issue(
        document=_draft(world),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.document_distribute(document=document, by=world.secretariat)
    emails = {m.to[0] for m in mail.outbox}
    assert (
        queued == len(mail.outbox) == 3
    )  # the people of A's members (the vice unit has nobody yet)
    assert {world.officer.email, world.leader.email, world.secretariat.email} <= emails
    attachment = mail.outbox[0].attachments[0]
    assert attachment.filename == "01_GM-KTĐA.pdf"
    assert attachment.content.startswith(b"%PDF")
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    # distributing again, or re-running a task, sends nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert services.document_distribute(document=document, by=world.secretariat) == 0
    for delivery in Delivery.objects.all():
        assert send_delivery(delivery.pk) == "skipped"
    assert len(mail.outbox) == 3


def test_a_failed_delivery_is_shown_and_can_be_resent(
    world, login, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    document = services.document_issue(
        document=_draft(world),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("máy chủ thư từ chối")

    # Only the first send is refused: a scoped patch (undoing the whole monkeypatch fixture
    # would also undo the conftest's two-factor sign-in patch).
    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            services.document_distribute(
                document=document,
                by=world.secretariat,
                recipients=[("Bình Định", "bd@khoiportal.test", world.member)],
            )
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "từ chối" in delivery.last_error
    page = (
        login(world.secretariat)
        .get(reverse("document_detail", kwargs={"pk": document.pk}))
        .content.decode()
    )
    assert "máy chủ thư từ chối" in page
    assert "Gửi lại" in page
    with django_capture_on_commit_callbacks(execute=True):
        login(world.secretariat).post(reverse("delivery_retry", kwargs={"pk": delivery.pk}))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_correction_is_a_new_document_that_supersedes(world, login):
    document = services.document_issue(
        document=_draft(world),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )
    response = login(world.secretariat).post(
        reverse("document_supersede", kwargs={"pk": document.pk})
    )
    new = Document.objects.get(supersedes=document)
    assert response.status_code == 302
    assert new.is_draft
    assert new.subject == document.subject
    document.refresh_from_db()
    assert document.number_text == "01/GM-KTĐA"
    assert document.status == Document.Status.ISSUED
    issued = services.document_issue(
        document=new, issued_on=dt.date(2022, 3, 5), issued_by=world.secretariat, render=False
    )
    assert issued.number_text == "02/GM-KTĐA"


def test_members_see_issued_documents_but_not_drafts(world, login):
    draft = _draft(world, subject="Dự thảo nội bộ")
    issued = services.document_issue(
        document=_draft(world, subject="Đã ban hành"),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )
    page = (
        login(world.officer)
        .get(reverse("register", kwargs={"bloc_pk": world.bloc.pk}))
        .content.decode()
    )
    assert "Đã ban hành" in page
    assert "Dự thảo nội bộ" not in page
    assert (
        login(world.officer).get(reverse("document_detail", kwargs={"pk": draft.pk})).status_code
        == 404
    )
    assert (
        login(world.outsider).get(reverse("document_detail", kwargs={"pk": issued.pk})).status_code
        == 404
    )


def test_batch_issues_in_order_reports_progress_and_zips(world, login):
    drafts = [_draft(world, subject=f"Thư mời đơn vị {n}") for n in range(3)]
    client = login(world.secretariat)
    response = client.post(
        reverse("batch_create", kwargs={"bloc_pk": world.bloc.pk}),
        {"documents": [d.pk for d in drafts], "issued_on": "2022-04-01"},
    )
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert batch.total == 3
    html = client.get(reverse("batch_progress", kwargs={"uid": batch.uid})).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "0/3" in html
    run_batch(batch.pk)
    html = client.get(reverse("batch_progress", kwargs={"uid": batch.uid})).content.decode()
    assert "3/3" in html
    assert "hx-trigger" not in html
    assert "Tải tệp ZIP" in html
    response = client.get(reverse("batch_zip", kwargs={"uid": batch.uid}))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["01_GM-KTĐA.pdf", "02_GM-KTĐA.pdf", "03_GM-KTĐA.pdf"]
    assert run_batch(batch.pk) == "done"  # idempotent


def test_public_verification_page_and_upload_check(world, client):
    document = services.document_issue(
        document=_draft(world),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )
    document = services.document_freeze_pdf(document_id=document.pk)
    url = reverse("verify", kwargs={"code": document.verification_code})
    page = client.get(url).content.decode()
    assert "01/GM-KTĐA" in page
    assert document.sha256 in page
    assert "02/03/2022" in page
    original = document.pdf.read()
    document.pdf.close()
    ok = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", original, "application/pdf")}
    ).content.decode()
    assert "Tệp khớp với bản gốc" in ok
    tampered = original[:-200] + original[-200:].replace(b"startxref", b"startxreF")
    bad = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", tampered, "application/pdf")}
    ).content.decode()
    assert "KHÔNG khớp" in bad
    not_pdf = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", b"GIF89a...", "application/pdf")}
    )
    assert "không phải là tệp PDF" in not_pdf.content.decode()
    assert client.get(reverse("verify", kwargs={"code": "KHONGCO"})).status_code == 404


def test_drafts_are_not_verifiable(world, client):
    document = _draft(world)
    assert document.verification_code is None
    assert client.get(reverse("verify_lookup"), {"code": "ABC"}).status_code == 302


def test_dashboard_lists_drafts_and_failed_deliveries(world, login):
    document = services.document_issue(
        document=_draft(world),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )
    _draft(world)
    Delivery.objects.create(
        document=document, name="X", email="x@khoiportal.test", status=Delivery.Status.FAILED
    )
    html = login(world.secretariat).get(reverse("dashboard")).content.decode()
    assert "1 dự thảo văn bản của KTĐA chưa phát hành" in html
    assert "1 thư gửi văn bản bị lỗi" in html
    assert "dự thảo văn bản" not in login(world.officer).get(reverse("dashboard")).content.decode()
