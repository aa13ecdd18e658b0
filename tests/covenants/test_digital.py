"""A member unit signs the covenant with its own certificate (a USB token) and uploads the
PDF: ``sealing.validate_unit_signed_pdf`` accepts it only when the signature is intact, covers
the whole file, chains to a configured trust root and is neither revoked nor expired.

The "USB token" here is pyHanko signing with a key issued by a test CA, as the token's
signing software would (adbe.pkcs7.detached, an approval signature in a new field)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured, ValidationError

from covenants import sealing
from documents.rendering import html_to_pdf
from tests.covenants.conftest import make_covenant

NOW = dt.datetime.now(dt.UTC)
CRL_URL = "http://crl.ca-thu-nghiem.invalid/don-vi.crl"  # never fetched: validation is offline
UNIT_SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Đắk Lắk"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Buôn Ma Thuột"),
        x509.NameAttribute(
            NameOID.ORGANIZATION_NAME, "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk"
        ),
        x509.NameAttribute(NameOID.USER_ID, "MST:6000123456"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn Đơn Vị"),
    ]
)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tổ chức chứng thực thử nghiệm"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(common_name: str):
    key = _key()
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=800))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue(
    ca,
    subject: x509.Name,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
):
    """A unit's signing certificate as a licensed CA issues them (digitalSignature and
    nonRepudiation, clientAuth and emailProtection)."""
    ca_key, ca_cert = ca
    key = _key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=30))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        # declared, as every licensed CA does; offline, only a CRL the file carries is consulted
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def token(key, cert, ca_cert):
    """The pyHanko signer a USB token's software amounts to."""
    from pyhanko.sign import signers

    data = pkcs12.serialize_key_and_certificates(
        name=b"token",
        key=key,
        cert=cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.NoEncryption(),
    )
    return signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=None)


def token_sign(pdf: bytes, signer, *, field: str = "ChuKyDonVi") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        reason="Ký giao ước thi đua",
        location="Buôn Ma Thuột",
    )
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


@dataclass
class UnitPKI:
    root: Path  # the test CA, configured as a trust root
    ca: tuple
    other_ca: tuple  # a CA nobody configured
    unit: tuple  # (key, cert) of the unit's signing certificate


@pytest.fixture(scope="session")
def unit_pki(tmp_path_factory) -> UnitPKI:
    directory = tmp_path_factory.mktemp("unit-pki")
    ca = make_ca("CA thử nghiệm cấp chứng thư cho đơn vị")
    root = directory / "test-ca.pem"
    root.write_bytes(ca[1].public_bytes(serialization.Encoding.PEM))
    return UnitPKI(
        root=root, ca=ca, other_ca=make_ca("CA lạ không được tin cậy"), unit=issue(ca, UNIT_SUBJECT)
    )


@pytest.fixture
def trusted(settings, unit_pki) -> list[str]:
    settings.COVENANT_TRUST_ROOTS = [str(unit_pki.root)]
    return settings.COVENANT_TRUST_ROOTS


@pytest.fixture(scope="session")
def plain_pdf() -> bytes:
    return html_to_pdf(
        "<html lang='vi'><body><h1>Giao ước thi đua năm 2022</h1>"
        "<p>Các đơn vị thành viên cùng ký kết giao ước.</p></body></html>"
    )


def signed_by_unit(unit_pki: UnitPKI, pdf: bytes) -> bytes:
    key, cert = unit_pki.unit
    return token_sign(pdf, token(key, cert, unit_pki.ca[1]))


