"""The sealed covenant: the "covenant" document kind, the PAdES seal of its frozen PDF, the
development PKI command, and the checks of a sealed file (pyHanko and poppler's pdfsig)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from covenants import sealing, services
from covenants.models import Covenant, Signature
from documents import registry
from documents.docx import render_document_docx
from documents.models import Document
from tests.conftest import services_required
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory

PASSWORD = "mật-khẩu-thử"  # non-ASCII on purpose: the PKCS#12 password is UTF-8


def make_pki(directory: Path, *args: str) -> str:
    out = io.StringIO()
    with override_settings(
        PORTAL_SIGNING_P12_PASSWORD=PASSWORD,
        PORTAL_SIGNING_P12=str(directory / "portal-signing.p12"),
    ):
        call_command(
            "make_dev_certificate", "--dir", str(directory), *args, stdout=out, stderr=io.StringIO()
        )
    return out.getvalue()


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory) -> Path:
    """One development PKI for the whole run (RSA key generation takes a moment)."""
    directory = tmp_path_factory.mktemp("pki")
    make_pki(directory)
    return directory


@pytest.fixture
def pki(settings, dev_pki) -> Path:
    settings.PORTAL_PKI_DIR = dev_pki
    settings.PORTAL_SIGNING_P12 = str(dev_pki / "portal-signing.p12")
    settings.PORTAL_SIGNING_P12_PASSWORD = PASSWORD
    settings.COVENANT_TRUST_ROOTS = [str(dev_pki / "dev-ca.pem")]
    return dev_pki


def sign_all(world, covenant: Covenant) -> None:
    chair_leader = UserFactory(
        unit=world.chair, unit_role="leader", full_name="Nguyễn Thị Trưởng", job_title="Trưởng ban"
    )
    vice_leader = UserFactory(
        unit=world.vice, unit_role="leader", full_name="Hoàng Văn Phó", job_title="Phó Trưởng ban"
    )
    for unit, leader in (
        (world.chair, chair_leader),
        (world.vice, vice_leader),
        (world.member, world.leader),
    ):
        services.covenant_sign(
            covenant=covenant,
            unit=unit,
            method=Signature.Method.ONLINE,
            signer=leader,
            ip="192.0.2.10",
        )


def sealed_document(world) -> tuple[Covenant, Document]:
    covenant = make_covenant(world)
    sign_all(world, covenant)
    services.covenant_close(covenant=covenant, by=world.secretariat)
    document = services.covenant_seal(covenant_id=covenant.pk)
    covenant.refresh_from_db()
    return covenant, document


def stored_bytes(document: Document) -> bytes:
    with default_storage.open(document.pdf.name, "rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdfsig(path: Path) -> str | None:
    """pdfsig's report on *path*; None (test skipped) when poppler-utils is not installed,
    a failure in CI (CI / KHOI_REQUIRE_SERVICES set)."""
    if shutil.which("pdfsig") is None:
        if services_required():
            pytest.fail("pdfsig (poppler-utils) is required in CI")
        pytest.skip("pdfsig (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout + result.stderr


def tamper(data: bytes, needle: bytes, *, after: bytes = b"") -> bytes:
    """*data* with one byte changed inside the signed range: the last character of *needle*
    (its first occurrence after *after*)."""
    at = data.index(needle, data.rindex(after) if after else 0) + len(needle) - 1
    replacement = b"0" if data[at : at + 1] != b"0" else b"1"
    return data[:at] + replacement + data[at + 1 :]


# --- the seal ---------------------------------------------------------------------------------


def test_covenant_kind_is_registered_with_the_seal():
    kind = registry.get("covenant")
    assert kind.key == "covenant"
    assert kind.template == "covenants/pdf/covenant.html"
    assert kind.postprocess is sealing.seal_pdf
    assert kind.docx_body is not None


def test_sealed_covenant_is_signed_trusted_and_hashed(world, pki, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader

    covenant, document = sealed_document(world)
    assert covenant.document_id == document.pk
    assert document.kind == "covenant"
    data = stored_bytes(document)
    assert data.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(data).hexdigest()

    report = sealing.validate_sealed_pdf(data, [str(pki / "dev-ca.pem")])
    assert report["signed"]
    assert report["intact"]
    assert report["valid"]
    assert report["trusted"]
    assert report["bottom_line"]
    assert report["field"] == "KhoiPortal"
    assert report["coverage"] == "entire file"
    assert report["modification"] == "none"
    assert "CN=Khối Portal – niêm phong văn bản (phát triển)" in report["signer"]
    assert isinstance(report["signed_at"], dt.datetime)

    (embedded,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    sig = embedded.sig_object
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert str(sig["/Reason"]) == "Niêm phong giao ước thi đua"
    assert str(sig["/Location"]) == "Đắk Lắk"
    assert embedded.md_algorithm == "sha256"

    copy = tmp_path / "sealed.pdf"
    copy.write_bytes(data)
    output = pdfsig(copy)
    assert "Signature is Valid" in output
    assert "KhoiPortal" in output


def test_tampered_seal_is_detected(world, pki, tmp_path):
    covenant, document = sealed_document(world)
    data = stored_bytes(document)
    roots = [str(pki / "dev-ca.pem")]
    # The /Keywords entry the seal's own revision writes (and signs) carries the text's hash:
    # change its last hex digit, as someone "fixing" the hash would.
    needle = covenant.text_sha256.encode()
    assert needle in data[data.rindex(b"/Keywords") :]
    tampered = tamper(data, needle, after=b"/Keywords")
    assert len(tampered) == len(data)
    assert tampered != data

    report = sealing.validate_sealed_pdf(tampered, roots)
    assert report["signed"]
    assert not report["intact"]
    assert not report["trusted"]
    copy = tmp_path / "tampered.pdf"
    copy.write_bytes(tampered)
    assert "Signature is Valid" not in pdfsig(copy)

    # an edit of the page, then bytes appended after the signed revision
    edited = tamper(data, b"/MediaBox [ 0 0 595") + b"\n% appended\n"
    assert not sealing.validate_sealed_pdf(edited, roots)["intact"]

    # the untouched file against another CA: intact, but not trusted
    other = tmp_path / "other"
    make_pki(other)
    report = sealing.validate_sealed_pdf(data, [str(other / "dev-ca.pem")])
    assert report["intact"]
    assert report["valid"]
    assert not report["trusted"]


def test_sealed_pdf_prints_the_units_the_hash_and_the_completion_page(world, pki):
    from pypdf import PdfReader

    covenant, document = sealed_document(world)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(stored_bytes(document))).pages]
    text = "\n".join(pages)
    flat = "".join(text.split()).upper()
    for unit in (world.chair, world.vice, world.member):
        assert "".join(unit.full_name.split()).upper() in flat
    assert covenant.text_sha256.upper() in flat
    assert "3/3ĐƠNVỊĐÃKÝ" in flat
    assert "SỐDỰÁNMỚIĐẦUTƯ" in flat
    assert "(CHỈTIÊU:100%)" in flat
    for heading in ("STT", "ĐƠNVỊ", "NGƯỜIKÝ", "CHỨCVỤ", "THỜIĐIỂM", "HÌNHTHỨC"):
        assert heading in flat
    assert "KÝTRỰCTUYẾN" in flat
    assert "Phạm Văn Lãnh" in text

    # the completion page starts a page of its own, with the bound hashes and the audit trail
    starts = [i for i, page in enumerate(pages) if "TRANG HOÀN TẤT" in page.upper()]
    assert starts
    assert starts[0] > 0
    completion = "".join("".join(pages[starts[0] :]).split()).upper()
    assert "CÁC ĐƠN VỊ KÝ GIAO ƯỚC" not in pages[starts[0]].upper()
    # the text's hash once on its own line, then bound to each of the three signatures
    assert completion.count(covenant.text_sha256[:32].upper()) >= 1 + 3
    assert completion.count("KHỚP") == 1 + 3  # the column heading and three matches
    assert "NHẬTKÝGIAOƯỚC" in completion
    assert "CHỐTNỘIDUNG,MỞKÝ" in completion  # a trail entry


def test_sealing_twice_keeps_the_document_and_its_hash(world, pki, client):
    covenant, document = sealed_document(world)
    again = services.covenant_seal(covenant_id=covenant.pk)
    assert again.pk == document.pk
    assert again.sha256 == document.sha256
    assert again.pdf.name == document.pdf.name
    assert Document.objects.filter(kind="covenant").count() == 1

    # the public verification page of the documents app knows the sealed covenant
    response = client.get(reverse("verify", kwargs={"code": document.verification_code}))
    assert response.status_code == 200
    body = response.content.decode()
    assert document.number_text in body
    assert document.sha256 in body
    assert "Giao ước thi đua năm 2022" in body


def test_docx_has_the_items_and_the_signature_table(world, pki):
    from docx import Document as read_docx

    covenant, document = sealed_document(world)
    docx = read_docx(io.BytesIO(render_document_docx(document)))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "1. Thực hiện tốt nhiệm vụ chính trị" in text
    assert "(Chỉ tiêu: 100%)" in text
    assert "3/3 đơn vị đã ký" in text
    assert covenant.text_sha256 in text
    cells = [[cell.text for cell in row.cells] for table in docx.tables for row in table.rows]
    assert ["STT", "Đơn vị", "Người ký", "Chức vụ", "Thời điểm", "Hình thức"] in cells
    units = {row[1] for row in cells if len(row) == 6}
    assert {world.chair.full_name, world.vice.full_name, world.member.full_name} <= units


# --- sealing never silently skips ---------------------------------------------------------------


def _issued_covenant(world) -> Covenant:
    covenant = make_covenant(world)
    sign_all(world, covenant)
    services.covenant_close(covenant=covenant, by=world.secretariat)
    return covenant


def test_missing_certificate_file_refuses_to_seal(world, pki, settings, tmp_path):
    settings.PORTAL_SIGNING_P12 = str(tmp_path / "absent.p12")
    covenant = _issued_covenant(world)
    with pytest.raises(ImproperlyConfigured, match="make_dev_certificate"):
        services.covenant_seal(covenant_id=covenant.pk)
    document = Document.objects.get(kind="covenant")
    assert not document.sha256
    assert not document.pdf


def test_unset_certificate_setting_refuses_to_seal(settings):
    settings.PORTAL_SIGNING_P12 = ""
    with pytest.raises(ImproperlyConfigured, match="PORTAL_SIGNING_P12"):
        sealing.seal_pdf(b"%PDF-1.7\n", None)


def test_wrong_password_refuses_to_seal(pki, settings):
    settings.PORTAL_SIGNING_P12_PASSWORD = "sai mật khẩu"
    with pytest.raises(ImproperlyConfigured, match="mật khẩu"):
        sealing.load_signer()


def test_settings_default_like_settings_py(settings, monkeypatch):
    """Before (or without) the settings, the module computes the same defaults settings.py does."""
    for name in (
        "PORTAL_PKI_DIR",
        "PORTAL_SIGNING_P12",
        "PORTAL_SIGNING_P12_PASSWORD",
        "COVENANT_TRUST_ROOTS",
    ):
        monkeypatch.delenv(name, raising=False)
        if hasattr(settings, name):
            delattr(settings, name)
    base = Path(settings.BASE_DIR) / "var" / "pki"
    assert sealing.pki_dir() == base
    assert sealing.signing_p12_path() == str(base / "portal-signing.p12")
    assert sealing.signing_p12_password() == "khoi-portal-dev"
    assert sealing.covenant_trust_roots() == [str(base / "dev-ca.pem")]


def test_not_a_pdf_is_refused_by_the_seal_check(pki):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sealing.validate_sealed_pdf(b"PK\x03\x04 not a pdf", [str(pki / "dev-ca.pem")])


# --- the development PKI command ----------------------------------------------------------------


def test_make_dev_certificate_creates_the_pki(dev_pki):
    ca_pem, ca_key, p12 = (
        dev_pki / "dev-ca.pem",
        dev_pki / "dev-ca.key",
        dev_pki / "portal-signing.p12",
    )
    assert stat.S_IMODE(ca_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600

    ca = x509.load_pem_x509_certificate(ca_pem.read_bytes())
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Khối Portal Dev CA"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca

    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), PASSWORD.encode())
    assert key is not None
    assert chain
    assert chain[0] == ca
    cert.verify_directly_issued_by(ca)
    assert (
        cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        == "Khối Portal – niêm phong văn bản (phát triển)"
    )
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    purposes = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert ObjectIdentifier("1.3.6.1.5.5.7.3.36") in purposes  # id-kp-documentSigning
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=725) <= lifetime <= dt.timedelta(days=735)


def test_make_dev_certificate_is_idempotent_unless_forced(tmp_path):
    directory = tmp_path / "pki"
    make_pki(directory)
    files = ("dev-ca.pem", "dev-ca.key", "portal-signing.p12")
    before = {name: (directory / name).read_bytes() for name in files}

    output = make_pki(directory)
    assert "Đã có chứng thư niêm phong hợp lệ" in output
    assert {name: (directory / name).read_bytes() for name in files} == before

    (directory / "portal-signing.p12").unlink()  # a lost signing file is reissued under the same CA
    make_pki(directory)
    assert (directory / "dev-ca.pem").read_bytes() == before["dev-ca.pem"]
    assert (directory / "portal-signing.p12").read_bytes() != before["portal-signing.p12"]

    make_pki(directory, "--force")
    assert (directory / "dev-ca.pem").read_bytes() != before["dev-ca.pem"]
    assert stat.S_IMODE((directory / "dev-ca.key").stat().st_mode) == 0o600


def test_make_dev_certificate_refuses_a_p12_it_cannot_open(tmp_path):
    from django.core.management.base import CommandError

    directory = tmp_path / "pki"
    make_pki(directory)
    with (
        override_settings(PORTAL_SIGNING_P12_PASSWORD="khác"),
        pytest.raises(CommandError, match="--force"),
    ):
        call_command(
            "make_dev_certificate",
            "--dir",
            str(directory),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_make_dev_certificate_defaults_to_portal_pki_dir(settings, tmp_path):
    settings.PORTAL_PKI_DIR = tmp_path / "default-pki"
    settings.PORTAL_SIGNING_P12 = str(tmp_path / "default-pki" / "portal-signing.p12")
    settings.PORTAL_SIGNING_P12_PASSWORD = PASSWORD
    call_command("make_dev_certificate", stdout=io.StringIO(), stderr=io.StringIO())
    assert (tmp_path / "default-pki" / "portal-signing.p12").is_file()
    assert sealing.load_signer() is not None
