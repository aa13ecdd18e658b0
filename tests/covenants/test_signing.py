"""Signing the frozen covenant: online by the unit's leader, at the conference on the
secretariat's tablet, on paper recorded by the secretariat, as a PDF signed with the unit's
certificate; one signature per unit, bound to the text's SHA-256; the stored files."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from covenants import services
from covenants.models import Covenant, Signature
from covenants.sealing import UnitSignature
from tests.covenants.conftest import make_covenant
from tests.covenants.matrix_covenants import PDF, paper_signature, pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _url(name: str, covenant: Covenant) -> str:
    return reverse(name, kwargs={"pk": covenant.pk})


def _sign(client, covenant, password, sha256=None):
    return client.post(
        _url("covenant_sign", covenant),
        {"password": password, "sha256": sha256 or covenant.text_sha256},
    )


# --- online, by the leader ------------------------------------------------------------------


def test_the_leader_reads_the_text_and_its_hash_before_signing(world, login):
    covenant = make_covenant(world)
    page = _page(login(world.leader).get(_url("covenant_sign", covenant)))
    assert "Bạn ký thay mặt Ban Quản lý Khu kinh tế tỉnh Bình Định." in page
    assert "Bảo vệ tốt môi trường và an ninh trật tự trong các khu." in page
    assert covenant.text_sha256 in page
    assert 'type="password"' in page


def test_the_leader_signs_for_the_unit(world, login):
    covenant = make_covenant(world)
    response = _sign(login(world.leader), covenant, world.password)
    assert response.status_code == 302
    assert response["Location"] == _url("covenant_detail", covenant)
    signature = Signature.objects.get(covenant=covenant)
    assert (signature.unit, signature.signer, signature.method) == (
        world.member,
        world.leader,
        "online",
    )
    assert signature.signer_name == "Phạm Văn Lãnh"
    assert signature.text_sha256 == covenant.text_sha256 == services.covenant_hash(covenant)
    assert signature.ip_address == "127.0.0.1"
    assert signature.recorded_by is None


def test_a_wrong_password_signs_nothing(world, login):
    covenant = make_covenant(world)
    response = _sign(login(world.leader), covenant, "sai-mat-khau")
    assert response.status_code == 200
    assert "Mật khẩu không đúng; giao ước chưa được ký." in _page(response)
    assert 'value="sai-mat-khau"' not in _page(response)
    assert not Signature.objects.exists()


def test_a_text_other_than_the_one_shown_is_not_signed(world, login):
    covenant = make_covenant(world)
    response = _sign(login(world.leader), covenant, world.password, sha256="0" * 64)
    assert "Nội dung giao ước đã thay đổi từ khi bạn mở trang" in _page(response)
    assert not Signature.objects.exists()


def test_only_the_units_leader_signs(world, login):
    covenant = make_covenant(world)
    assert _sign(login(world.officer), covenant, world.password).status_code == 403
    assert _sign(login(world.secretariat), covenant, world.password).status_code == 403
    stranger = UserFactory(unit=world.outsider_unit, unit_role="leader")
    assert _sign(login(stranger), covenant, world.password).status_code == 404
    assert not Signature.objects.exists()


def test_a_unit_signs_once(world, login):
    covenant = make_covenant(world)
    _sign(login(world.leader), covenant, world.password)
    deputy = UserFactory(unit=world.member, unit_role="leader", full_name="Võ Phó Ban")
    client = login(deputy)
    response = client.get(_url("covenant_sign", covenant), follow=True)
    assert "Đơn vị của bạn đã ký giao ước này." in _page(response)
    response = _sign(client, covenant, world.password)
    assert response.status_code == 302
    assert Signature.objects.get().signer == world.leader


def test_the_service_refuses_a_second_signature_with_a_message(world):
    covenant = make_covenant(world)
    paper_signature(world, covenant)
    with pytest.raises(ValidationError, match=r"Bình Định đã ký giao ước này\."):
        services.covenant_sign(
            covenant=covenant, unit=world.member, method="online", signer=world.leader
        )


def test_signing_is_only_open_while_signing(world, login):
    covenant = make_covenant(world, finalize=False)
    services.covenant_share(covenant=covenant, by=world.secretariat)
    response = login(world.leader).get(_url("covenant_sign", covenant), follow=True)
    assert "Giao ước không ở giai đoạn ký." in _page(response)


# --- ceremony mode --------------------------------------------------------------------------


# Leaders signing on the tablet have their own passwords: the demo one is refused there
# outside DEBUG, as at the login page.
OWN_PASSWORD = "Le-ky@Hoi-nghi-2022"


@pytest.fixture
def leaders(world):
    """The chair's and the vice's leaders, who sign on the tablet."""
    return {
        "chair": UserFactory(
            username="lanhdao.daklak",
            full_name="Y Giang Niê",
            unit=world.chair,
            unit_role="leader",
            job_title="Trưởng ban",
            password=OWN_PASSWORD,
        ),
        "vice": UserFactory(
            username="lanhdao.lamdong",
            full_name="Trần Văn Lâm",
            unit=world.vice,
            unit_role="leader",
            job_title="Phó Trưởng ban",
            password=OWN_PASSWORD,
        ),
    }


def _ceremony_sign(client, covenant, unit, username, password, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        _url("covenant_ceremony_sign", covenant),
        {"unit": unit.pk, "username": username, "password": password},
        headers=headers,
    )


def test_the_ceremony_page_shows_the_tally_and_the_units(world, login):
    covenant = make_covenant(world)
    page = _page(login(world.secretariat).get(_url("covenant_ceremony", covenant)))
    assert "0/3 đơn vị đã ký" in page
    assert f'hx-get="{_url("covenant_ceremony_tally", covenant)}"' in page
    assert 'hx-trigger="every 2s, covenant-signed from:body"' in page
    for unit in ("Đắk Lắk", "Lâm Đồng", "Bình Định"):
        assert unit in page
    assert "js/covenant-ceremony.js" in page
    assert "<script>" not in page


def test_two_leaders_sign_in_turn_on_the_secretariats_tablet(world, login, leaders):
    covenant = make_covenant(world)
    client = login(world.secretariat)
    response = _ceremony_sign(client, covenant, world.chair, "lanhdao.daklak", OWN_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == _url("covenant_ceremony", covenant)
    response = _ceremony_sign(
        client, covenant, world.vice, "lanhdao.lamdong", OWN_PASSWORD, htmx=True
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "covenant-signed"
    partial = _page(response)
    assert "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng đã ký: Trần Văn Lâm." in partial
    assert "<html" not in partial
    assert 'id="ky-tai-hoi-nghi"' in partial
    assert 'name="password"' in partial
    assert "lanhdao.lamdong" not in partial

    tally = _page(client.get(_url("covenant_ceremony_tally", covenant)))
    assert "2/3 đơn vị đã ký" in tally
    assert "<html" not in tally
    assert tally.count("✓ đã ký") == 2
    assert "chờ ký" in tally

    signatures = {s.unit_id: s for s in Signature.objects.filter(covenant=covenant)}
    assert signatures[world.chair.pk].signer == leaders["chair"]
    assert signatures[world.vice.pk].signer_title == "Phó Trưởng ban"
    assert {s.method for s in signatures.values()} == {"ceremony"}
    assert {s.recorded_by for s in signatures.values()} == {world.secretariat}
    assert {s.text_sha256 for s in signatures.values()} == {covenant.text_sha256}
    # The tablet is still the secretariat's: the leaders were never logged in.
    assert client.session["_auth_user_id"] == str(world.secretariat.pk)
    assert client.get(_url("covenant_ceremony", covenant)).context["user"] == world.secretariat


def test_the_ceremony_offers_only_units_that_have_not_signed(world, login, leaders):
    covenant = make_covenant(world)
    client = login(world.secretariat)
    _ceremony_sign(client, covenant, world.chair, "lanhdao.daklak", OWN_PASSWORD)
    form = client.get(_url("covenant_ceremony", covenant)).context["form"]
    assert set(form.fields["unit"].queryset) == {world.vice, world.member}
    response = _ceremony_sign(
        client, covenant, world.chair, "lanhdao.daklak", OWN_PASSWORD, htmx=True
    )
    assert "Đơn vị này đã ký hoặc không thuộc khối năm này." in _page(response)
    assert "HX-Trigger" not in response
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("lanhdao.daklak", "sai-mat-khau", "Tên đăng nhập hoặc mật khẩu không đúng."),
        (
            "lanhdao.lamdong",
            OWN_PASSWORD,
            "Tài khoản này không phải lãnh đạo của Đắk Lắk.",
        ),  # another unit's
        (
            "secretariat",
            OWN_PASSWORD,
            "Tài khoản này không phải lãnh đạo của Đắk Lắk.",
        ),  # the unit's officer
        ("lanhdao.daklak", "KhoiPortal@2021", "Mật khẩu mẫu không được dùng"),  # the demo password
    ],
)
def test_the_ceremony_refuses_wrong_credentials(world, login, leaders, username, password, message):
    world.secretariat.set_password(OWN_PASSWORD)
    world.secretariat.save()
    leaders["chair"].set_password(world.password if password == world.password else OWN_PASSWORD)
    leaders["chair"].save()
    covenant = make_covenant(world)
    client = login(world.secretariat)
    response = _ceremony_sign(client, covenant, world.chair, username, password, htmx=True)
    assert response.status_code == 200
    assert message in _page(response)
    assert not Signature.objects.exists()
    assert client.session["_auth_user_id"] == str(world.secretariat.pk)


def test_the_ceremony_page_without_javascript_shows_errors_in_full(world, login):
    covenant = make_covenant(world)
    response = _ceremony_sign(login(world.secretariat), covenant, world.member, "leader", "sai")
    assert response.status_code == 200
    page = _page(response)
    assert "<html" in page
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert "0/3 đơn vị đã ký" in page


def test_the_tally_stops_polling_once_the_round_is_closed(world, login):
    covenant = make_covenant(world)
    for unit in (world.chair, world.vice, world.member):
        paper_signature(world, covenant, unit)
    # What covenant_close_and_seal does after the last signature's commit.
    Covenant.objects.filter(pk=covenant.pk).update(status=Covenant.Status.CLOSED)
    client = login(world.secretariat)
    tally = _page(client.get(_url("covenant_ceremony_tally", covenant)))
    assert "3/3 đơn vị đã ký" in tally
    assert "hx-get" not in tally
    assert client.get(_url("covenant_ceremony", covenant)).context["form"] is None


# --- paper, recorded by the secretariat -------------------------------------------------------


def _paper(client, covenant, unit, scan, **extra):
    data = {
        "unit": unit.pk,
        "signer_name": "Nguyễn Văn Giấy",
        "signer_title": "Trưởng ban",
        "signed_on": "2021-11-10",
        "scan": scan,
    } | extra
    return client.post(_url("covenant_record_paper", covenant), data)


def test_the_secretariat_records_a_paper_signature_with_its_scan(world, login):
    covenant = make_covenant(world)
    # Signed at the conference the day the text was frozen (the test's "today").
    day = covenant.finalized_at.astimezone().date().isoformat()
    response = _paper(login(world.secretariat), covenant, world.member, pdf_upload(), signed_on=day)
    assert response.status_code == 302
    signature = Signature.objects.get(covenant=covenant)
    assert (signature.method, signature.signer_name, signature.signer) == (
        "paper",
        "Nguyễn Văn Giấy",
        None,
    )
    assert signature.recorded_by == world.secretariat
    assert signature.text_sha256 == covenant.text_sha256
    assert signature.scan
    assert len(signature.scan_sha256) == 64
    assert signature.signed_at.astimezone().date().isoformat() == day


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Day khong phai tep PDF", "Chỉ nhận bản quét dạng PDF, ảnh JPEG hoặc PNG"),
        (b"PK\x03\x04" + b"\x00" * 100, "Chỉ nhận bản quét dạng PDF, ảnh JPEG hoặc PNG"),
        (PDF + b"0" * (10 * 1024 * 1024), "Tệp quá lớn: tối đa 10 MB."),
    ],
    ids=["text", "zip", "too-big"],
)
def test_a_scan_is_checked_by_its_content_and_size(world, login, content, message):
    covenant = make_covenant(world)
    day = covenant.finalized_at.astimezone().date().isoformat()
    scan = SimpleUploadedFile("ban-quet.pdf", content, content_type="application/pdf")
    response = _paper(login(world.secretariat), covenant, world.member, scan, signed_on=day)
    assert response.status_code == 200
    assert message in _page(response)
    assert not Signature.objects.exists()


def test_a_png_scan_is_accepted(world, login):
    covenant = make_covenant(world)
    day = covenant.finalized_at.astimezone().date().isoformat()
    scan = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    _paper(login(world.secretariat), covenant, world.vice, scan, signed_on=day)
    assert Signature.objects.get().unit == world.vice


def test_a_paper_signature_cannot_be_dated_before_the_text_was_frozen(world, login):
    covenant = make_covenant(world)
    response = _paper(
        login(world.secretariat), covenant, world.member, pdf_upload(), signed_on="2000-01-01"
    )
    assert "Ngày ký không được trước ngày chốt nội dung giao ước." in _page(response)
    response = _paper(
        login(world.secretariat), covenant, world.member, pdf_upload(), signed_on="2999-01-01"
    )
    assert "Ngày ký không được ở tương lai." in _page(response)
    assert not Signature.objects.exists()


def test_the_scan_goes_to_the_secretariat_and_the_signing_unit_only(world, login):
    signature = paper_signature(world)
    url = reverse("covenant_signature_scan", kwargs={"pk": signature.pk})
    for user in (world.secretariat, world.officer, world.leader):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "giao-uoc-2022-v1-binh-dinh.pdf" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF
    vice_officer = UserFactory(unit=world.vice, unit_role="officer")
    for user in (vice_officer, world.ministry, world.outsider):
        response = login(user).get(url)
        assert response.status_code == 404


def test_an_online_signature_has_no_file(world, login):
    covenant = make_covenant(world)
    signature = services.covenant_sign(
        covenant=covenant, unit=world.member, method="online", signer=world.leader
    )
    assert (
        login(world.leader)
        .get(reverse("covenant_signature_scan", kwargs={"pk": signature.pk}))
        .status_code
        == 404
    )


# --- a PDF signed with the unit's certificate (validator replaced: no PKI needed here) ---------


SUBJECT = "CN=Phạm Văn Lãnh,O=Ban Quản lý Khu kinh tế tỉnh Bình Định,L=Quy Nhơn,C=VN"


@pytest.fixture
def validator(monkeypatch):
    """Replace covenants.sealing.validate_unit_signed_pdf; records what it was given."""
    calls = []

    def fake(upload_bytes, expected_sha256_text=None, trust_roots=None):
        calls.append((upload_bytes, expected_sha256_text))
        if b"tampered" in upload_bytes:
            raise ValidationError("Chữ ký số trong tệp không còn nguyên vẹn.")
        return UnitSignature(
            subject=SUBJECT, signed_at=None, issuer="CN=CA thử", serial="1f", field="Sig1"
        )

    monkeypatch.setattr("covenants.sealing.validate_unit_signed_pdf", fake)
    return calls


def test_a_unit_uploads_its_certificate_signed_pdf(world, login, validator):
    covenant = make_covenant(world)
    response = login(world.officer).post(
        _url("covenant_upload_digital", covenant), {"file": pdf_upload()}
    )
    assert response.status_code == 302
    signature = Signature.objects.get(covenant=covenant)
    assert (signature.unit, signature.method, signature.recorded_by) == (
        world.member,
        "digital",
        world.officer,
    )
    assert signature.signer_name == "Phạm Văn Lãnh"
    assert signature.certificate_subject == SUBJECT
    assert signature.text_sha256 == covenant.text_sha256
    assert validator == [(PDF, covenant.text_sha256)]
    page = _page(login(world.leader).get(_url("covenant_detail", covenant)))
    assert "Chữ ký số của đơn vị" in page
    assert "Tải tệp ký số" in page


def test_a_refused_certificate_signature_records_nothing(world, login, validator):
    covenant = make_covenant(world)
    upload = SimpleUploadedFile("da-ky.pdf", PDF + b"tampered", content_type="application/pdf")
    response = login(world.leader).post(_url("covenant_upload_digital", covenant), {"file": upload})
    assert response.status_code == 200
    assert "Chữ ký số trong tệp không còn nguyên vẹn." in _page(response)
    assert not Signature.objects.exists()


def test_only_a_pdf_is_checked_for_a_certificate_signature(world, login, validator):
    covenant = make_covenant(world)
    upload = SimpleUploadedFile("anh.pdf", PNG, content_type="application/pdf")
    response = login(world.officer).post(
        _url("covenant_upload_digital", covenant), {"file": upload}
    )
    assert "Tệp không phải PDF" in _page(response)
    assert validator == []
    assert not Signature.objects.exists()


def test_a_missing_trust_root_is_reported_not_crashed(world, login, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    def unconfigured(*args, **kwargs):
        raise ImproperlyConfigured("COVENANT_TRUST_ROOTS chưa có chứng thư gốc nào được tin cậy.")

    monkeypatch.setattr("covenants.sealing.validate_unit_signed_pdf", unconfigured)
    covenant = make_covenant(world)
    response = login(world.officer).post(
        _url("covenant_upload_digital", covenant), {"file": pdf_upload()}
    )
    assert response.status_code == 200
    assert "Máy chủ chưa sẵn sàng kiểm tra chữ ký số" in _page(response)
    assert not Signature.objects.exists()


def test_people_without_a_member_unit_cannot_upload(world, login):
    covenant = make_covenant(world)
    assert login(world.ministry).get(_url("covenant_upload_digital", covenant)).status_code == 403
    assert login(world.outsider).get(_url("covenant_upload_digital", covenant)).status_code == 404


# --- closing --------------------------------------------------------------------------------


def test_the_secretariat_closes_the_round(world, login, django_capture_on_commit_callbacks):
    covenant = make_covenant(world)
    paper_signature(world, covenant)
    with django_capture_on_commit_callbacks() as callbacks:  # the seal is queued, not run here
        response = login(world.secretariat).post(_url("covenant_close", covenant), follow=True)
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.CLOSED
    assert len(callbacks) == 1
    assert "Đã kết thúc ký giao ước" in _page(response)


def test_closing_without_any_signature_is_refused(world, login):
    covenant = make_covenant(world)
    response = login(world.secretariat).post(_url("covenant_close", covenant), follow=True)
    assert "Chưa có đơn vị nào ký." in _page(response)
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.SIGNING


# --- the same, end to end with a real token signature (pyHanko; runs with the sealing tests) --


def test_digital_upload_of_a_token_signed_copy_is_recorded(world, login, settings, tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding

    from covenants import sealing
    from tests.covenants.test_digital import UNIT_SUBJECT, UnitPKI, issue, make_ca, signed_by_unit

    ca = make_ca("CA thử nghiệm cấp chứng thư cho đơn vị")
    root = tmp_path / "test-ca.pem"
    root.write_bytes(ca[1].public_bytes(Encoding.PEM))
    settings.COVENANT_TRUST_ROOTS = [str(root)]
    pki = UnitPKI(root=root, ca=ca, other_ca=ca, unit=issue(ca, UNIT_SUBJECT))
    covenant = make_covenant(world)
    signed = signed_by_unit(pki, sealing.signing_copy_pdf(covenant))
    upload = SimpleUploadedFile("giao-uoc-da-ky-so.pdf", signed, content_type="application/pdf")
    # The secretariat is the chair's officer, and the certificate the chair unit's (Đắk Lắk).
    response = login(world.secretariat).post(
        _url("covenant_upload_digital", covenant), {"file": upload}
    )
    assert response.status_code == 302, _page(response)
    signature = Signature.objects.get(covenant=covenant)
    assert (signature.unit, signature.method) == (world.chair, "digital")
    assert signature.signer_name == "Nguyễn Văn Đơn Vị"
    assert signature.certificate_subject.startswith("CN=Nguyễn Văn Đơn Vị,UID=MST:6000123456,")
    with signature.scan.open("rb") as stored:
        assert stored.read() == signed
