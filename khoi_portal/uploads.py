"""Every uploaded file goes through here: one place for what each upload point accepts.

Upload points (each a ``Rule`` below):

- ``EVIDENCE``: evidence files of a score sheet (scoring: EvidenceForm, ``evidence_add``);
- ``SIGNATURE_SCAN``: the scan of a covenant signed on paper (covenants: PaperSignatureForm);
- ``SIGNED_PDF``: a covenant PDF signed with the unit's certificate (DigitalSignatureForm);
- ``ACHIEVEMENT_REPORT``: a nomination's achievement report (awards: NominationForm,
  ``nomination_create``);
- ``SCALE_XLSX``: a scoring scale imported from Excel (scoring: ScaleImportForm);
- ``VERIFY_PDF``: a PDF someone checks against the portal's issued documents (documents).

What is checked, in order, each refusal a Vietnamese sentence saying what to do:

1. size: empty files and files over the rule's limit;
2. type by content (``filetype`` on the first bytes), never by name or browser-sent type: a
   program, an HTML page or a ZIP named ``.pdf``/``.jpg`` is refused and named for what it is;
3. Office files (DOCX, XLSX are ZIP archives): entry count, total unpacked size and
   compression ratio, read from the archive's directory before anything (openpyxl, Word on a
   colleague's machine) inflates it, so a zip bomb is refused unopened;
4. the name: ``safe_filename`` keeps a display name only (NFC, no folders, no ``..``, no
   control characters, the extension matching the content). Files are stored under random
   names (each model's ``upload_to``); the user's name is never a path.

Text inside the files (XLSX cells) is checked for TCVN3/VNI legacy encodings by the reader
that extracts it, with ``legacy_text_error`` from here.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khoi_portal.lib.legacy_encodings import TCVN3, detect_legacy_encoding

MB = 1024 * 1024
HEAD_BYTES = 8192

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"

# How each type is named to the user, and the extension a stored name gets.
TYPE_NAMES = {
    PDF: ("PDF", "pdf"),
    JPEG: ("ảnh JPEG", "jpg"),
    PNG: ("ảnh PNG", "png"),
    DOCX: ("Word (.docx)", "docx"),
    XLSX: ("Excel (.xlsx)", "xlsx"),
    DOC: ("Word cũ (.doc)", "doc"),
    XLS: ("Excel cũ (.xls)", "xls"),
}
OOXML = {DOCX, XLSX}
_EXTENSIONS = {ext: mime for mime, (_, ext) in TYPE_NAMES.items()} | {"jpeg": JPEG}

# What a refused file really is, for the message: filetype's MIME types, then sniffed text.
_KNOWN = {
    "application/x-msdownload": "tệp chương trình Windows (EXE/DLL)",
    "application/x-executable": "tệp chương trình (ELF)",
    "application/x-sharedlib": "tệp chương trình (ELF)",
    "application/x-mach-binary": "tệp chương trình (Mach-O)",
    "application/zip": "tệp nén ZIP",
    "application/x-rar-compressed": "tệp nén RAR",
    "application/x-7z-compressed": "tệp nén 7z",
    "application/gzip": "tệp nén gzip",
    "application/x-tar": "tệp nén tar",
    "image/gif": "ảnh GIF",
    "image/webp": "ảnh WebP",
    "image/heic": "ảnh HEIC",
    "image/tiff": "ảnh TIFF",
    "image/bmp": "ảnh BMP",
    "application/rtf": "tệp RTF",
}


@dataclass(frozen=True)
class Rule:
    """What one upload point accepts."""

    types: frozenset[str]
    max_bytes: int
    # Office archives: most entries and most unpacked bytes accepted.
    max_entries: int = 2000
    max_unzipped: int = 100 * MB
    # The first sentence of a refusal by type; by default "Chỉ nhận <the types>."
    lead: str = ""


EVIDENCE = Rule(
    frozenset({PDF, JPEG, PNG, DOCX, XLSX, DOC, XLS}),
    10 * MB,
    lead=gettext_lazy("Chỉ nhận minh chứng dạng PDF, ảnh JPEG/PNG hoặc tệp Word, Excel."),
)
SIGNATURE_SCAN = Rule(
    frozenset({PDF, JPEG, PNG}),
    10 * MB,
    lead=gettext_lazy("Chỉ nhận bản quét dạng PDF, ảnh JPEG hoặc PNG."),
)
SIGNED_PDF = Rule(frozenset({PDF}), 10 * MB, lead=gettext_lazy("Tệp không phải PDF."))
ACHIEVEMENT_REPORT = Rule(
    frozenset({PDF, JPEG, PNG, DOCX, DOC}),
    10 * MB,
    lead=gettext_lazy("Báo cáo thành tích phải là tệp PDF, Word hoặc ảnh."),
)
# A scale's sheet is a few hundred kilobytes unpacked; 50 MB leaves room for pictures.
SCALE_XLSX = Rule(
    frozenset({XLSX}),
    5 * MB,
    max_entries=500,
    max_unzipped=50 * MB,
    lead=gettext_lazy(
        "Tệp không phải là bảng tính Excel .xlsx. Nếu là tệp .xls cũ hoặc .csv, hãy mở bằng "
        "Excel và chọn Lưu thành “Excel Workbook (.xlsx)”."
    ),
)
VERIFY_PDF = Rule(frozenset({PDF}), 30 * MB, lead=gettext_lazy("Tệp này không phải là tệp PDF."))

# Above this unpacked size, a compression ratio over MAX_RATIO means a zip bomb: real Office
# XML packs 5–20 times, pictures not at all; bombs pack hundreds or thousands of times.
RATIO_FLOOR = 10 * MB
MAX_RATIO = 100


@dataclass(frozen=True)
class Checked:
    """An accepted upload: its type (from its content) and a safe name to show."""

    mime: str
    name: str
    size: int


def _display_name(upload) -> str:
    return safe_filename(getattr(upload, "name", "") or "", default="tệp")


def _allowed(rule: Rule) -> str:
    names = [TYPE_NAMES[m][0] for m in TYPE_NAMES if m in rule.types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + _(" hoặc ") + names[-1]


def sniff(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes, or None when not recognised."""
    import filetype

    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def _describe(head: bytes, mime: str | None) -> str:
    """What a refused file is, in words ("tệp chương trình Windows (EXE/DLL)")."""
    if mime in TYPE_NAMES:
        return TYPE_NAMES[mime][0]
    if mime in _KNOWN:
        return _KNOWN[mime]
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return _("trang web (HTML)")
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in start):
        return _("ảnh SVG")
    if start.startswith(b"<?xml"):
        return _("tệp XML")
    if start.startswith(b"#!"):
        return _("tệp lệnh (script)")
    if head and b"\x00" not in head:
        return _("tệp văn bản thuần")
    return _("một loại tệp không nhận dạng được")


