"""Export one bloc's issued documents of one year: the frozen PDFs plus an index.csv.

    python manage.py export_documents --bloc KTĐMTNB --year 2021 --out /tmp/van-ban-2021

Each PDF is written under its number ("01/TM-KTĐMTNB" → ``01_TM-KTĐMTNB.pdf``); a document
whose PDF has not been frozen yet is frozen first (rendered once, hash recorded), so the
export and the verification page always agree. ``index.csv`` is UTF-8 with a BOM so Excel
shows the Vietnamese correctly; its ``sha256`` column is the hash of the file written.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blocs.models import Bloc
from documents.models import Document
from documents.services import document_freeze_pdf
from khoi_portal.lib.vietnamese import date_short, nfc

INDEX_NAME = "index.csv"
COLUMNS = ("number", "date", "type", "subject", "signer", "sha256", "file")
# Anything that is not safe in a file name on Linux, macOS or Windows.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def pdf_file_name(document: Document) -> str:
    """The PDF's file name: 01/TM-KTĐMTNB → 01_TM-KTĐMTNB.pdf, never a path out of the folder."""
    stem = _UNSAFE.sub("_", document.number_text).strip(" .") or f"van-ban-{document.pk}"
    return f"{stem}.pdf"


class Command(BaseCommand):
    help = (
        "Xuất các văn bản đã phát hành của một khối trong một năm ra thư mục: các tệp PDF và "
        "index.csv (số, ngày, loại, trích yếu, người ký, SHA-256, tệp)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bloc",
            required=True,
            metavar="SYMBOL",
            help="Ký hiệu văn bản của khối, ví dụ KTĐMTNB.",
        )
        parser.add_argument(
            "--year", required=True, type=int, metavar="YYYY", help="Năm của sổ văn bản."
        )
        parser.add_argument(
            "--out", required=True, metavar="DIR", help="Thư mục ghi tệp (tạo nếu chưa có)."
        )

    def handle(self, *args, bloc: str, year: int, out: str, **options) -> None:
        symbol = nfc(bloc.strip())
        found = Bloc.objects.filter(symbol=symbol).first()
        if found is None:
            known = ", ".join(Bloc.objects.order_by("symbol").values_list("symbol", flat=True))
            raise CommandError(
                f"Không tìm thấy khối có ký hiệu “{symbol}”."
                + (f" Các ký hiệu hiện có: {known}." if known else " Chưa có khối nào.")
            )
        if not 1900 <= year <= 9999:
            raise CommandError(f"Năm không hợp lệ: {year}.")

        documents = list(
            Document.objects.filter(
                bloc=found,
                number_year=year,
                status__in=[Document.Status.ISSUED, Document.Status.DISTRIBUTED],
            )
            .select_related("doc_type")
            .order_by("number", "issuer_symbol", "pk")
        )

        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Không tạo được thư mục {folder}: {exc}") from exc

        rows = []
        used: set[str] = set()
        for document in documents:
            if not document.is_pdf_ready:
                document = document_freeze_pdf(document_id=document.pk)
            try:
                with document.pdf.open("rb") as handle:
                    content = handle.read()
            except OSError as exc:
                raise CommandError(
                    f"Không đọc được tệp PDF của văn bản số {document.number_text}: {exc}"
                ) from exc
            digest = hashlib.sha256(content).hexdigest()
            if digest != document.sha256:
                raise CommandError(
                    f"Tệp PDF của văn bản số {document.number_text} không khớp mã SHA-256 đã lưu "
                    f"({document.sha256}); tệp có thể đã bị thay đổi. Dừng xuất."
                )
            name = pdf_file_name(document)
            if name in used:  # cannot happen for one series, but never overwrite silently
                name = f"{name.removesuffix('.pdf')}-{document.pk}.pdf"
            used.add(name)
            (folder / name).write_bytes(content)
            rows.append(
                {
                    "number": document.number_text,
                    "date": date_short(document.issued_on),
                    "type": document.doc_type.name,
                    "subject": document.subject,
                    "signer": document.signer_name,
                    "sha256": digest,
                    "file": name,
                }
            )

        # utf-8-sig writes the BOM Excel needs to read the file as UTF-8.
        with (folder / INDEX_NAME).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)

        if rows:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã xuất {len(rows)} văn bản của khối {found.symbol} năm {year} vào {folder}."
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Khối {found.symbol} không có văn bản nào đã phát hành năm {year}; "
                    f"chỉ ghi {INDEX_NAME} trống."
                )
            )
