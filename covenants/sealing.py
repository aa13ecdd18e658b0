"""The sealed covenant: its document kind, the portal's PAdES seal, and signature checks.

- The document kind "covenant" prints the snapshot ``services.covenant_snapshot`` froze into
  ``document.extra`` (text, signatures, audit trail) and, through ``postprocess``, has the
  frozen PDF sealed with the organisation's certificate (:func:`seal_pdf`): a PAdES baseline B
  certification signature, so any later change shows in every PDF reader.
- :func:`validate_sealed_pdf` checks a sealed file; :func:`validate_unit_signed_pdf` checks the
  covenant a member unit signed with its own certificate (USB token) before the portal records
  that signature.

Settings (read here with the same defaults as khoi_portal/settings.py, so the module works
before they are declared there): PORTAL_PKI_DIR, PORTAL_SIGNING_P12,
PORTAL_SIGNING_P12_PASSWORD, COVENANT_TRUST_ROOTS. ``manage.py make_dev_certificate`` creates a
development CA and signing certificate in PORTAL_PKI_DIR.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from cryptography import x509 as pyca_x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import registry
from khoi_portal.lib.env import env_list, env_str
from khoi_portal.lib.vietnamese import nfc

logger = logging.getLogger(__name__)

KIND = "covenant"
FIELD_NAME = "KhoiPortal"
REASON = "Niêm phong giao ước thi đua"
# Written into the PDF's /Keywords: the text hash a unit's signed copy must carry.
HASH_KEYWORD = "khoi-portal-covenant-sha256:"


# --- settings -----------------------------------------------------------------------------


def pki_dir() -> Path:
    value = getattr(settings, "PORTAL_PKI_DIR", None)
    if value is None:
        value = env_str("PORTAL_PKI_DIR", str(Path(settings.BASE_DIR) / "var" / "pki"))
    return Path(value)


def signing_p12_path() -> str:
    value = getattr(settings, "PORTAL_SIGNING_P12", None)
    if value is None:
        value = env_str("PORTAL_SIGNING_P12", str(pki_dir() / "portal-signing.p12"))
    return str(value) if value else ""


def signing_p12_password() -> str:
    value = getattr(settings, "PORTAL_SIGNING_P12_PASSWORD", None)
    if value is None:
        value = env_str("PORTAL_SIGNING_P12_PASSWORD", "khoi-portal-dev")
    return value


def covenant_trust_roots() -> list[str]:
    value = getattr(settings, "COVENANT_TRUST_ROOTS", None)
    if value is None:
        value = env_list("COVENANT_TRUST_ROOTS", [str(pki_dir() / "dev-ca.pem")])
    return [str(path) for path in value]


# --- the document kind --------------------------------------------------------------------


def _number(text: str) -> str:
    """ "100.00" → "100", "12.50" → "12,5", "1500" → "1.500" (Vietnamese separators)."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return str(text)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    whole, _dot, fraction = f"{value:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + ".".join(groups or ["0"]) + (f",{fraction}" if fraction else "")


def _target(item: dict) -> str:
    if not item.get("target"):
        return ""
    unit = item.get("unit") or ""
    number = _number(item["target"])
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


def covenant_view(extra: dict) -> dict:
    """The snapshot in ``document.extra`` as the template and the DOCX print it; every key is
    present, so a snapshot from an older version of the code still renders."""
    sha256 = extra.get("sha256") or ""
    items = [
        {"number": n, "text": item.get("text", ""), "target": _target(item)}
        for n, item in enumerate(extra.get("items") or [], start=1)
    ]
    signatures = [
        {
            "number": n,
            "unit": s.get("unit", ""),
            "signer": s.get("signer", ""),
            "title": s.get("title", ""),
            "time": s.get("time", ""),
            "method": s.get("method", ""),
            "sha256": s.get("sha256", ""),
            "certificate": s.get("certificate", ""),
            "matches": bool(sha256) and s.get("sha256") == sha256,
        }
        for n, s in enumerate(extra.get("signatures") or [], start=1)
    ]
    trail = [
        {
            "number": n,
            "time": row.get("time", ""),
            "who": row.get("who", ""),
            "what": row.get("what", ""),
        }
        for n, row in enumerate(extra.get("trail") or [], start=1)
    ]
    members = int(extra.get("members") or 0) or len(signatures)
    return {
        "title": extra.get("title", ""),
        "preamble": extra.get("preamble", ""),
        "year": extra.get("year", ""),
        "version": extra.get("version", 1),
        "sha256": sha256,
        "keyword": f"{HASH_KEYWORD}{sha256}",
        "items": items,
        "signatures": signatures,
        "trail": trail,
        "members": members,
        "signed": len(signatures),
        "count_text": f"{len(signatures)}/{members} đơn vị đã ký",
        "signing_copy": bool(extra.get("signing_copy")),
    }


def _pdf_context(document) -> dict:
    return {"covenant": covenant_view(document.extra or {})}


SIGNATURE_COLUMNS = ("STT", "Đơn vị", "Người ký", "Chức vụ", "Thời điểm", "Hình thức")


def _docx_body(docx_document, document) -> None:
    """The preamble, the numbered items and the table of signatures, as in the PDF."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    view = covenant_view(document.extra or {})

    def paragraph(
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        indent: bool = True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        size: float | None = None,
    ):
        para = docx_document.add_paragraph()
        para.alignment = align
        para.paragraph_format.space_after = Pt(6)
        if indent:
            para.paragraph_format.first_line_indent = Cm(1.27)
        if text:
            run = para.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        return para

    if view["preamble"]:
        paragraph(view["preamble"])
    for item in view["items"]:
        para = paragraph()
        para.add_run(f"{item['number']}. ").bold = True
        para.add_run(item["text"])
        if item["target"]:
            para.add_run(f" (Chỉ tiêu: {item['target']})").italic = True
    if view["signing_copy"]:
        paragraph(f"Mã SHA-256 của nội dung: {view['sha256']}", italic=True, size=11, indent=False)
        return

    paragraph("Các đơn vị ký giao ước", bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = docx_document.add_table(rows=1 + len(view["signatures"]), cols=len(SIGNATURE_COLUMNS))
    table.style = docx_document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def put(cell, text, *, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT):
        para = cell.paragraphs[0]
        para.alignment = align
        run = para.add_run(str(text))
        run.bold = bold
        run.font.size = Pt(11)

    for cell, label in zip(table.rows[0].cells, SIGNATURE_COLUMNS, strict=True):
        put(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(marker)
    for row, signature in zip(table.rows[1:], view["signatures"], strict=True):
        cells = row.cells
        put(cells[0], signature["number"], align=WD_ALIGN_PARAGRAPH.CENTER)
        for cell, key in zip(cells[1:], ("unit", "signer", "title", "time", "method"), strict=True):
            put(cell, signature[key])
    for column, width in zip(
        table.columns, (Mm(11), Mm(52), Mm(32), Mm(26), Mm(24), Mm(20)), strict=True
    ):
        for cell in column.cells:
            cell.width = width
    paragraph(view["count_text"], bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(
        f"Mã SHA-256 của nội dung giao ước: {view['sha256']}", italic=True, size=11, indent=False
    )


# --- the seal -----------------------------------------------------------------------------


def load_signer():
    """The organisation's signer from PORTAL_SIGNING_P12; never a silent fallback."""
    from pyhanko.sign import signers

    path = signing_p12_path()
    if not path:
        raise ImproperlyConfigured(
            "PORTAL_SIGNING_P12 chưa được đặt: không thể niêm phong văn bản. Hãy trỏ nó tới "
            "tệp PKCS#12 chứng thư số của tổ chức (khi phát triển: chạy "
            "`manage.py make_dev_certificate`)."
        )
    if not Path(path).is_file():
        raise ImproperlyConfigured(
            f"Không thấy tệp chứng thư niêm phong {path} (PORTAL_SIGNING_P12): không thể "
            "niêm phong văn bản. Khi phát triển, chạy `manage.py make_dev_certificate`; khi "
            "vận hành, cấu hình chứng thư số của tổ chức."
        )
    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=path, passphrase=signing_p12_password().encode()
    )
    if signer is None:
        raise ImproperlyConfigured(
            f"Không mở được tệp chứng thư niêm phong {path}: sai mật khẩu "
            "(PORTAL_SIGNING_P12_PASSWORD) hoặc tệp hỏng."
        )
    now = dt.datetime.now(dt.UTC)
    validity = signer.signing_cert["tbs_certificate"]["validity"]
    if not validity["not_before"].native <= now <= validity["not_after"].native:
        raise ImproperlyConfigured(
            f"Chứng thư niêm phong trong {path} không còn hiệu lực (hiệu lực đến "
            f"{validity['not_after'].native:%d/%m/%Y}). Hãy gia hạn hoặc thay chứng thư."
        )
    return signer


