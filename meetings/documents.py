"""The conference's documents, issued through the documents app in the bloc's register.

- **Giấy mời / Thư mời** (GM, or TM where the bloc keeps it, seed 000): a draft generated from
  the meeting — Kính gửi the members, Căn cứ the bloc's regulation, participants, the agenda as
  "- " lines, time, place, contact — then issued and e-mailed to every member unit; the sending
  progress is the deliveries' statuses.
- **Biên bản hội nghị** (BB, kind ``meeting_minutes``): who came (by unit, from registrations
  and check-ins) and each agenda item's outcome, with the ballot results and the election.
- **Báo cáo tổng kết** (BC, kind ``year_report``): a one-click, editable draft of the year's
  report from the year's data (covenant, campaigns, scoring, awards, election).

As with the summary table (scoring/summary.py), the minutes and the report keep a snapshot of
their data in ``Document.extra``, taken when the document is made: the PDF and the DOCX print
the snapshot, never live rows, so an issued document reads the same whatever changes later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import Bloc, BlocYear, MemberUnit, User
from blocs.selectors import bloc_members, bloc_supervisor, province_on
from documents import registry
from documents.models import Delivery, Document, DocumentType
from documents.services import (
    document_create_draft,
    document_distribute,
    document_issue,
    header_defaults,
)
from khoi_portal.lib.official import in_official_language
from khoi_portal.lib.vietnamese import date_long, date_short, nfc, weekday
from meetings.models import AgendaItem, Delegate, Handover, Meeting, Registration

MINUTES_KIND = "meeting_minutes"
MINUTES_TYPE = "BB"  # Biên bản (Decree 30/2020, Appendix III)
REPORT_KIND = "year_report"
REPORT_TYPE = "BC"  # Báo cáo
# GM is the official code; "TM" (Thư mời) is what seed 000's bloc uses. A bloc keeps the code
# of its latest invitation (DOMAIN §7: the type table stays editable).
INVITATION_TYPES = ("GM", "TM")
TOP_UNITS = 3


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _doc_type(code: str, name: str) -> DocumentType:
    doc_type = DocumentType.objects.filter(code=code).first()
    if doc_type is None:
        raise ValidationError(
            _("Chưa có loại văn bản %(name)s (%(code)s) trong danh mục loại văn bản.")
            % {"name": name, "code": code}
        )
    return doc_type


# --- what every conference document shares ----------------------------------------------------


def local_start(meeting: Meeting) -> dt.datetime:
    return timezone.localtime(meeting.starts_at)


def time_text(moment: dt.datetime) -> str:
    """ "Vào lúc 9 giờ 00 phút, ngày 15/01/2021 (thứ Sáu)" (seed 000), in local time."""
    local = timezone.localtime(moment)
    day = local.date()
    return (
        f"Vào lúc {local.hour} giờ {local.minute:02d} phút, ngày {date_short(day)} ({weekday(day)})"
    )


def place_name(unit: MemberUnit | None, on: dt.date) -> str:
    """The place line's name: the unit's province of that day, "Thành phố Đà Nẵng" → "Đà Nẵng"."""
    if unit is None:
        return ""
    return province_on(province=unit.province, on=on).name.removeprefix("Thành phố ").strip()


def _signer_title(head_title: str, unit_name: str) -> str:
    """ "Phó Trưởng ban" of "Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng" → "PHÓ TRƯỞNG BAN
    QUẢN LÝ CÁC KHU CÔNG NGHIỆP TỈNH SÓC TRĂNG" (the title and the board share the word "Ban")."""
    if head_title.lower().endswith("ban") and unit_name.startswith("Ban "):
        return f"{head_title}{unit_name[3:]}".upper()
    return f"{head_title} {unit_name}".upper()


def signature_defaults(bloc_year: BlocYear) -> dict:
    """Signed on behalf of the bloc by the chair unit's head (seed 000): "TM. <BLOC>" then
    "KT. TRƯỞNG KHỐI" when the head is a deputy ("Phó …"), else "TRƯỞNG KHỐI"."""
    bloc, chair = bloc_year.bloc, bloc_year.chair
    head_name = chair.head_name if chair else ""
    head_title = chair.head_title if chair else ""
    deputy = head_title.strip().lower().startswith("phó")
    role = f"TRƯỞNG {bloc.kind_word.upper()}"
    return {
        "authority": Document.Authority.KT if deputy else Document.Authority.TM,
        "signature_heading": f"TM. {bloc.name.upper()}\n{'KT. ' if deputy else ''}{role}",
        "signer_title": _signer_title(head_title, chair.full_name) if chair and head_title else "",
        "signer_name": head_name,
    }


def _header(bloc: Bloc, on: dt.date) -> dict:
    """The header of the day: the supervising ministry changes (NQ 176/2025), so a 2021
    conference names the ministry of 2021."""
    return header_defaults(bloc=bloc, on=on)


# --- the invitation ---------------------------------------------------------------------------


