"""The award vote's two documents, issued in the bloc's register, and the dossier to the ministry.

- **Biên bản kiểm phiếu** (minutes of the vote count, type BB, kind ``award_minutes``): one per
  closed ballot round. Date and place, the member units, how many were present, the ballots,
  each candidate's votes and share of the base, the rule that decided each outcome, the elected.
- **Tờ trình đề nghị khen thưởng** (proposal to the ministry, type TTr, kind
  ``award_submission``): one per bloc year, listing the proposals of every award with each
  nominee's score, rank and votes.

As with the summary table (scoring/summary.py), each document keeps a snapshot of its data in
``Document.extra`` taken at issue: its PDF and DOCX are built from the snapshot, never from live
rows, so a numbered and signed document reads the same whatever changes later (a correction is
a superseding document). Issuing is idempotent: a round has one minutes, a year one submission.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import BallotRound, Nomination, PaperTally, Proposal
from blocs.models import BlocYear, User
from blocs.selectors import bloc_members, bloc_supervisor, province_on
from documents import registry
from documents.models import Document, DocumentType
from documents.services import document_create_draft, document_freeze_pdf, document_issue
from khoi_portal.lib.official import in_official_language
from khoi_portal.lib.vietnamese import date_long, nfc, sorted_vi

MINUTES_KIND = "award_minutes"
MINUTES_TYPE = "BB"  # Biên bản (Decree 30/2020, Appendix III)
SUBMISSION_KIND = "award_submission"
SUBMISSION_TYPE = "TTr"  # Tờ trình
SUMMARY_KIND = "summary_table"  # scoring/summary.py
ISSUED = (Document.Status.ISSUED, Document.Status.DISTRIBUTED)


# --- numbers the Vietnamese way ---------------------------------------------------------------


def vn_number(value, *, places: int = 2, trim: bool = False) -> str:
    """ "1.000,50": Vietnamese grouping and decimal comma; *trim* drops trailing zeros ("80")."""
    text = f"{Decimal(value):,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if trim and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def percent(share) -> str:
    """A share of the base as a percentage: "0.7143" → "71,43"."""
    return vn_number(Decimal(share) * 100)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- defaults for the issue forms -------------------------------------------------------------


def _chair_leader(bloc_year: BlocYear) -> User | None:
    if bloc_year.chair_id is None:
        return None
    return (
        User.objects.filter(
            unit_id=bloc_year.chair_id, unit_role=User.UnitRole.LEADER, is_active=True
        )
        .order_by("pk")
        .first()
    )


def issue_defaults(*, bloc_year: BlocYear, kind: str, on: dt.date | None = None) -> dict:
    """The issue form's starting values: the chair unit's province as the place, its head (or its
    leader's account) as the signer; minutes are signed by the chair of the meeting (CHỦ TỌA),
    the submission on behalf of the bloc (TM.)."""
    on = on or timezone.localdate()
    chair = bloc_year.chair
    leader = _chair_leader(bloc_year)
    place = province_on(province=chair.province, on=on).name if chair else ""
    signer_name = (chair.head_name if chair else "") or (leader.full_name if leader else "")
    head_title = (chair.head_title if chair and chair.head_name else "") or (
        leader.job_title if leader else ""
    )
    bloc = bloc_year.bloc
    if kind == MINUTES_KIND:
        heading = "CHỦ TỌA"
        title = ""
    else:
        heading = f"TM. {bloc.name.upper()}\n{bloc.kind_word.upper()} TRƯỞNG"
        title = _signer_title(head_title, chair.full_name) if chair and head_title else ""
    return {
        "issued_on": on,
        "place": place,
        "signature_heading": heading,
        "signer_title": title,
        "signer_name": signer_name,
    }


def _signer_title(head_title: str, unit_name: str) -> str:
    """ "Trưởng ban" of "Ban Quản lý các Khu kinh tế tỉnh Tây Ninh" → "TRƯỞNG BAN QUẢN LÝ CÁC KHU
    KINH TẾ TỈNH TÂY NINH" (the title and the board's name share the word "Ban")."""
    if head_title.lower().endswith("ban") and unit_name.startswith("Ban "):
        return f"{head_title}{unit_name[3:]}".upper()
    return f"{head_title} {unit_name}".upper()


def _doc_type(code: str, name: str) -> DocumentType:
    doc_type = DocumentType.objects.filter(code=code).first()
    if doc_type is None:
        raise ValidationError(
            _("Chưa có loại văn bản %(name)s (%(code)s) trong danh mục loại văn bản.")
            % {"name": name, "code": code}
        )
    return doc_type


def _authority(heading: str) -> str:
    """The signing authority of a heading: its last "TM."/"KT."/… line decides."""
    prefixes = [value for value in Document.Authority.values if value]
    found = ""
    for line in heading.upper().splitlines():
        found = next((p for p in prefixes if line.strip().startswith(p)), found)
    return found


def _header(bloc_year: BlocYear, issued_on: dt.date) -> dict:
    """The parent body of the day of issue: the supervising ministry changes (NQ 176/2025), and a
    2018 document names the ministry of 2018."""
    supervisor = bloc_supervisor(bloc=bloc_year.bloc, on=issued_on)
    return {"parent_body": supervisor.name.upper() if supervisor else ""}


# --- minutes of the vote count ----------------------------------------------------------------


def _in_force(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Issued and not replaced: a correction (documents' supersede) takes over once issued."""
    return documents.filter(status__in=ISSUED).exclude(superseded_by__status__in=ISSUED)


def minutes_of(ballot_round: BallotRound) -> Document | None:
    """The round's current minutes: the last of its chain (a correction supersedes, it never
    duplicates), or None before any was made."""
    return (
        Document.objects.filter(
            bloc_id=ballot_round.bloc_year.bloc_id,
            kind=MINUTES_KIND,
            extra__round_id=ballot_round.pk,
            superseded_by__isnull=True,
        )
        .select_related("doc_type")
        .order_by("-created_at", "-pk")
        .first()
    )


@in_official_language
def minutes_snapshot(ballot_round: BallotRound, *, place: str, held_on: dt.date) -> dict:
    """Everything the minutes print, as JSON-ready data (numbers as exact strings)."""
    results = ballot_round.results or {}
    bloc_year = ballot_round.bloc_year
    tally = (
        PaperTally.objects.filter(round=ballot_round)
        .select_related("entered_by", "confirmed_by")
        .first()
    )
    candidates = [
        {
            "label": c["label"],
            "votes": c["votes"],
            "share": str(c["share"]),
            "score": c.get("score"),
            "passed": bool(c["passed"]),
            "elected": bool(c["elected"]),
            "rule": c["rule"],
        }
        for c in results.get("candidates", [])
    ]
    return {
        "round_id": ballot_round.pk,
        "bloc_year_id": bloc_year.pk,
        "year": bloc_year.year,
        "bloc": bloc_year.bloc.name,
        "title": ballot_round.title,
        "award": ballot_round.award_type.name if ballot_round.award_type else "",
        "mode": ballot_round.mode,
        "mode_label": str(ballot_round.get_mode_display()),
        "held_on": held_on.isoformat(),
        "place": place,
        "member_names": sorted_vi(
            bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).values_list(
                "full_name", flat=True
            )
        ),
        "members": results.get("members", ballot_round.member_units),
        "present": results.get("present"),
        "voters": results.get("voters"),
        "base": results.get("base"),
        "base_kind": ballot_round.base,
        "base_label": str(ballot_round.get_base_display()),
        "quorum": str(ballot_round.quorum),
        "quorum_met": bool(results.get("quorum_met")),
        "pass_share": str(ballot_round.pass_share),
        "tie_break_label": str(ballot_round.get_tie_break_display()),
        "seats": ballot_round.seats,
        "max_choices": ballot_round.max_choices,
        "tally": {
            "issued": tally.ballots_issued,
            "returned": tally.ballots_returned,
            "valid": tally.ballots_valid,
            "entered_by": tally.entered_by.get_full_name(),
            "confirmed_by": tally.confirmed_by.get_full_name() if tally.confirmed_by else "",
        }
        if tally
        else None,
        "candidates": candidates,
        "elected": [c["label"] for c in candidates if c["elected"]],
        "tie": list(results.get("tie", [])),
        "runoff": bool(results.get("runoff_round")),
    }


def _minutes_body(snapshot: dict, bloc_name: str) -> str:
    held_on = dt.date.fromisoformat(snapshot["held_on"])
    return (
        f"Hôm nay, {date_long(held_on)}, tại {snapshot['place']}, {bloc_name} tổ chức bỏ phiếu "
        f"{_lower_first(snapshot['title'])} ({_lower_first(snapshot['mode_label'])}). "
        "Ban kiểm phiếu lập biên bản kiểm phiếu như sau:"
    )


@transaction.atomic
def minutes_issue(
    *,
    ballot_round: BallotRound,
    by: User,
    issued_on: dt.date,
    place: str,
    signer_name: str = "",
    signer_title: str = "",
    signature_heading: str = "",
    secretary_name: str = "",
    render: bool = True,
) -> Document:
    """Issue the minutes of a closed round (BB) in the bloc's register and attach them to the
    round's proposals. Idempotent: a round that already has minutes gets them back unchanged.

    The round row is locked first, so two clicks at once make one document.
    """
    current = (
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
        BallotRound.objects.select_for_update(of=("self",))
        .select_related("bloc_year__bloc", "bloc_year__chair__province", "award_type")
        .get(pk=ballot_round.pk)
    )
    existing = minutes_of(current)
    if existing is not None:
        return existing
    if current.status != BallotRound.Status.CLOSED:
        raise ValidationError(_("Chỉ lập biên bản kiểm phiếu sau khi vòng bỏ phiếu đã kết thúc."))
    bloc_year = current.bloc_year
    defaults = issue_defaults(bloc_year=bloc_year, kind=MINUTES_KIND, on=issued_on)
    place = nfc((place or defaults["place"]).strip())
    heading = nfc((signature_heading or defaults["signature_heading"]).strip())
    snapshot = minutes_snapshot(current, place=place, held_on=current.held_on or issued_on)
    snapshot["secretary"] = nfc((secretary_name or by.get_full_name()).strip())
    bloc = bloc_year.bloc
    draft = document_create_draft(
        bloc=bloc,
        doc_type=_doc_type(MINUTES_TYPE, "Biên bản"),
        created_by=by,
        kind=MINUTES_KIND,
        subject=f"Kiểm phiếu {_lower_first(current.title)}",
        place=place,
        extra=snapshot,
        body=_minutes_body(snapshot, bloc.name),
        distribution=f"- Các đơn vị thành viên {bloc.kind_word};\n- Lưu: VT.",
        authority=_authority(heading),
        **_header(bloc_year, issued_on),
    )
    document = document_issue(
        document=draft,
        issued_on=issued_on,
        issued_by=by,
        render=render,
        signer_name=nfc((signer_name or defaults["signer_name"]).strip()),
        signer_title=nfc((signer_title or defaults["signer_title"]).strip()),
        signature_heading=heading,
    )
    Proposal.objects.filter(round=current).update(minutes=document)
    return document


def _minutes_context(document: Document) -> dict:
    data = document.extra or {}
    candidates = [
        c
        | {
            "percent": percent(c["share"]),
            "score_text": vn_number(c["score"]) if c.get("score") else "",
        }
        for c in data.get("candidates", [])
    ]
    held_on = dt.date.fromisoformat(data["held_on"]) if data.get("held_on") else None
    minutes = data | {
        "candidates": candidates,
        "quorum_percent": percent(data["quorum"]) if data.get("quorum") else "",
        "pass_percent": vn_number(Decimal(data.get("pass_share", "0")) * 100, trim=True),
        "held_on_text": date_long(held_on) if held_on else "",
        "elected_rows": [c for c in candidates if c["elected"]],
    }
    return {"minutes": minutes | {"facts": minutes_facts(minutes) if "members" in data else []}}


def minutes_facts(data: dict) -> list[str]:
    """The counted facts of the minutes, one line each (the PDF and the DOCX print the same)."""
    quorum = "đạt" if data["quorum_met"] else "không đạt"
    facts = [
        f"Số đơn vị thành viên: {data['members']}; số đơn vị có mặt: {data['present']} "
        f"(tỷ lệ tối thiểu {data['quorum_percent']}%: {quorum}).",
    ]
    tally = data.get("tally")
    if tally:
        facts.append(
            f"Số phiếu phát ra: {tally['issued']}; số phiếu thu về: {tally['returned']}; "
            f"số phiếu hợp lệ: {tally['valid']}."
        )
    else:
        facts.append(f"Số phiếu bầu điện tử đã bỏ: {data['voters']}.")
    facts.append(f"Số suất: {data['seats']}; mỗi phiếu chọn tối đa {data['max_choices']} ứng viên.")
    base, tie_break = _lower_first(data["base_label"]), _lower_first(data["tie_break_label"])
    facts.append(
        f"Tỷ lệ phiếu tính trên {base} ({data['base']}); ứng viên trúng khi đạt trên "
        f"{data['pass_percent']}% số phiếu và xếp trong số suất, theo thứ tự số phiếu từ cao "
        f"xuống thấp; khi bằng phiếu ở suất cuối: {tie_break}."
    )
    return facts


def _minutes_docx(docx_document, document: Document) -> None:
    from documents.docx import add_table  # python-docx on first use (issue #8)

    data = _minutes_context(document)["minutes"]
    for line in data["facts"]:
        docx_document.add_paragraph(f"- {line}")
    add_table(
        docx_document,
        ["STT", "Ứng viên", "Số phiếu", "Tỷ lệ (%)", "Kết quả", "Căn cứ"],
        [
            [
                str(i),
                c["label"],
                str(c["votes"]),
                c["percent"],
                "Trúng" if c["elected"] else "Không trúng",
                c["rule"],
            ]
            for i, c in enumerate(data["candidates"], start=1)
        ],
        widths_mm=[12, 55, 18, 20, 22, 38],
    )
    elected = data["elected_rows"]
    if elected:
        docx_document.add_paragraph(
            "Các ứng viên trúng: "
            + "; ".join(f"{c['label']} ({c['votes']} phiếu, {c['percent']}%)" for c in elected)
            + "."
        )
    else:
        docx_document.add_paragraph("Không có ứng viên nào trúng.")
    if data.get("secretary"):
        docx_document.add_paragraph(f"Thư ký: {data['secretary']}")


# --- the submission to the ministry -----------------------------------------------------------


def submission_of(bloc_year: BlocYear) -> Document | None:
    """The year's current submission (the last of its chain), or None before any was made."""
    return (
        Document.objects.filter(
            bloc_id=bloc_year.bloc_id,
            kind=SUBMISSION_KIND,
            extra__bloc_year_id=bloc_year.pk,
            superseded_by__isnull=True,
        )
        .select_related("doc_type")
        .order_by("-created_at", "-pk")
        .first()
    )


def summary_documents(bloc_year: BlocYear) -> QuerySet[Document]:
    """The year's issued summary tables in force (their snapshot names the emulation year)."""
    return (
        _in_force(
            Document.objects.filter(
                bloc_id=bloc_year.bloc_id, kind=SUMMARY_KIND, extra__year=bloc_year.year
            )
        )
        .select_related("doc_type")
        .order_by("number_year", "number")
    )


@in_official_language
def submission_snapshot(bloc_year: BlocYear) -> dict:
    proposals = list(
        Proposal.objects.filter(bloc_year=bloc_year)
        .select_related("award_type", "round", "unit", "minutes__doc_type")
        .order_by("award_type__position", "award_type__name", "-votes", "label")
    )
    awards: list[dict] = []
    for proposal in proposals:
        if not awards or awards[-1]["code"] != proposal.award_type.code:
            awards.append(
                {"code": proposal.award_type.code, "award": proposal.award_type.name, "rows": []}
            )
        awards[-1]["rows"].append(
            {
                "label": proposal.label,
                "unit": proposal.unit.full_name,
                "score": str(proposal.score) if proposal.score is not None else None,
                "rank": proposal.rank,
                "votes": proposal.votes,
                "share": str(proposal.vote_share),
                "base": (proposal.round.results or {}).get("base"),
                "round": proposal.round.title,
                "minutes": proposal.minutes.number_text if proposal.minutes else "",
            }
        )
    minutes = sorted(
        {p.minutes.number_text for p in proposals if p.minutes and p.minutes.number_text}
    )
    return {
        "bloc_year_id": bloc_year.pk,
        "year": bloc_year.year,
        "bloc": bloc_year.bloc.name,
        "awards": awards,
        "minutes": minutes,
        "summaries": [d.number_text for d in summary_documents(bloc_year)],
        "reports": Nomination.objects.filter(bloc_year=bloc_year, withdrawn=False)
        .exclude(report="")
        .count(),
    }


def _submission_body(snapshot: dict, *, bloc_name: str, supervisor: str, year: int) -> str:
    lines = []
    if snapshot["summaries"]:
        lines.append(
            f"Căn cứ kết quả chấm điểm thi đua năm {year} (Biểu tổng hợp số "
            f"{', '.join(snapshot['summaries'])});"
        )
    if snapshot["minutes"]:
        lines.append(
            f"Căn cứ kết quả bỏ phiếu bình xét, suy tôn (Biên bản kiểm phiếu số "
            f"{', '.join(snapshot['minutes'])}),"
        )
    lines.append(
        f"{bloc_name} kính đề nghị {supervisor or 'Bộ'} xem xét, khen thưởng các tập thể, cá nhân "
        f"có thành tích xuất sắc trong phong trào thi đua năm {year} như sau:"
    )
    return "\n".join(lines)


@transaction.atomic
def submission_issue(
    *,
    bloc_year: BlocYear,
    by: User,
    issued_on: dt.date,
    place: str,
    signer_name: str = "",
    signer_title: str = "",
    signature_heading: str = "",
    render: bool = True,
) -> Document:
    """Issue the year's Tờ trình (TTr) proposing the elected nominees to the ministry, and attach
    it to every proposal of the year. Idempotent: the year's submission, if issued, is returned.

    The bloc year row is locked first, so two clicks at once make one document.
    """
    current = (
        BlocYear.objects.select_for_update(of=("self",))
        .select_related("bloc", "chair__province")
        .get(pk=bloc_year.pk)
    )
    existing = submission_of(current)
    if existing is not None:
        return existing
    snapshot = submission_snapshot(current)
    if not snapshot["awards"]:
        raise ValidationError(
            _("Chưa có đề nghị khen thưởng nào: hãy kết thúc các vòng bỏ phiếu trước.")
        )
    defaults = issue_defaults(bloc_year=current, kind=SUBMISSION_KIND, on=issued_on)
    heading = nfc((signature_heading or defaults["signature_heading"]).strip())
    bloc = current.bloc
    supervisor = bloc_supervisor(bloc=bloc, on=issued_on)
    supervisor_name = supervisor.name if supervisor else ""
    place = nfc((place or defaults["place"]).strip())
    draft = document_create_draft(
        bloc=bloc,
        doc_type=_doc_type(SUBMISSION_TYPE, "Tờ trình"),
        created_by=by,
        kind=SUBMISSION_KIND,
        subject=f"Đề nghị khen thưởng thành tích phong trào thi đua năm {current.year}",
        place=place,
        extra=snapshot,
        recipients=supervisor_name,
        body=_submission_body(
            snapshot, bloc_name=bloc.name, supervisor=supervisor_name, year=current.year
        ),
        distribution=f"- Như trên;\n- Các đơn vị thành viên {bloc.kind_word};\n- Lưu: VT.",
        authority=_authority(heading),
        **_header(current, issued_on),
    )
    document = document_issue(
        document=draft,
        issued_on=issued_on,
        issued_by=by,
        render=render,
        signer_name=nfc((signer_name or defaults["signer_name"]).strip()),
        signer_title=nfc((signer_title or defaults["signer_title"]).strip()),
        signature_heading=heading,
    )
    Proposal.objects.filter(bloc_year=current).update(submission=document)
    return document


def _submission_context(document: Document) -> dict:
    data = document.extra or {}
    awards = [
        a
        | {
            "rows": [
                r
                | {
                    "score_text": vn_number(r["score"]) if r.get("score") else "–",
                    "rank_text": str(r["rank"]) if r.get("rank") else "–",
                    "percent": percent(r["share"]),
                }
                for r in a["rows"]
            ]
        }
        for a in data.get("awards", [])
    ]
    return {"submission": data | {"awards": awards}}


def submission_attachments(data: dict) -> list[str]:
    lines = []
    if data.get("minutes"):
        lines.append(f"Biên bản kiểm phiếu số {', '.join(data['minutes'])};")
    if data.get("summaries"):
        lines.append(f"Biểu tổng hợp kết quả chấm điểm số {', '.join(data['summaries'])};")
    if data.get("reports"):
        lines.append(f"Báo cáo thành tích của các tập thể, cá nhân ({data['reports']} báo cáo).")
    return lines


def _submission_docx(docx_document, document: Document) -> None:
    from documents.docx import add_table  # python-docx on first use (issue #8)

    data = _submission_context(document)["submission"]
    for number, award in enumerate(data["awards"], start=1):
        paragraph = docx_document.add_paragraph()
        paragraph.add_run(f"{number}. {award['award']}").bold = True
        add_table(
            docx_document,
            ["STT", "Tập thể, cá nhân", "Điểm thi đua", "Hạng", "Số phiếu", "Tỷ lệ (%)"],
            [
                [str(i), r["label"], r["score_text"], r["rank_text"], str(r["votes"]), r["percent"]]
                for i, r in enumerate(award["rows"], start=1)
            ],
            widths_mm=[12, 75, 22, 14, 18, 22],
        )
    attachments = submission_attachments(data)
    if attachments:
        docx_document.add_paragraph().add_run("Hồ sơ kèm theo:").italic = True
        for line in attachments:
            docx_document.add_paragraph(f"- {line}")


registry.register(
    registry.Kind(
        MINUTES_KIND,
        "Biên bản kiểm phiếu bình xét khen thưởng",
        template="awards/pdf/minutes.html",
        context=_minutes_context,
        docx_body=_minutes_docx,
    )
)
registry.register(
    registry.Kind(
        SUBMISSION_KIND,
        "Tờ trình đề nghị khen thưởng",
        template="awards/pdf/submission.html",
        context=_submission_context,
        docx_body=_submission_docx,
    )
)


# --- the dossier ------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _safe(name: str, fallback: str) -> str:
    return _UNSAFE.sub("_", nfc(name)).strip(" .") or fallback


def _pdf_bytes(document: Document) -> bytes:
    """The frozen PDF (frozen now if the render task has not run yet: the export and the
    verification page must agree)."""
    if not document.is_pdf_ready:
        document = document_freeze_pdf(document_id=document.pk)
    with document.pdf.open("rb") as handle:
        return handle.read()


def dossier_documents(bloc_year: BlocYear) -> list[tuple[str, Document]]:
    """(folder, document) of the year's issued submission, minutes and summary tables."""
    of_year = Document.objects.filter(bloc_id=bloc_year.bloc_id, extra__bloc_year_id=bloc_year.pk)
    in_force = _in_force(of_year).select_related("doc_type").order_by("number_year", "number")
    found = [("1-to-trinh", d) for d in in_force.filter(kind=SUBMISSION_KIND)]
    found += [("2-bien-ban-kiem-phieu", d) for d in in_force.filter(kind=MINUTES_KIND)]
    found += [("3-bieu-tong-hop", d) for d in summary_documents(bloc_year)]
    return found


def dossier_zip(bloc_year: BlocYear) -> bytes:
    """The dossier to the ministry as a ZIP: the submission's PDF, every minutes PDF, the year's
    issued summary table, the nominees' achievement reports (every nomination of the year that is
    not withdrawn and carries one), and ``danh-muc.csv`` listing each file with its SHA-256."""
    buffer = io.BytesIO()
    index: list[tuple[str, str, str]] = []
    used: set[str] = set()

    def add(archive: zipfile.ZipFile, path: str, data: bytes, what: str) -> None:
        stem, dot, ext = path.rpartition(".")
        candidate, n = path, 1
        while candidate in used:
            n += 1
            candidate = f"{stem}-{n}{dot}{ext}"
        used.add(candidate)
        archive.writestr(candidate, data)
        index.append((candidate, what, hashlib.sha256(data).hexdigest()))

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, document in dossier_documents(bloc_year):
            name = _safe(document.number_text, f"van-ban-{document.pk}")
            add(
                archive,
                f"{folder}/{name}.pdf",
                _pdf_bytes(document),
                f"{document.number_text} – {document.subject}",
            )
        nominations = (
            Nomination.objects.filter(bloc_year=bloc_year, withdrawn=False)
            .exclude(report="")
            .select_related("unit", "award_type")
            .order_by("award_type__position", "rank", "pk")
        )
        for nomination in nominations:
            try:
                with nomination.report.open("rb") as handle:
                    data = handle.read()
            except FileNotFoundError:
                continue
            name = _safe(
                f"{nomination.label} - {nomination.report_name}", f"bao-cao-{nomination.pk}"
            )
            add(
                archive,
                f"4-bao-cao-thanh-tich/{name}",
                data,
                f"Báo cáo thành tích: {nomination.label} ({nomination.award_type.name})",
            )
        listing = io.StringIO()
        writer = csv.writer(listing)
        writer.writerow(["tep", "noi_dung", "sha256"])
        writer.writerows(index)
        archive.writestr("danh-muc.csv", "\ufeff" + listing.getvalue())
    return buffer.getvalue()


def dossier_name(bloc_year: BlocYear) -> str:
    today = timezone.localdate()
    return f"ho-so-khen-thuong-{bloc_year.bloc.symbol}-{bloc_year.year}-{today:%Y%m%d}.zip"