def _wrong_type(name: str, head: bytes, mime: str | None, rule: Rule) -> ValidationError:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    what = _describe(head, mime)
    lead = str(rule.lead) if rule.lead else _("Chỉ nhận %(allowed)s.") % {"allowed": _allowed(rule)}
    if extension:
        detail = _("Tệp “%(name)s” có đuôi .%(ext)s nhưng nội dung là %(what)s") % {
            "name": name,
            "ext": extension,
            "what": what,
        }
    else:
        detail = _("Nội dung tệp “%(name)s” là %(what)s") % {"name": name, "what": what}
    message = _("%(lead)s %(detail)s (kiểm tra theo nội dung tệp, không theo phần mở rộng).") % {
        "lead": lead,
        "detail": detail,
    }
    return ValidationError(message, code="wrong_type")


def check_office_archive(data_or_file, *, name: str, rule: Rule) -> None:
    """Refuse an Office (ZIP) file that would expand enormously, before anyone opens it.

    Reads only the archive's central directory: the sizes there are also the most Python's
    zipfile (openpyxl, python-docx) will ever inflate per entry.
    """
    source = io.BytesIO(data_or_file) if isinstance(data_or_file, bytes) else data_or_file
    damaged = ValidationError(
        _("Tệp “%(name)s” bị hỏng: không đọc được cấu trúc tệp Office.") % {"name": name},
        code="damaged",
    )
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise damaged from None
    finally:
        if not isinstance(data_or_file, bytes):
            data_or_file.seek(0)
    bomb = ValidationError(
        _(
            "Tệp “%(name)s” khi giải nén lớn bất thường (%(size)s, %(n)s thành phần): có thể là "
            "tệp nén độc hại hoặc bị hỏng. Hãy mở bằng Word/Excel, lưu lại thành tệp mới rồi "
            "tải lên lại."
        )
        % {
            "name": name,
            "size": filesizeformat(sum(i.file_size for i in infos)),
            "n": len(infos),
        },
        code="zip_bomb",
    )
    if len(infos) > rule.max_entries:
        raise bomb
    unzipped = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if unzipped > rule.max_unzipped:
        raise bomb
    if unzipped > RATIO_FLOOR and unzipped > MAX_RATIO * max(packed, 1):
        raise bomb
    if any(info.flag_bits & 0x1 for info in infos):
        raise ValidationError(
            _("Tệp “%(name)s” đang đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại.")
            % {"name": name},
            code="encrypted",
        )