def invitation_type(bloc: Bloc) -> DocumentType:
    """The code of the bloc's latest invitation, else GM."""
    latest = (
        Document.objects.filter(bloc=bloc, doc_type__code__in=INVITATION_TYPES)
        .select_related("doc_type")
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest.doc_type if latest else _doc_type("GM", "Giấy mời")


def _basis(bloc: Bloc, year: int) -> str:
    """ "Căn cứ Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020 của … về việc ban hành Quy chế …," """
    from covenants.selectors import regulation_for

    regulation = regulation_for(bloc=bloc, year=year)
    if regulation is None:
        return ""
    decision = regulation.decision.strip().rstrip(".;,")
    if decision.lower().startswith("quyết định"):
        return f"Căn cứ {decision} của {bloc.name} về việc ban hành {regulation.title},"
    title = (
        regulation.title if bloc.name in regulation.title else f"{regulation.title} của {bloc.name}"
    )
    return f"Căn cứ {title} ({_lower_first(decision)})," if decision else f"Căn cứ {title},"


def place_text(meeting: Meeting) -> str:
    """ "<host> (<address>)" as seed 000 writes it, or the address alone when it names the host."""
    address, host = meeting.address.strip(), meeting.host_unit
    return address if host is None or host.full_name in address else f"{host.full_name} ({address})"


def announcements_url(bloc: Bloc) -> str:
    return settings.SITE_URL + reverse("announcements", kwargs={"bloc_pk": bloc.pk})


def invitation_body(meeting: Meeting) -> str:
    """The invitation's body in the document markup, laid out as seed 000."""
    bloc_year = meeting.bloc_year
    bloc = bloc_year.bloc
    word = bloc.kind_word
    chair = bloc_year.chair
    inviter = f"{chair.full_name} (Trưởng {word})" if chair else f"Thường trực {bloc.name}"
    items = [item.title.strip().rstrip(".;") for item in meeting.agenda.order_by("position", "pk")]
    lines = [
        f"{inviter} trân trọng kính mời các đơn vị thành viên {bloc.name} đến dự "
        f"{meeting.title} như sau:",
        "*1. Thành phần tham dự:*",
        meeting.participants.strip()
        or (
            "Lãnh đạo Ban và công chức phụ trách công tác thi đua, khen thưởng của các đơn vị "
            f"thuộc {bloc.name}."
        ),
        "*2. Nội dung:*",
    ]
    lines += [
        f"- {title}{'.' if i == len(items) else ';'}" for i, title in enumerate(items, start=1)
    ]
    if meeting.agenda.filter(document__isnull=False).exists():
        lines.append(
            f"(Các dự thảo được gửi vào địa chỉ hộp thư điện tử của thành viên {word} và đăng tải "
            f"tại địa chỉ: {announcements_url(bloc)})."
        )
    lines += [
        f"*3. Thời gian:* {time_text(meeting.starts_at)}.",
        f"*4. Địa điểm:* {place_text(meeting)}.",
    ]
    reply = (
        f"Để công tác đón tiếp được chu đáo, đề nghị các thành viên {word} đăng ký danh sách "
        "đại biểu tham dự hội nghị trên Khối Portal"
    )
    if meeting.registration_deadline:
        local = timezone.localtime(meeting.registration_deadline)
        reply += f" trước {local.hour} giờ {local.minute:02d} phút, ngày {date_short(local.date())}"
    lines.append(reply + ".")
    if meeting.contact.strip():
        lines.append(f"Liên hệ đón tiếp: {meeting.contact.strip().rstrip('.')}.")
    lines.append(
        f"Rất mong Lãnh đạo các thành viên {word} tham dự đầy đủ để hội nghị thành công tốt đẹp./."
    )
    return "\n".join(lines)


def _lock(meeting: Meeting) -> Meeting:
    return (
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
        Meeting.objects.select_for_update(of=("self",))
        .select_related(
            "bloc_year__bloc", "bloc_year__chair__province", "host_unit", "invitation", "minutes"
        )
        .get(pk=meeting.pk)
    )


@transaction.atomic
def invitation_create(*, meeting: Meeting, by: User) -> Document:
    """Draft the meeting's invitation (GM, or the bloc's own TM) in the bloc's register.
    Idempotent: a meeting that has an invitation gets it back, edited or not; the meeting row
    is locked first, so two clicks at once make one draft."""
    current = _lock(meeting)
    if current.invitation_id is not None:
        return current.invitation
    bloc_year = current.bloc_year
    bloc = bloc_year.bloc
    on = local_start(current).date()
    document = document_create_draft(
        bloc=bloc,
        doc_type=invitation_type(bloc),
        created_by=by,
        subject=f"V/v dự {current.title}",
        place=place_name(bloc_year.chair, on) or place_name(current.host_unit, on),
        recipients=f"Thành viên {bloc.name}",
        basis=_basis(bloc, bloc_year.year),
        body=invitation_body(current),
        distribution="- Như trên;\n- Cổng TTĐT cơ quan;\n- Lưu: VT.",
        extra={"meeting_id": current.pk},
        **_header(bloc, on),
        **signature_defaults(bloc_year),
    )
    current.invitation = document
    _stamp(current, by=by, reason="Lập dự thảo giấy mời")
    current.save()
    return document


@transaction.atomic
def invitation_attach(*, meeting: Meeting, document: Document, by: User) -> Meeting:
    """Record an invitation made outside this page (seed 000's, issued before the meeting was
    entered) as the meeting's; an issued one marks the meeting invited."""
    current = _lock(meeting)
    if document.bloc_id != current.bloc_year.bloc_id:
        raise ValidationError(_("Giấy mời không thuộc sổ văn bản của khối này."))
    if current.invitation_id not in (None, document.pk):
        raise ValidationError(_("Hội nghị đã có giấy mời khác."))
    if current.invitation_id == document.pk:
        return current
    current.invitation = document
    if not document.is_draft and current.status == Meeting.Status.DRAFT:
        current.status = Meeting.Status.INVITED
    _stamp(current, by=by, reason=f"Gắn giấy mời {document.number_text or ''}".strip())
    current.save()
    return current


@transaction.atomic
def invitation_send(*, meeting: Meeting, by: User, issued_on: dt.date | None = None) -> int:
    """Issue the invitation if it is still a draft (next number of the bloc's register), then
    e-mail it with its PDF to every member unit once. Returns how many e-mails were queued;
    their progress is ``invitation_progress``."""
    current = _lock(meeting)
    if current.invitation_id is None:
        raise ValidationError(_("Chưa có giấy mời: hãy lập dự thảo trước."))
    document = current.invitation
    if document.is_draft:
        document = document_issue(
            document=document, issued_on=issued_on or timezone.localdate(), issued_by=by
        )
    queued = document_distribute(document=document, by=by)
    if current.status == Meeting.Status.DRAFT:
        current.status = Meeting.Status.INVITED
        _stamp(current, by=by, reason=f"Gửi giấy mời số {document.number_text}")
        current.save()
    return queued


@dataclass(frozen=True)
class SendProgress:
    total: int
    sent: int
    failed: int
    waiting: int

    @property
    def polling(self) -> bool:
        return self.waiting > 0

    @property
    def percent(self) -> int:
        return round(100 * self.sent / self.total) if self.total else 0


def invitation_progress(meeting: Meeting) -> SendProgress:
    """The invitation's e-mails by status, in one query."""
    counts = {status: 0 for status in Delivery.Status.values}
    if meeting.invitation_id is not None:
        for status in Delivery.objects.filter(document_id=meeting.invitation_id).values_list(
            "status", flat=True
        ):
            counts[status] += 1
    return SendProgress(
        total=sum(counts.values()),
        sent=counts[Delivery.Status.SENT],
        failed=counts[Delivery.Status.FAILED],
        waiting=counts[Delivery.Status.PENDING] + counts[Delivery.Status.SENDING],
    )


# --- the minutes ------------------------------------------------------------------------------


def _attendance(meeting: Meeting) -> list[dict]:
    """Every member unit: its answer, its active delegates and who checked in (3 queries)."""
    bloc_year = meeting.bloc_year
    units = list(bloc_members(bloc=bloc_year.bloc, year=bloc_year.year))
    registrations = {r.unit_id: r for r in Registration.objects.filter(meeting=meeting)}
    delegates: dict[int, list[Delegate]] = {}
    for delegate in (
        Delegate.objects.filter(registration__meeting=meeting, substituted_by__isnull=True)
        .select_related("registration")
        .order_by("pk")
    ):
        delegates.setdefault(delegate.registration.unit_id, []).append(delegate)
    rows = []
    for unit in units:
        registration = registrations.get(unit.pk)
        people = delegates.get(unit.pk, [])
        present = any(d.checked_in_at for d in people)
        if present:
            status = "present"
        elif registration is None:
            status = "no_answer"
        elif registration.declined:
            status = "declined"
        else:
            status = "absent"
        rows.append(
            {
                "unit_id": unit.pk,
                "unit": unit.full_name,
                "short_name": unit.short_name,
                "status": status,
                "note": registration.note if registration else "",
                "delegates": [
                    {"name": d.full_name, "title": d.title, "present": d.checked_in_at is not None}
                    for d in people
                ],
            }
        )
    return rows


def _ballot(ballot_round) -> dict:
    from awards.documents import minutes_of

    results = ballot_round.results or {}
    closed = ballot_round.status == ballot_round.Status.CLOSED
    count_minutes = minutes_of(ballot_round) if closed else None
    candidates = (
        [
            {
                "label": c["label"],
                "votes": c["votes"],
                "share": str(c["share"]),
                "elected": bool(c["elected"]),
            }
            for c in results.get("candidates", [])
        ]
        if closed
        else []
    )
    return {
        "id": ballot_round.pk,
        "title": ballot_round.title,
        "closed": closed,
        "status_label": str(ballot_round.get_status_display()),
        "mode_label": str(ballot_round.get_mode_display()),
        "members": results.get("members", ballot_round.member_units),
        "present": results.get("present"),
        "voters": results.get("voters"),
        "base": results.get("base"),
        "quorum_met": bool(results.get("quorum_met")),
        "candidates": candidates,
        "elected": [c["label"] for c in candidates if c["elected"]],
        "tie": list(results.get("tie", [])),
        "count_minutes": count_minutes.number_text
        if count_minutes and not count_minutes.is_draft
        else "",
    }


def _election(meeting: Meeting) -> dict:
    """Next year's chair and vice and the handover of the rotating flag, as recorded; *elected*
    when the election was applied at this meeting (its handover names it)."""
    bloc_year = meeting.bloc_year
    next_year = (
        BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year=bloc_year.year + 1)
        .select_related("chair", "vice")
        .first()
    )
    handover = (
        Handover.objects.filter(bloc_id=bloc_year.bloc_id, year=bloc_year.year + 1)
        .select_related("from_unit", "to_unit")
        .first()
    )
    return {
        "year": bloc_year.year + 1,
        "chair": next_year.chair.full_name if next_year and next_year.chair else "",
        "vice": next_year.vice.full_name if next_year and next_year.vice else "",
        "elected": handover is not None and handover.meeting_id == meeting.pk,
        "handover": {
            "from": handover.from_unit.full_name if handover.from_unit else "",
            "to": handover.to_unit.full_name,
            "on": handover.handed_on.isoformat(),
        }
        if handover
        else None,
    }


