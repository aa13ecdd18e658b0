"""Evidence files (minh chứng): type checked by content, 10 MB at most, SHA-256 kept, and only
ever handed out as an attachment to the people who may see the sheet."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring import services
from scoring.models import Entry, Evidence
from tests.matrix_support import drain
from tests.scoring.matrix_sheets import PDF, PNG, fill_sheet, pdf_upload

pytestmark = pytest.mark.django_db


def _entry(scored, code: str = "2") -> Entry:
    return Entry.objects.select_related("criterion").get(
        sheet=scored.sheets["member"], criterion__code=code
    )


def _upload(client, entry: Entry, upload, follow: bool = True):
    return client.post(
        reverse("evidence_upload", kwargs={"entry_pk": entry.pk}), {"file": upload}, follow=follow
    )


def _evidence(world, scored) -> Evidence:
    return services.evidence_add(entry=_entry(scored), upload=pdf_upload(), by=world.officer)


def _body(response) -> bytes:
    return drain(response)


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("Báo cáo.pdf", PDF, "application/pdf"),
        ("Ảnh chụp bằng khen.png", PNG, "image/png"),
    ],
)
def test_a_pdf_or_an_image_is_kept_with_its_hash(world, scored, login, name, content, mime):
    entry = _entry(scored)
    response = _upload(login(world.officer), entry, SimpleUploadedFile(name, content), follow=False)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#muc-{entry.pk}")
    evidence = Evidence.objects.get(entry=entry)
    assert evidence.content_type == mime
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.original_name == name
    assert evidence.uploaded_by == world.officer
    with evidence.file.open("rb") as stored:
        assert stored.read() == content
    assert name not in evidence.file.name  # stored under a random name


def test_a_decomposed_name_is_stored_composed(world, scored, login):
    name = unicodedata.normalize("NFD", "Biên bản họp.pdf")
    _upload(login(world.officer), _entry(scored), SimpleUploadedFile(name, PDF))
    assert Evidence.objects.get().original_name == unicodedata.normalize("NFC", "Biên bản họp.pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("caidat.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("bao-cao.pdf", b"Day la tep van ban, khong phai PDF.\n"),
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(world, scored, login, name, content):
    response = _upload(login(world.officer), _entry(scored), SimpleUploadedFile(name, content))
    page = response.content.decode()
    assert "Không nhận tệp cho tiêu chí 2" in page
    assert "theo nội dung tệp" in page
    assert not Evidence.objects.exists()


def test_a_file_over_10_mb_is_refused(world, scored, login):
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = _upload(login(world.officer), _entry(scored), SimpleUploadedFile("lon.pdf", big))
    assert "Tệp quá lớn: tối đa 10 MB." in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_missing_file_is_explained(world, scored, login):
    entry = _entry(scored)
    response = login(world.officer).post(
        reverse("evidence_upload", kwargs={"entry_pk": entry.pk}), follow=True
    )
    assert "Hãy chọn tệp minh chứng." in response.content.decode()


def test_no_upload_once_the_sheet_is_sent(world, scored, login):
    sheet = fill_sheet(scored.sheets["member"], world.officer)
    services.sheet_submit(sheet=sheet, version=sheet.version, by=world.officer)
    response = _upload(login(world.officer), _entry(scored, "1"), pdf_upload())
    assert "không thêm minh chứng được" in response.content.decode()
    assert not Evidence.objects.filter(entry__criterion__code="1").exists()


@pytest.mark.parametrize("role", ["leader", "secretariat", "ministry"])
def test_only_the_units_officer_uploads(world, scored, login, role):
    response = _upload(login(world.user(role)), _entry(scored), pdf_upload(), follow=False)
    assert response.status_code == 403
    assert not Evidence.objects.exists()


# --- download -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "leader", "secretariat", "ministry"])
def test_the_download_is_always_an_attachment(world, scored, login, role):
    evidence = _evidence(world, scored)
    response = login(world.user(role)).get(reverse("evidence_download", kwargs={"pk": evidence.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "B%C3%A1o%20c%C3%A1o%20t%E1%BB%95ng%20k%E1%BA%BFt.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == PDF


def test_an_outsider_gets_a_404_and_anonymous_the_login_page(world, scored, login):
    evidence = _evidence(world, scored)
    url = reverse("evidence_download", kwargs={"pk": evidence.pk})
    assert login(world.outsider).get(url).status_code == 404
    response = login(None).get(url)
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_evidence_is_never_served_from_media_url(world, scored, login):
    evidence = _evidence(world, scored)
    client = login(world.officer)
    for url in (
        evidence.file.url,
        settings.MEDIA_URL + evidence.file.name,
        "/media/" + evidence.file.name,
    ):
        assert client.get(url).status_code == 404, url


def test_a_file_missing_from_storage_is_a_404(world, scored, login):
    evidence = _evidence(world, scored)
    evidence.file.storage.delete(evidence.file.name)
    assert (
        login(world.officer)
        .get(reverse("evidence_download", kwargs={"pk": evidence.pk}))
        .status_code
        == 404
    )


# --- delete -------------------------------------------------------------------------------------


def test_the_officer_deletes_evidence_from_a_draft(world, scored, login):
    evidence = _evidence(world, scored)
    storage, name = evidence.file.storage, evidence.file.name
    response = login(world.officer).post(reverse("evidence_delete", kwargs={"pk": evidence.pk}))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#muc-{evidence.entry_id}")
    assert not Evidence.objects.exists()
    assert not storage.exists(name)
    deleted = Evidence.history.filter(id=evidence.pk).first()
    assert deleted.history_type == "-"
    assert deleted.history_user == world.officer


def test_evidence_of_a_sent_sheet_stays(world, scored, login):
    sheet = fill_sheet(scored.sheets["member"], world.officer)
    services.sheet_submit(sheet=sheet, version=sheet.version, by=world.officer)
    evidence = Evidence.objects.get()
    response = login(world.officer).post(
        reverse("evidence_delete", kwargs={"pk": evidence.pk}), follow=True
    )
    assert "không xóa minh chứng được" in response.content.decode()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 403), ("secretariat", 403), ("outsider", 404)]
)
def test_others_cannot_delete_evidence(world, scored, login, role, status):
    evidence = _evidence(world, scored)
    assert (
        login(world.user(role))
        .post(reverse("evidence_delete", kwargs={"pk": evidence.pk}))
        .status_code
        == status
    )
    assert Evidence.objects.filter(pk=evidence.pk).exists()