def check_upload(upload, rule: Rule) -> Checked:
    """Check *upload* against *rule*; its type, safe name and size, or a ValidationError."""
    name = _display_name(upload)
    size = upload.size
    if not size:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="empty")
    if size > rule.max_bytes:
        raise ValidationError(
            _(
                "Tệp quá lớn: tối đa %(limit)s MB. Tệp “%(name)s” nặng %(size)s: hãy giảm độ "
                "phân giải bản quét hoặc tách tệp rồi tải lên lại."
            )
            % {"name": name, "size": filesizeformat(size), "limit": rule.max_bytes // MB},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    mime = sniff(head)
    if mime not in rule.types:
        raise _wrong_type(name, head, mime, rule)
    if mime in OOXML:
        check_office_archive(getattr(upload, "file", upload), name=name, rule=rule)
    return Checked(mime=mime, name=safe_filename(name, mime=mime), size=size)


# --- names ------------------------------------------------------------------------------------

_RESERVED = set('<>:"/\\|?*')
MAX_NAME = 150


def safe_filename(raw: str, *, mime: str | None = None, default: str = "tep") -> str:
    """A display name made safe: NFC, the last path component only, no control or format
    characters, no leading dots, at most 150 characters, the extension matching *mime*."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        " " if ch in _RESERVED or ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch)[0] != "C"  # Cc, Cf, Cs, Co, Cn: NUL, RTL overrides…
    )
    text = " ".join(text.split()).strip(" .")
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    stem = stem.strip(" .")
    if mime in TYPE_NAMES:
        wanted = TYPE_NAMES[mime][1]
        if _EXTENSIONS.get(extension.lower()) != mime:
            # "scan.png" holding a JPEG is stored as "scan.jpg"; "baocao" gets ".pdf".
            if extension and extension.lower() not in _EXTENSIONS:
                stem = f"{stem}.{extension}" if stem else extension
            extension = wanted
        else:
            extension = extension.lower()
    stem = stem or default
    suffix = f".{extension}" if extension else ""
    return stem[: MAX_NAME - len(suffix)].rstrip(" .") + suffix


# --- text in files ----------------------------------------------------------------------------


def legacy_text_error(text: str, *, where: str = "") -> ValidationError | None:
    """A ValidationError saying *text* is TCVN3/VNI Vietnamese and how to convert it, or None."""
    found = detect_legacy_encoding(text)
    if found is None:
        return None
    return ValidationError(legacy_message(found, where=where), code="legacy_encoding")


def legacy_message(found, *, where: str = "") -> str:
    encoding = (
        _("bảng mã TCVN3 (ABC), phông .VnTime") if found.encoding == TCVN3 else _("bảng mã VNI")
    )
    examples = ", ".join(f"“{w}”" for w in found.examples)
    return _(
        "%(where)sNội dung dường như được gõ bằng %(encoding)s (ví dụ %(examples)s), không phải "
        "Unicode. Hãy chuyển sang Unicode (ví dụ bằng Unikey: Công cụ chuyển mã, chọn nguồn "
        "%(source)s, đích Unicode) rồi nhập hoặc tải lên lại."
    ) % {
        "where": f"{where}: " if where else "",
        "encoding": encoding,
        "examples": examples,
        "source": "TCVN3 (ABC)" if found.encoding == TCVN3 else "VNI Windows",
    }