def _item(item: AgendaItem, meeting: Meeting, election: dict, *, handover_item: bool) -> dict:
    from covenants.selectors import signature_tally

    facts: list[str] = []
    word = meeting.bloc_year.bloc.kind_word
    if item.covenant_id:
        tally = signature_tally(covenant=item.covenant)
        facts.append(
            f"{tally.signed}/{tally.total} đơn vị thành viên đã ký {item.covenant.title} "
            f"({_lower_first(item.covenant.get_status_display())})."
        )
    if item.action == AgendaItem.Action.ELECT:
        # "được bầu" only for an election applied at this meeting; otherwise as recorded.
        verb = "được bầu làm" if election.get("elected") else "là"
        if election["chair"]:
            facts.append(f"{election['chair']} {verb} Trưởng {word} năm {election['year']}.")
        if election["vice"]:
            facts.append(f"{election['vice']} {verb} Phó Trưởng {word} năm {election['year']}.")
    if (
        item.action in (AgendaItem.Action.HANDOVER, AgendaItem.Action.ELECT)
        and election["handover"]
    ):
        handover = election["handover"]
        giver = f"{handover['from']} trao" if handover["from"] else "Trao"
        fact = (
            f"{giver} cờ luân lưu cho {handover['to']}, Trưởng {word} năm {election['year']}, ngày "
            f"{date_short(dt.date.fromisoformat(handover['on']))}."
        )
        # The flag goes under its own item, or under the election when the agenda has none.
        if item.action == AgendaItem.Action.HANDOVER or not handover_item:
            facts.append(fact)
    document = item.document
    return {
        "action": item.action,
        "action_label": str(item.get_action_display()),
        "title": item.title,
        "outcome": item.outcome,
        "facts": facts,
        "document": {
            "number": document.number_text,
            "subject": document.subject,
            "type": document.doc_type.name,
            "issued": not document.is_draft,
        }
        if document
        else None,
        "ballot": _ballot(item.ballot_round) if item.ballot_round_id else None,
    }