def seal_pdf(pdf: bytes, document) -> bytes:
    """Sign *pdf* with the organisation certificate: PAdES baseline B (no timestamp authority),
    as a certification signature that allows no further change."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = load_signer()
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=REASON,
        location=getattr(document, "place", "") or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = signers.sign_pdf(writer, meta, signer=signer)
    return output.getvalue()


# --- checking signatures ------------------------------------------------------------------


COVERAGE = {
    "UNCLEAR": "unclear",
    "CONTIGUOUS_BLOCK_FROM_START": "contiguous block from start",
    "ENTIRE_REVISION": "entire revision",
    "ENTIRE_FILE": "entire file",
}


def subject_text(cert) -> str:
    """A certificate subject as RFC 4514 text, most specific first, Vietnamese letters kept:
    "CN=Nguyễn Văn A,O=Ban Quản lý …,C=VN"."""
    name = pyca_x509.load_der_x509_certificate(cert.dump()).subject
    return nfc(
        name.rfc4514_string({NameOID.EMAIL_ADDRESS: "E", NameOID.SERIAL_NUMBER: "SERIALNUMBER"})
    )


def _not_pdf() -> ValidationError:
    return ValidationError(_("Tệp tải lên không phải là tệp PDF hợp lệ."), code="not_pdf")


def _reader(data: bytes):
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data or b"%PDF-" not in data[:1024]:
        raise _not_pdf()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018  (parses the catalog: a truncated file fails here)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.info("unreadable PDF: %s", exc)
        raise _not_pdf() from None
    if reader.encrypted:
        raise ValidationError(
            _("Tệp PDF đang được đặt mật khẩu; hãy tải lên bản không đặt mật khẩu."),
            code="encrypted",
        )
    return reader


def _embedded_signatures(reader) -> list:
    """The file's signatures; a malformed form or signature dictionary is not a usable PDF."""
    from pyhanko.pdf_utils.misc import PdfError

    try:
        return list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.info("unreadable signature fields: %s", exc)
        raise _not_pdf() from None


