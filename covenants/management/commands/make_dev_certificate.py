"""Create the development PKI the covenant seal uses: a throw-away CA and the portal's signing
certificate issued by it, in a PKCS#12 file.

    manage.py make_dev_certificate [--dir DIR] [--force]

Writes, in DIR (default: settings.PORTAL_PKI_DIR):

- ``dev-ca.pem``  the development CA certificate: the trust root to configure
  (COVENANT_TRUST_ROOTS) and to import into a PDF reader to see the seal as trusted;
- ``dev-ca.key``  its private key (mode 0600);
- ``portal-signing.p12``  the organisation's signing key and certificate (with the CA in the
  chain), encrypted with settings.PORTAL_SIGNING_P12_PASSWORD (mode 0600).

Idempotent: an existing CA is kept, and an existing signing certificate is kept while it opens
with the configured password, was issued by that CA and stays valid for at least 30 more days;
otherwise what is missing or stale is (re)issued. ``--force`` replaces everything.

Development only: production seals with a certificate from a licensed Vietnamese CA, named by
PORTAL_SIGNING_P12 (and its root in COVENANT_TRUST_ROOTS).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.core.management.base import BaseCommand, CommandError

from covenants.sealing import pki_dir, signing_p12_password, signing_p12_path

CA_FILE, CA_KEY_FILE, P12_FILE = "dev-ca.pem", "dev-ca.key", "portal-signing.p12"
CA_NAME = "Khối Portal Dev CA"
SIGNING_NAME = "Khối Portal – niêm phong văn bản (phát triển)"
ORGANISATION = "Khối Portal"
CA_DAYS = 10 * 365
SIGNING_DAYS = 2 * 365
RENEW_BEFORE = dt.timedelta(days=30)
KEY_BITS = 3072
# id-kp-documentSigning (RFC 9336). emailProtection is added beside it: Adobe Reader and NSS
# (poppler's pdfsig) accept it for document signatures, and pyHanko accepts either.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _name(common_name: str, unit: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write *data* to *path* atomically, the file created with *mode* from the start."""
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)  # the umask may have narrowed or an old file kept other bits
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def make_ca(now: dt.datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = _name(CA_NAME, "Chỉ dùng để phát triển và kiểm thử")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_signing_certificate(
    ca_key, ca_cert: x509.Certificate, now: dt.datetime
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNING_NAME, "Niêm phong văn bản điện tử"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=SIGNING_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _load_ca(directory: Path, now: dt.datetime):
    cert_path, key_path = directory / CA_FILE, directory / CA_KEY_FILE
    if not (cert_path.exists() and key_path.exists()):
        return None
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise CommandError(
            f"Không đọc được CA phát triển trong {directory}: {exc}. "
            "Chạy lại với --force để tạo mới."
        ) from exc
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise CommandError(
            f"{key_path} không phải khóa của {cert_path}. Chạy lại với --force để tạo mới."
        )
    if cert.not_valid_after_utc <= now + RENEW_BEFORE:
        raise CommandError(
            f"CA phát triển {cert_path} sắp hết hạn hoặc đã hết hạn. "
            "Chạy lại với --force để tạo mới (các tệp đã niêm phong trước đó sẽ không còn "
            "được tin cậy theo CA mới)."
        )
    return key, cert


def _signing_still_good(
    path: Path, password: bytes, ca_cert: x509.Certificate, now: dt.datetime
) -> tuple[bool, str]:
    if not path.exists():
        return False, "chưa có"
    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except ValueError:
        raise CommandError(
            f"Không mở được {path} bằng mật khẩu PORTAL_SIGNING_P12_PASSWORD. "
            "Đặt đúng mật khẩu, hoặc chạy lại với --force để tạo chứng thư mới."
        ) from None
    if key is None or cert is None:
        return False, "tệp không có khóa hoặc chứng thư"
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError):
        return False, "không do CA phát triển hiện tại cấp"
    if cert.not_valid_after_utc <= now + RENEW_BEFORE:
        return False, "sắp hết hạn"
    return True, ""


class Command(BaseCommand):
    help = (
        "Tạo CA phát triển và chứng thư niêm phong văn bản của Khối Portal "
        "(dev-ca.pem, dev-ca.key, portal-signing.p12). Chỉ dùng khi phát triển và kiểm thử."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            default=None,
            help="Thư mục ghi tệp (mặc định: settings.PORTAL_PKI_DIR).",
        )
        parser.add_argument("--force", action="store_true", help="Tạo lại tất cả, kể cả khi đã có.")

    def handle(self, *args, directory: str | None = None, force: bool = False, **options):
        target = Path(directory) if directory else pki_dir()
        target.mkdir(parents=True, exist_ok=True)
        password = signing_p12_password()
        if not password:
            raise CommandError(
                "PORTAL_SIGNING_P12_PASSWORD đang để trống; tệp PKCS#12 phải có mật khẩu."
            )
        now = dt.datetime.now(dt.UTC)

        loaded = None if force else _load_ca(target, now)
        if loaded is None:
            ca_key, ca_cert = make_ca(now)
            _write(
                target / CA_KEY_FILE,
                ca_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
                0o600,
            )
            _write(target / CA_FILE, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
            self.stdout.write(f"Đã tạo CA phát triển: {target / CA_FILE}")
            reason = "CA mới"
            good = False
        else:
            ca_key, ca_cert = loaded
            good, reason = _signing_still_good(target / P12_FILE, password.encode(), ca_cert, now)

        p12_path = target / P12_FILE
        if good:
            self.stdout.write(
                f"Đã có chứng thư niêm phong hợp lệ: {p12_path} (dùng --force để tạo lại)."
            )
        else:
            key, cert = make_signing_certificate(ca_key, ca_cert, now)
            data = pkcs12.serialize_key_and_certificates(
                name=b"khoi-portal-signing",
                key=key,
                cert=cert,
                cas=[ca_cert],
                encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
            )
            _write(p12_path, data, 0o600)
            self.stdout.write(
                f"Đã tạo chứng thư niêm phong ({reason}): {p12_path}, hiệu lực đến "
                f"{cert.not_valid_after_utc:%d/%m/%Y}."
            )

        configured = Path(signing_p12_path()) if signing_p12_path() else None
        if configured is None or configured.resolve() != p12_path.resolve():
            self.stderr.write(
                self.style.WARNING(
                    f"Lưu ý: PORTAL_SIGNING_P12 trỏ tới {configured or '(trống)'}, không phải "
                    f"{p12_path}; việc niêm phong sẽ không dùng chứng thư vừa tạo."
                )
            )