@in_official_language
def minutes_snapshot(meeting: Meeting, *, place: str, held_on: dt.date) -> dict:
    """Everything the minutes print, as JSON-ready data."""
    bloc_year = meeting.bloc_year
    attendance = _attendance(meeting)
    election = _election(meeting)
    items = list(
        meeting.agenda.select_related(
            "ballot_round", "covenant__bloc_year__bloc", "document__doc_type"
        ).order_by("position", "pk")
    )
    handover_item = any(item.action == AgendaItem.Action.HANDOVER for item in items)
    return {
        "meeting_id": meeting.pk,
        "bloc_year_id": bloc_year.pk,
        "year": bloc_year.year,
        "bloc": bloc_year.bloc.name,
        "kind_word": bloc_year.bloc.kind_word,
        "title": meeting.title,
        "starts_at": local_start(meeting).isoformat(timespec="minutes"),
        "time_text": time_text(meeting.starts_at),
        "held_on": held_on.isoformat(),
        "place": place,
        "address": meeting.address,
        "host": meeting.host_unit.full_name,
        "members": len(attendance),
        "present": sum(1 for row in attendance if row["status"] == "present"),
        "delegates_present": sum(1 for row in attendance for d in row["delegates"] if d["present"]),
        "attendance": attendance,
        "items": [_item(item, meeting, election, handover_item=handover_item) for item in items],
        "election": election,
    }


def _minutes_body(snapshot: dict) -> str:
    return (
        f"{snapshot['time_text']}, tại {snapshot['address']}, {snapshot['bloc']} tổ chức "
        f"{_lower_first(snapshot['title'])}."
    )