def _load_trust_roots(trust_roots) -> list:
    from pyhanko.keys import load_certs_from_pemder

    paths = [str(path) for path in (trust_roots or []) if str(path).strip()]
    if not paths:
        raise ImproperlyConfigured("COVENANT_TRUST_ROOTS chưa có chứng thư gốc nào được tin cậy.")
    missing = [path for path in paths if not Path(path).is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"Không thấy tệp chứng thư gốc {', '.join(missing)} (COVENANT_TRUST_ROOTS). Khi "
            "phát triển, chạy `manage.py make_dev_certificate`."
        )
    try:
        return list(load_certs_from_pemder(paths))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Không đọc được chứng thư gốc trong COVENANT_TRUST_ROOTS: {exc}"
        ) from exc


def _validation_context(reader, roots: list):
    """Offline validation against *roots* only, with whatever revocation data the file itself
    carries (its DSS): no network fetches, and missing revocation data is not an error."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko_certvalidator import ValidationContext

    kwargs = {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "soft-fail"}
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        return ValidationContext(**kwargs)


def _status(reader, embedded, roots: list):
    """pyHanko's status of one embedded signature; None when the signature cannot be parsed."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    usage = KeyUsageConstraints(
        key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
    )
    try:
        return validate_pdf_signature(
            embedded, _validation_context(reader, roots), key_usage_settings=usage
        )
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        logger.info(
            "signature %s could not be validated: %s", getattr(embedded, "field_name", "?"), exc
        )
        return None


def _signed_at(embedded) -> dt.datetime | None:
    try:
        return embedded.self_reported_timestamp
    except (ValueError, KeyError, TypeError):
        return None