def refused(data: bytes, code: str, roots: list[str], expected: str | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        sealing.validate_unit_signed_pdf(data, expected, roots)
    assert caught.value.code == code, caught.value.messages
    return caught.value.messages[0]


# --- accepted ---------------------------------------------------------------------------------


def test_signing_copy_signed_with_a_unit_token_is_accepted(world, trusted, unit_pki):
    covenant = make_covenant(world)
    copy = sealing.signing_copy_pdf(covenant)
    signed = signed_by_unit(unit_pki, copy)

    result = sealing.validate_unit_signed_pdf(signed, covenant.text_sha256, trusted)
    assert result.subject == (
        "CN=Nguyễn Văn Đơn Vị,UID=MST:6000123456,O=Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk,"
        "L=Buôn Ma Thuột,ST=Đắk Lắk,C=VN"
    )
    assert "CA thử nghiệm cấp chứng thư cho đơn vị" in result.issuer
    assert result.serial == f"{unit_pki.unit[1].serial_number:x}"
    assert result.field == "ChuKyDonVi"
    assert isinstance(result.signed_at, dt.datetime)
    subject, *_rest = result  # a tuple: (subject, signed_at, issuer, serial, field)
    assert subject == result.subject


def test_trust_roots_default_to_the_setting(trusted, unit_pki, plain_pdf):
    assert sealing.validate_unit_signed_pdf(signed_by_unit(unit_pki, plain_pdf)).subject.startswith(
        "CN=Nguyễn Văn Đơn Vị"
    )


def test_signing_copy_carries_the_text_and_its_hash(world):
    from pypdf import PdfReader

    covenant = make_covenant(world)
    reader = PdfReader(io.BytesIO(sealing.signing_copy_pdf(covenant)))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert covenant.text_sha256 in text
    assert "Thựchiệntốtnhiệmvụchínhtrị" in text
    assert "ĐƠNVỊKÝGIAOƯỚC" not in text.upper()
    assert "TRANGHOÀNTẤT" not in text.upper()
    assert f"{sealing.HASH_KEYWORD}{covenant.text_sha256}" in reader.metadata["/Keywords"]


# --- refused ----------------------------------------------------------------------------------


def test_another_covenant_text_is_refused(world, trusted, unit_pki):
    covenant = make_covenant(world)
    signed = signed_by_unit(unit_pki, sealing.signing_copy_pdf(covenant))
    message = refused(signed, "other_text", trusted, expected="0" * 64)
    assert "SHA-256" in message


def test_a_pdf_without_the_hash_is_refused_when_one_is_expected(trusted, unit_pki, plain_pdf):
    refused(signed_by_unit(unit_pki, plain_pdf), "other_text", trusted, expected="ab" * 32)


def test_untrusted_ca_is_refused(trusted, unit_pki, plain_pdf):
    key, cert = issue(unit_pki.other_ca, UNIT_SUBJECT)
    signed = token_sign(plain_pdf, token(key, cert, unit_pki.other_ca[1]))
    message = refused(signed, "untrusted", trusted)
    assert "Nguyễn Văn Đơn Vị" in message
    assert "tin cậy" in message


def test_tampered_file_is_refused(trusted, unit_pki, plain_pdf):
    signed = signed_by_unit(unit_pki, plain_pdf)
    at = signed.index(b"/MediaBox [ 0 0 595") + len(b"/MediaBox [ 0 0 595") - 1
    tampered = signed[:at] + b"4" + signed[at + 1 :]
    assert len(tampered) == len(signed)
    assert tampered != signed
    message = refused(tampered, "tampered", trusted)
    assert "nguyên vẹn" in message


def test_content_added_after_signing_is_refused(trusted, unit_pki, plain_pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = signed_by_unit(unit_pki, plain_pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (X) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    message = refused(out.getvalue(), "modified", trusted)
    assert "sau khi ký" in message


def test_unsigned_pdf_is_refused(trusted, plain_pdf):
    message = refused(plain_pdf, "unsigned", trusted)
    assert "chưa có chữ ký số" in message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"PK\x03\x04 a .docx is a zip file",
        "Giao ước thi đua".encode(),
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",  # truncated
    ],
)
def test_not_a_pdf_is_refused(trusted, data):
    message = refused(data, "not_pdf", trusted)
    assert "không phải là tệp PDF" in message


def test_expired_certificate_is_refused(trusted, unit_pki, plain_pdf):
    key, cert = issue(
        unit_pki.ca,
        UNIT_SUBJECT,
        not_before=NOW - dt.timedelta(days=400),
        not_after=NOW - dt.timedelta(days=10),
    )
    message = refused(token_sign(plain_pdf, token(key, cert, unit_pki.ca[1])), "expired", trusted)
    assert "hết hạn" in message


def test_revoked_certificate_is_refused_when_the_file_carries_the_crl(trusted, unit_pki, plain_pdf):
    """Offline, revocation shows only through revocation data the file carries (its DSS), as
    a token's software embeds for long-term validation."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    key, cert = issue(unit_pki.ca, UNIT_SUBJECT)
    signed = token_sign(plain_pdf, token(key, cert, unit_pki.ca[1]))
    ca_key, ca_cert = unit_pki.ca
    revocation = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(NOW - dt.timedelta(minutes=1))
        .next_update(NOW + dt.timedelta(days=7))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(NOW - dt.timedelta(days=1))
            .build()
        )
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    output = io.BytesIO(signed)
    DocumentSecurityStore.add_dss(
        output_stream=output,
        sig_contents=None,
        crls=[asn1_crl.CertificateList.load(revocation.public_bytes(serialization.Encoding.DER))],
    )
    message = refused(output.getvalue(), "revoked", trusted)
    assert "thu hồi" in message


def test_the_valid_signature_survives_a_dss_update(trusted, unit_pki, plain_pdf):
    """Long-term validation data added after signing (no revocation) is not a modification."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    output = io.BytesIO(signed_by_unit(unit_pki, plain_pdf))
    DocumentSecurityStore.add_dss(
        output_stream=output,
        sig_contents=None,
        certs=[asn1_x509.Certificate.load(unit_pki.ca[1].public_bytes(serialization.Encoding.DER))],
    )
    assert sealing.validate_unit_signed_pdf(output.getvalue(), None, trusted).subject.startswith(
        "CN=Nguyễn"
    )


def test_missing_trust_roots_are_a_configuration_error(unit_pki, plain_pdf, tmp_path):
    signed = signed_by_unit(unit_pki, plain_pdf)
    with pytest.raises(ImproperlyConfigured, match="COVENANT_TRUST_ROOTS"):
        sealing.validate_unit_signed_pdf(signed, None, [])
    with pytest.raises(ImproperlyConfigured, match="COVENANT_TRUST_ROOTS"):
        sealing.validate_unit_signed_pdf(signed, None, [str(tmp_path / "absent.pem")])