def minutes_defaults(*, meeting: Meeting, on: dt.date | None = None) -> dict:
    """The minutes form's starting values: the day of the conference, the host's place, the
    chair unit's head presiding (CHỦ TỌA)."""
    on = on or local_start(meeting).date()
    chair = meeting.bloc_year.chair
    return {
        "issued_on": on,
        "place": place_name(meeting.host_unit, on),
        "signature_heading": "CHỦ TỌA",
        "signer_title": "",
        "signer_name": chair.head_name if chair else "",
        "secretary_name": "",
    }


@transaction.atomic
def minutes_issue(
    *,
    meeting: Meeting,
    by: User,
    issued_on: dt.date,
    place: str = "",
    signer_name: str = "",
    signer_title: str = "",
    signature_heading: str = "",
    secretary_name: str = "",
    render: bool = True,
) -> Document:
    """Issue the conference's minutes (BB) in the bloc's register and mark the meeting held.

    Attendance by unit comes from registrations and check-ins; each agenda item's outcome from
    its text, its ballot round's results, its covenant's signatures, and for the election and
    the flag from next year's leadership and the handover. All of it is snapshotted now.
    Idempotent: a meeting that has minutes gets them back unchanged (the row is locked first).
    """
    current = _lock(meeting)
    if current.minutes_id is not None:
        return current.minutes
    defaults = minutes_defaults(meeting=current, on=issued_on)
    place = nfc((place or defaults["place"]).strip())
    if not place:
        raise ValidationError(_("Hãy nhập địa danh (ví dụ: Đà Nẵng)."))
    snapshot = minutes_snapshot(current, place=place, held_on=local_start(current).date())
    snapshot["secretary"] = nfc((secretary_name or by.get_full_name()).strip())
    bloc = current.bloc_year.bloc
    heading = nfc((signature_heading or defaults["signature_heading"]).strip())
    draft = document_create_draft(
        bloc=bloc,
        doc_type=_doc_type(MINUTES_TYPE, "Biên bản"),
        created_by=by,
        kind=MINUTES_KIND,
        subject=current.title,
        place=place,
        extra=snapshot,
        body=_minutes_body(snapshot),
        distribution=f"- Các đơn vị thành viên {bloc.kind_word};\n- Lưu: VT.",
        **_header(bloc, issued_on),
    )
    document = document_issue(
        document=draft,
        issued_on=issued_on,
        issued_by=by,
        render=render,
        signature_heading=heading,
        signer_name=nfc((signer_name or defaults["signer_name"]).strip()),
        signer_title=nfc((signer_title or defaults["signer_title"]).strip()),
    )
    current.minutes = document
    current.status = Meeting.Status.HELD
    _stamp(current, by=by, reason=f"Phát hành biên bản hội nghị số {document.number_text}")
    current.save()
    return document


STATUS_LABELS = {
    "present": "có mặt",
    "absent": "đăng ký nhưng vắng mặt",
    "declined": "báo không tham dự",
    "no_answer": "không đăng ký",
}


def _percent(share: str) -> str:
    return f"{Decimal(share) * 100:.2f}".replace(".", ",")


def _minutes_context(document: Document) -> dict:
    data = dict(document.extra or {})
    attendance = [
        row
        | {
            "status_label": STATUS_LABELS.get(row["status"], row["status"]),
            "present_names": [d["name"] for d in row["delegates"] if d["present"]],
        }
        for row in data.get("attendance", [])
    ]
    items = []
    for item in data.get("items", []):
        ballot = item.get("ballot")
        if ballot:
            ballot = ballot | {
                "candidates": [c | {"percent": _percent(c["share"])} for c in ballot["candidates"]]
            }
        items.append(
            item
            | {
                "ballot": ballot,
                "outcome_lines": [
                    line.strip() for line in item.get("outcome", "").splitlines() if line.strip()
                ],
            }
        )
    held_on = dt.date.fromisoformat(data["held_on"]) if data.get("held_on") else None
    return {
        "minutes": data
        | {
            "attendance": attendance,
            "items": items,
            "present_rows": [row for row in attendance if row["status"] == "present"],
            "absent_rows": [row for row in attendance if row["status"] != "present"],
            "held_on_text": date_long(held_on) if held_on else "",
        }
    }


def _heading(docx_document, text: str) -> None:
    docx_document.add_paragraph().add_run(text).bold = True