def _coverage(status) -> str:
    return (
        COVERAGE.get(status.coverage.name, status.coverage.name.lower())
        if status.coverage
        else "unclear"
    )


def validate_sealed_pdf(pdf: bytes, trust_roots: list[str] | None = None) -> dict:
    """The portal's seal on *pdf*, as pyHanko judges it against *trust_roots* (offline).

    Returns {"signed", "intact", "valid", "trusted", "signer", "signed_at", "coverage",
    "modification", "field", "bottom_line"}; a file without signature comes back all false.
    Raises ValidationError when *pdf* is not a PDF.
    """
    roots = _load_trust_roots(covenant_trust_roots() if trust_roots is None else trust_roots)
    reader = _reader(pdf)
    signatures = _embedded_signatures(reader)
    result = {
        "signed": False,
        "intact": False,
        "valid": False,
        "trusted": False,
        "signer": "",
        "signed_at": None,
        "coverage": "",
        "modification": "",
        "field": "",
        "bottom_line": False,
    }
    if not signatures:
        return result
    embedded = next((s for s in signatures if s.field_name == FIELD_NAME), signatures[-1])
    status = _status(reader, embedded, roots)
    result |= {"signed": True, "field": embedded.field_name, "signed_at": _signed_at(embedded)}
    if status is None:
        return result
    return result | {
        "intact": status.intact,
        "valid": status.valid,
        "trusted": status.trusted,
        "signer": subject_text(status.signing_cert),
        "coverage": _coverage(status),
        "modification": status.modification_level.name.lower() if status.modification_level else "",
        "bottom_line": status.bottom_line,
    }


class UnitSignature(NamedTuple):
    """A unit's digital signature on an uploaded covenant, once checked."""

    subject: str  # the signer certificate's subject, RFC 4514, Vietnamese letters kept
    signed_at: dt.datetime | None  # as reported by the signer (no timestamp authority)
    issuer: str
    serial: str  # hexadecimal
    field: str


def _covers_document(status) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.modification_level
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )


def _trust_error(status) -> ValidationError:
    from pyhanko.sign.ades.report import AdESIndeterminate

    cert = pyca_x509.load_der_x509_certificate(status.signing_cert.dump())
    subject = subject_text(status.signing_cert)
    indication = status.trust_problem_indic
    now = timezone.now()
    if status.revoked or indication in (
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        return ValidationError(
            _("Chứng thư số của người ký (%(subject)s) đã bị thu hồi; chữ ký không được chấp nhận.")
            % {"subject": subject},
            code="revoked",
        )
    if cert.not_valid_after_utc < now or indication == AdESIndeterminate.EXPIRED:
        return ValidationError(
            _("Chứng thư số của người ký (%(subject)s) đã hết hạn từ ngày %(date)s.")
            % {
                "subject": subject,
                "date": timezone.localtime(cert.not_valid_after_utc).strftime("%d/%m/%Y"),
            },
            code="expired",
        )
    if cert.not_valid_before_utc > now or indication == AdESIndeterminate.NOT_YET_VALID:
        return ValidationError(
            _("Chứng thư số của người ký (%(subject)s) chưa có hiệu lực.") % {"subject": subject},
            code="not_yet_valid",
        )
    return ValidationError(
        _(
            "Chứng thư số của người ký (%(subject)s) không do tổ chức chứng thực chữ ký số "
            "được Khối Portal tin cậy cấp, hoặc không dùng được để ký văn bản."
        )
        % {"subject": subject},
        code="untrusted",
    )


def _carries_hash(reader, embedded, sha256_text: str) -> bool:
    """Whether the revision *embedded* signed is the covenant text with hash *sha256_text*:
    the portal writes it into the PDF's /Keywords (and the printed text)."""
    resolver = reader.get_historical_resolver(embedded.signed_revision)
    try:
        info = resolver.trailer_view["/Info"]
    except KeyError:
        return False
    for key in ("/Keywords", "/Subject"):
        try:
            value = str(info[key])
        except (KeyError, TypeError, ValueError):
            continue
        if sha256_text.lower() in value.lower():
            return True
    return False


def validate_unit_signed_pdf(
    upload_bytes: bytes,
    expected_sha256_text: str | None = None,
    trust_roots: list[str] | None = None,
) -> UnitSignature:
    """Check a covenant a member unit signed with its own certificate (USB token) before the
    portal records it: a PDF whose signatures are all intact, at least one of which covers the
    whole file (nothing but form filling after it), chains to a trust root (COVENANT_TRUST_ROOTS
    by default) and is neither revoked (as far as the file's own revocation data tells) nor
    expired. With *expected_sha256_text*, the signed file must be this covenant's text.

    Raises ValidationError with a message for the unit, else returns the signer's details."""
    roots = _load_trust_roots(covenant_trust_roots() if trust_roots is None else trust_roots)
    reader = _reader(upload_bytes)
    signatures = _embedded_signatures(reader)
    if not signatures:
        raise ValidationError(
            _(
                "Tệp PDF chưa có chữ ký số. Hãy ký số tệp bằng chứng thư số của đơn vị "
                "(USB token) rồi tải lên lại."
            ),
            code="unsigned",
        )
    checked = [(embedded, _status(reader, embedded, roots)) for embedded in signatures]
    if any(status is None or not (status.intact and status.valid) for _embedded, status in checked):
        raise ValidationError(
            _(
                "Chữ ký số trong tệp không còn nguyên vẹn: tệp đã bị sửa sau khi ký hoặc "
                "chữ ký bị hỏng."
            ),
            code="tampered",
        )
    covering = [(embedded, status) for embedded, status in checked if _covers_document(status)]
    if not covering:
        raise ValidationError(
            _("Chữ ký số không bao trùm toàn bộ tệp: nội dung đã được thêm hoặc sửa sau khi ký."),
            code="modified",
        )
    trusted = [
        (embedded, status) for embedded, status in covering if status.trusted and not status.revoked
    ]
    if not trusted:
        raise _trust_error(covering[-1][1])
    if expected_sha256_text:
        trusted = [(e, s) for e, s in trusted if _carries_hash(reader, e, expected_sha256_text)]
        if not trusted:
            raise ValidationError(
                _(
                    "Tệp đã ký không phải là bản giao ước đang lấy chữ ký (mã SHA-256 của nội "
                    "dung không khớp). Hãy tải bản để ký số từ Khối Portal, ký và tải lên lại."
                ),
                code="other_text",
            )
    embedded, status = trusted[-1]
    cert = pyca_x509.load_der_x509_certificate(status.signing_cert.dump())
    return UnitSignature(
        subject=subject_text(status.signing_cert),
        signed_at=_signed_at(embedded),
        issuer=nfc(cert.issuer.rfc4514_string({NameOID.EMAIL_ADDRESS: "E"})),
        serial=f"{cert.serial_number:x}",
        field=embedded.field_name,
    )


# --- the unit's copy to sign --------------------------------------------------------------


def signing_copy_pdf(covenant) -> bytes:
    """The frozen covenant text as a PDF for a unit to sign with its own certificate: the
    Decree 30 layout, the text's SHA-256 printed and in the /Keywords that
    :func:`validate_unit_signed_pdf` looks for. Not numbered, not stored."""
    from covenants.services import covenant_snapshot
    from documents.documents import render_document_pdf
    from documents.models import Document, DocumentType
    from documents.services import header_defaults

    if not covenant.text_sha256:
        raise ValidationError(_("Giao ước chưa chốt nội dung, chưa có bản để ký số."))
    bloc_year = covenant.bloc_year
    extra = covenant_snapshot(covenant) | {"signatures": [], "trail": [], "signing_copy": True}
    place = covenant.place or (bloc_year.chair.province.name if bloc_year.chair else "") or "Hà Nội"
    document = Document(
        bloc=bloc_year.bloc,
        kind=KIND,
        doc_type=DocumentType.objects.get(code="GƯTĐ"),
        subject=covenant.title,
        place=place,
        extra=extra,
        status=Document.Status.ISSUED,
        issued_on=covenant.signed_on,
        **header_defaults(bloc=bloc_year.bloc, on=covenant.signed_on),
    )
    return render_document_pdf(document, draft=False)


registry.register(
    registry.Kind(
        KIND,
        "Giao ước thi đua",
        template="covenants/pdf/covenant.html",
        context=_pdf_context,
        docx_body=_docx_body,
        postprocess=seal_pdf,
    )
)