def _minutes_docx(docx_document, document: Document) -> None:
    from documents.docx import add_table  # python-docx on first use (issue #8)

    data = _minutes_context(document)["minutes"]
    _heading(docx_document, "I. THÀNH PHẦN THAM DỰ")
    docx_document.add_paragraph(
        f"Có mặt {data.get('present', 0)}/{data.get('members', 0)} đơn vị thành viên "
        f"{data.get('bloc', '')}:"
    )
    for row in data["present_rows"]:
        docx_document.add_paragraph(f"- {row['unit']}: {', '.join(row['present_names'])};")
    if data["absent_rows"]:
        docx_document.add_paragraph(
            "Vắng mặt: "
            + "; ".join(f"{row['unit']} ({row['status_label']})" for row in data["absent_rows"])
            + "."
        )
    _heading(docx_document, "II. NỘI DUNG VÀ KẾT QUẢ")
    for number, item in enumerate(data["items"], start=1):
        docx_document.add_paragraph().add_run(f"{number}. {item['title']}").italic = True
        for line in item["outcome_lines"]:
            docx_document.add_paragraph(line)
        for fact in item["facts"]:
            docx_document.add_paragraph(f"- {fact}")
        if item["document"]:
            docx_document.add_paragraph(f"- Văn bản: {_document_line(item['document'])}.")
        ballot = item["ballot"]
        if ballot and ballot["closed"]:
            docx_document.add_paragraph(f"- {_ballot_line(ballot)}")
            add_table(
                docx_document,
                ["STT", "Ứng viên", "Số phiếu", "Tỷ lệ (%)", "Kết quả"],
                [
                    [
                        str(i),
                        c["label"],
                        str(c["votes"]),
                        c["percent"],
                        "Trúng" if c["elected"] else "Không trúng",
                    ]
                    for i, c in enumerate(ballot["candidates"], start=1)
                ],
                widths_mm=[12, 80, 20, 22, 26],
            )
        elif ballot:
            docx_document.add_paragraph(
                f"- {ballot['title']}: {_lower_first(ballot['status_label'])}."
            )
    docx_document.add_paragraph(
        f"Biên bản được lập tại {data.get('place', '')}, {data['held_on_text']} và được "
        "thông qua tại hội nghị."
    )
    if data.get("secretary"):
        docx_document.add_paragraph(f"Thư ký: {data['secretary']}")


def _document_line(document: dict) -> str:
    number = f" số {document['number']}" if document.get("number") else " (dự thảo)"
    return f"{document['type']}{number}: {document['subject']}"


def _ballot_line(ballot: dict) -> str:
    counted = (
        f", biên bản kiểm phiếu số {ballot['count_minutes']}" if ballot.get("count_minutes") else ""
    )
    return (
        f"{ballot['title']} ({_lower_first(ballot['mode_label'])}{counted}): có mặt "
        f"{ballot['present']}/{ballot['members']} đơn vị, {ballot['voters']} phiếu."
    )


registry.register(
    registry.Kind(
        MINUTES_KIND,
        "Biên bản hội nghị",
        template="meetings/pdf/minutes.html",
        context=_minutes_context,
        docx_body=_minutes_docx,
    )
)


# --- the year's report ------------------------------------------------------------------------


def year_reports(bloc_year: BlocYear):
    return (
        Document.objects.filter(
            bloc_id=bloc_year.bloc_id, kind=REPORT_KIND, extra__bloc_year_id=bloc_year.pk
        )
        .select_related("doc_type")
        .order_by("-created_at", "-pk")
    )


def year_report_of(bloc_year: BlocYear) -> Document | None:
    """The year's report in force: the latest not superseded, draft or issued."""
    return year_reports(bloc_year).filter(superseded_by__isnull=True).first()


def _covenant_data(bloc_year: BlocYear | None) -> dict | None:
    from covenants.selectors import current_covenant, signature_tally

    covenant = current_covenant(bloc_year=bloc_year) if bloc_year else None
    if covenant is None:
        return None
    tally = signature_tally(covenant=covenant)
    return {
        "title": covenant.title,
        "year": bloc_year.year,
        "signed": tally.signed,
        "total": tally.total,
        "signed_on": covenant.signed_on.isoformat() if covenant.signed_on else None,
        "status_label": str(covenant.get_status_display()),
    }


def _campaigns(bloc_year: BlocYear) -> list[dict]:
    from covenants.models import Campaign

    campaigns = (
        Campaign.objects.filter(bloc_id=bloc_year.bloc_id, year=bloc_year.year)
        .prefetch_related("phases")
        .order_by("starts_on", "pk")
    )
    return [
        {
            "title": c.title,
            "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat(),
            "phases": [
                {"number": p.number, "name": p.name, "review": p.review} for p in c.phases.all()
            ],
        }
        for c in campaigns
    ]


def _scoring(bloc_year: BlocYear) -> dict | None:
    from scoring.selectors import round_of, summary_table

    scoring_round = round_of(bloc_year=bloc_year)
    if scoring_round is None:
        return None
    rows = summary_table(scoring_round=scoring_round).rows
    return {
        "status_label": str(scoring_round.get_status_display()),
        "units": len(rows),
        "top": [
            {
                "rank": r.rank,
                "unit": r.unit.full_name,
                "short_name": r.unit.short_name,
                "final": str(r.final.quantize(Decimal("0.01"))),
            }
            for r in rows
            if r.rank <= TOP_UNITS
        ],
    }


def _awards(bloc_year: BlocYear) -> list[dict]:
    from awards.selectors import proposals_of

    return [
        {
            "award": p.award_type.name,
            "label": p.label,
            "votes": p.votes,
            "share": str(p.vote_share),
            "base": (p.round.results or {}).get("base"),
        }
        for p in proposals_of(bloc_year=bloc_year).select_related("round")
    ]


def _leadership(bloc_year: BlocYear) -> dict:
    from meetings.selectors import handovers_of

    following = (
        BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year=bloc_year.year + 1)
        .select_related("chair", "vice")
        .first()
    )
    handover = handovers_of(bloc=bloc_year.bloc).filter(year=bloc_year.year + 1).first()
    return {
        "chair": bloc_year.chair.full_name if bloc_year.chair else "",
        "vice": bloc_year.vice.full_name if bloc_year.vice else "",
        "next_year": bloc_year.year + 1,
        "next_chair": following.chair.full_name if following and following.chair else "",
        "next_vice": following.vice.full_name if following and following.vice else "",
        "handover": {
            "from": handover.from_unit.full_name if handover.from_unit else "",
            "to": handover.to_unit.full_name,
            "on": handover.handed_on.isoformat(),
        }
        if handover
        else None,
        "next_covenant": _covenant_data(following),
    }


@in_official_language
def year_report_snapshot(bloc_year: BlocYear) -> dict:
    """The year's data the report is drafted from, as JSON-ready data."""
    return {
        "bloc_year_id": bloc_year.pk,
        "year": bloc_year.year,
        "bloc": bloc_year.bloc.name,
        "kind_word": bloc_year.bloc.kind_word,
        "members": bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).count(),
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "covenant": _covenant_data(bloc_year),
        "campaigns": _campaigns(bloc_year),
        "scoring": _scoring(bloc_year),
        "awards": _awards(bloc_year),
        "leadership": _leadership(bloc_year),
    }


def _points(value: str) -> str:
    return f"{Decimal(value):.2f}".replace(".", ",")


def _day(iso: str | None) -> str:
    return date_short(dt.date.fromisoformat(iso)) if iso else ""


def year_report_body(data: dict) -> str:
    """The draft's text, in the document markup: the secretariat edits it before issuing."""
    year, word, lead = data["year"], data["kind_word"], data["leadership"]
    intro = f"Năm {year}, {data['bloc']} có {data['members']} đơn vị thành viên"
    if lead["chair"]:
        intro += f"; {lead['chair']} là Trưởng {word}"
    if lead["vice"]:
        intro += f", {lead['vice']} là Phó Trưởng {word}"
    lines = [
        intro + ". Thường trực " + word + f" báo cáo kết quả công tác thi đua năm {year} như sau:",
        f"**I. KẾT QUẢ CÔNG TÁC THI ĐUA NĂM {year}**",
        "*1. Ký kết và thực hiện giao ước thi đua*",
    ]
    covenant = data["covenant"]
    if covenant:
        on = f" ngày {_day(covenant['signed_on'])}" if covenant["signed_on"] else ""
        lines.append(
            f"- {covenant['signed']}/{covenant['total']} đơn vị thành viên đã ký "
            f"{covenant['title']}{on}."
        )
    else:
        lines.append(
            f"- (Chưa có giao ước thi đua năm {year} trên Khối Portal: Thường trực {word} bổ sung.)"
        )
    lines.append("*2. Các phong trào thi đua*")
    for campaign in data["campaigns"]:
        lines.append(
            f"- {campaign['title']} (từ {_day(campaign['starts_on'])} "
            f"đến {_day(campaign['ends_on'])})."
        )
        lines += [
            f"- Đợt {p['number']} ({p['name']}): {p['review']}"
            for p in campaign["phases"]
            if p["review"]
        ]
    if not data["campaigns"]:
        lines.append(
            f"- (Thường trực {word} bổ sung các phong trào thi đua đã phát động trong năm.)"
        )
    lines.append("*3. Chấm điểm, xếp hạng thi đua*")
    scoring = data["scoring"]
    if scoring and scoring["top"]:
        lines.append(
            f"- {scoring['units']} đơn vị thành viên tự chấm điểm và được thẩm định; "
            "các đơn vị dẫn đầu: "
            + "; ".join(
                f"{r['rank']}. {r['unit']} ({_points(r['final'])} điểm)" for r in scoring["top"]
            )
            + "."
        )
    else:
        lines.append(f"- (Chưa có kết quả chấm điểm năm {year}.)")
    lines.append("*4. Bình xét, đề nghị khen thưởng*")
    for proposal in data["awards"]:
        base = f"/{proposal['base']}" if proposal.get("base") else ""
        lines.append(
            f"- Đề nghị tặng {proposal['award']}: {proposal['label']} "
            f"({proposal['votes']}{base} phiếu)."
        )
    if not data["awards"]:
        lines.append("- (Chưa có kết quả bình xét khen thưởng.)")
    next_year = lead["next_year"]
    lines.append(f"**II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {next_year}**")
    if lead["next_chair"]:
        vice = f", {lead['next_vice']} làm Phó Trưởng {word}" if lead["next_vice"] else ""
        lines.append(f"- {lead['next_chair']} làm Trưởng {word}{vice} năm {next_year}.")
    if lead["handover"]:
        giver = f"{lead['handover']['from']} trao" if lead["handover"]["from"] else "Trao"
        lines.append(
            f"- {giver} cờ luân lưu cho {lead['handover']['to']} "
            f"ngày {_day(lead['handover']['on'])}."
        )
    following = lead["next_covenant"]
    if following:
        lines.append(
            f"- {following['signed']}/{following['total']} đơn vị thành viên đã ký "
            f"{following['title']}."
        )
    lines.append(f"- (Thường trực {word} bổ sung các nhiệm vụ trọng tâm năm {next_year}.)")
    return "\n".join(lines)


def _report_on(bloc_year: BlocYear, meeting: Meeting | None) -> dt.date:
    """The day the header is read for: the conference, else today, but never later than the
    year after (a report drafted years later still names the ministry of its time)."""
    if meeting is not None:
        return local_start(meeting).date()
    return min(timezone.localdate(), dt.date(bloc_year.year + 1, 12, 31))


@transaction.atomic
def year_report_draft(*, bloc_year: BlocYear, by: User, meeting: Meeting | None = None) -> Document:
    """Draft the year's báo cáo tổng kết (BC) from the year's data, editable like any draft
    (its PDF and DOCX come from the documents app). Idempotent: the year's report in force,
    draft or issued, is returned as it is. With *meeting*, the draft is attached to the
    meeting's "adopt the report" agenda item when that item has no document yet."""
    from meetings.services import agenda_item_save

    current = (
        BlocYear.objects.select_for_update(of=("self",))
        .select_related("bloc", "chair__province", "vice")
        .get(pk=bloc_year.pk)
    )
    document = year_report_of(current)
    if document is None:
        snapshot = year_report_snapshot(current)
        on = _report_on(current, meeting)
        bloc = current.bloc
        supervisor = bloc_supervisor(bloc=bloc, on=on)
        document = document_create_draft(
            bloc=bloc,
            doc_type=_doc_type(REPORT_TYPE, "Báo cáo"),
            created_by=by,
            kind=REPORT_KIND,
            subject=(
                f"Tổng kết công tác thi đua năm {current.year} và phương hướng, nhiệm vụ năm "
                f"{current.year + 1}"
            ),
            place=place_name(current.chair, on)
            or (place_name(meeting.host_unit, on) if meeting else ""),
            extra=snapshot,
            body=year_report_body(snapshot),
            distribution="\n".join(
                [
                    *([f"- {supervisor.name} (để báo cáo);"] if supervisor else []),
                    f"- Các đơn vị thành viên {bloc.kind_word};",
                    "- Lưu: VT.",
                ]
            ),
            **_header(bloc, on),
            **signature_defaults(current),
        )
    if meeting is not None:
        item = (
            meeting.agenda.filter(action=AgendaItem.Action.ADOPT_REPORT, document__isnull=True)
            .order_by("position")
            .first()
        )
        if item is not None:
            agenda_item_save(
                meeting=meeting,
                by=by,
                item=item,
                action=item.action,
                title=item.title,
                ballot_round=item.ballot_round,
                covenant=item.covenant,
                document=document,
                published=item.published,
                outcome=item.outcome,
            )
    return document


def _report_context(document: Document) -> dict:
    data = dict(document.extra or {})
    scoring = data.get("scoring")
    top = [r | {"final_text": _points(r["final"])} for r in scoring["top"]] if scoring else []
    awards = [a | {"percent": _percent(a["share"])} for a in data.get("awards", [])]
    return {"report": data | {"top": top, "award_rows": awards}}


def _report_docx(docx_document, document: Document) -> None:
    from documents.docx import add_table  # python-docx on first use (issue #8)

    data = _report_context(document)["report"]
    if data["top"]:
        _heading(docx_document, "Phụ lục 1. Các đơn vị dẫn đầu bảng điểm thi đua")
        add_table(
            docx_document,
            ["Hạng", "Đơn vị", "Điểm"],
            [[str(r["rank"]), r["unit"], r["final_text"]] for r in data["top"]],
            widths_mm=[18, 120, 25],
        )
    if data["award_rows"]:
        _heading(docx_document, "Phụ lục 2. Đề nghị khen thưởng")
        add_table(
            docx_document,
            ["STT", "Tập thể, cá nhân", "Hình thức", "Số phiếu", "Tỷ lệ (%)"],
            [
                [str(i), a["label"], a["award"], str(a["votes"]), a["percent"]]
                for i, a in enumerate(data["award_rows"], start=1)
            ],
            widths_mm=[12, 70, 45, 18, 20],
        )


registry.register(
    registry.Kind(
        REPORT_KIND,
        "Báo cáo tổng kết công tác thi đua",
        template="meetings/pdf/year_report.html",
        context=_report_context,
        docx_body=_report_docx,
    )
)
