"""Documents around campaigns and the bloc's standing documents.

- ``campaign_launch_draft``: the launch letter of a campaign (or of one of its phases, as seed
  001 launches "đợt II"), drafted in the issuer's register: the bloc's for a bloc campaign,
  the unit's own for a unit campaign. The secretariat issues it on the documents pages.
- The rule parameters a bloc regulation sets (DOMAIN §4): no national rule fixes them, so
  they are data of each regulation version, stored in ``BlocDocument.parameters``:

  =================  ==========================================================================
  ``quorum``          share of the members that must be present for a valid vote ("2/3")
  ``vote_base``       "members" (all members of the year) or "present": what shares count against
  ``pass_share``      share of votes a nominee needs ("1/2")
  ``pass_strict``     true: more than ``pass_share``; false: at least
  ``flag_nominees``   how many collectives the bloc proposes for the ministry's flag (1)
  ``merit_max_share`` most members proposed for the minister's certificate, as a share; optional
  ``tie_break``       "runoff" (vote again among the tied) or "score" (the higher score wins)
  ``secret_ballot``   true for a secret ballot
  ``unconfirmed``     keys whose value is a default not confirmed by any source
  =================  ==========================================================================

  Shares are stored as exact fractions in text ("2/3", "1/2", "3/10"): 2/3 has no exact
  decimal, and a quorum must not fail on 0.6666 < 2/3.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blocs.models import User
from blocs.selectors import bloc_supervisor, latest_bloc_year
from covenants.models import Campaign, CampaignPhase
from documents import services as documents
from documents.models import Document, DocumentType
from khoi_portal.lib.vietnamese import date_long, nfc

# --- the launch document ----------------------------------------------------------------------

LETTER = "letter"  # công văn: "V/v phát động thi đua …" under the number (seed 001)
PLAN = "plan"  # kế hoạch: "KẾ HOẠCH" and the subject as the title
LAUNCH_TYPES = {LETTER: "", PLAN: "KH"}  # → DocumentType.code

_ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def phase_label(number: int) -> str:
    """ "đợt II": phases are numbered in Roman numerals in launch letters (seed 001)."""
    return f"đợt {_ROMAN[number] if 0 < number < len(_ROMAN) else number}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def launch_subject(campaign: Campaign, phase: CampaignPhase | None = None) -> str:
    """What follows "V/v": "phát động thi đua đợt II", or "phát động thi đua <title>"."""
    if phase is not None:
        return f"phát động thi đua {phase_label(phase.number)}"
    title = campaign.title.strip()
    if title.lower().startswith(("thi đua", "phong trào")):
        return f"phát động {_lower_first(title)}"
    return f"phát động thi đua {title}"


def _issuer(campaign: Campaign) -> str:
    return campaign.unit.full_name if campaign.unit_id else campaign.bloc.name


def _as_items(text: str) -> list[str]:
    """Each line of a multi-line field as a dash item; one paragraph stays a paragraph."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) <= 1:
        return lines
    return [line if line.startswith("- ") else f"- {line.lstrip('-• ').strip()}" for line in lines]


def launch_body(campaign: Campaign, phase: CampaignPhase | None = None) -> str:
    """The body of the launch letter, laid out as seed 001: time, audience, content, who does what.

    In the documents' markup: one paragraph a line, "- " items, *italic* and **bold**.
    """
    starts, ends = (
        (phase.starts_on, phase.ends_on) if phase else (campaign.starts_on, campaign.ends_on)
    )
    content = (phase.content if phase and phase.content else "") or campaign.content
    what = f"thi đua {phase_label(phase.number)}" if phase else "phong trào thi đua"
    lines = [f"**PHÁT ĐỘNG {what.upper()}**"]
    if phase is not None and phase.name:
        lines.append(f"**{phase.name}**")
    opening = f"{_issuer(campaign)} phát động {what} với nội dung như sau:"
    if campaign.plan_reference:
        opening = (
            f"Thực hiện {campaign.plan_reference} về {_lower_first(campaign.title)}, {opening}"
        )
    lines.append(opening)
    sections = [
        ("Thời gian thực hiện", [f"Từ {date_long(starts)} đến {date_long(ends)}."]),
        ("Đối tượng", _as_items(campaign.audience)),
        ("Nội dung thi đua", _as_items(content)),
        ("Tổ chức thực hiện", _as_items(campaign.responsibilities)),
    ]
    number = 0
    for heading, body in sections:
        if not body:
            continue
        number += 1
        lines.append(f"*{number}. {heading}*")
        lines.extend(body)
    return "\n".join(lines)


def _header(campaign: Campaign, on: dt.date) -> dict:
    """Header and signature defaults for the issuer; all of it stays editable in the draft."""
    if campaign.unit_id:
        unit = campaign.unit
        return {
            "place": unit.province.name,
            "distribution": "- Như trên;\n- Lưu: VT.",
            "signer_title": unit.head_title.upper(),
            "signer_name": unit.head_name,
        }
    bloc = campaign.bloc
    supervisor = bloc_supervisor(bloc=bloc, on=on)  # the ministry of that day (NQ 176/2025)
    bloc_year = latest_bloc_year(bloc=bloc, up_to=campaign.year)
    chair = bloc_year.chair if bloc_year else None
    return {
        "parent_body": supervisor.name.upper() if supervisor else "",
        "place": chair.province.name if chair else "",
        "recipients": f"Các đơn vị thành viên {bloc.name}",
        "distribution": "- Như trên;\n- Lưu: VT.",
        "authority": Document.Authority.TM,
        "signature_heading": f"TM. {bloc.name.upper()}",
        "signer_title": f"{bloc.kind_word.upper()} TRƯỞNG",
        "signer_name": (chair.head_name if chair else ""),
    }


@transaction.atomic
def campaign_launch_draft(
    *,
    campaign: Campaign,
    by: User | None,
    phase: CampaignPhase | None = None,
    kind: str = LETTER,
    **fields,
) -> Document:
    """Draft the launch document of *campaign* (of its *phase* when given) in the issuer's
    register and attach it to the campaign. Safe to repeat: a campaign already holding a launch
    document gets it back unchanged. *fields* override the generated header, body or signature.
    """
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins (bloc, unit).
    current = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("bloc", "unit__province", "launch_document")
        .get(pk=campaign.pk)
    )
    if current.launch_document is not None:
        return current.launch_document
    if phase is not None and phase.campaign_id != current.pk:
        raise ValidationError(_("Đợt thi đua không thuộc phong trào này."))
    if kind not in LAUNCH_TYPES:
        raise ValidationError(_("Loại văn bản phát động không hợp lệ."))
    on = phase.starts_on if phase else current.starts_on
    values = _header(current, on) | {"body": launch_body(current, phase)} | fields
    subject = nfc(values.pop("subject", None) or launch_subject(current, phase))
    if kind == PLAN:
        subject = subject[:1].upper() + subject[1:]
    document = documents.document_create_draft(
        bloc=None if current.unit_id else current.bloc,
        unit=current.unit if current.unit_id else None,
        doc_type=DocumentType.objects.get(code=LAUNCH_TYPES[kind]),
        subject=subject,
        created_by=by,
        **{name: nfc(value) if isinstance(value, str) else value for name, value in values.items()},
    )
    current.launch_document = document
    current._history_user = by
    current._change_reason = "Soạn văn bản phát động thi đua"
    current.save(update_fields=["launch_document"])
    return document


# --- the regulation's rule parameters ---------------------------------------------------------

VOTE_BASES = {"members": "tổng số thành viên của khối", "present": "số thành viên có mặt"}
TIE_BREAKS = {
    "runoff": "bỏ phiếu lại giữa các đơn vị bằng phiếu",
    "score": "đơn vị có điểm chấm thi đua cao hơn được chọn",
}
# Typical values (DOMAIN §4, [U]): defaults of the form, never rules of the code.
REGULATION_DEFAULTS = {
    "quorum": "2/3",
    "vote_base": "members",
    "pass_share": "1/2",
    "pass_strict": True,
    "flag_nominees": 1,
    "merit_max_share": "",
    "tie_break": "runoff",
    "secret_ballot": True,
}


def parse_share(text: str) -> Fraction:
    """ "2/3", "50%", "66,67 %", "0,5" → an exact fraction in (0, 1]; ValueError otherwise."""
    raw = nfc(str(text)).strip().replace(" ", "").replace(",", ".")
    if not raw:
        raise ValueError("empty")
    value = Fraction(raw[:-1]) / 100 if raw.endswith("%") else Fraction(raw)
    if not 0 < value <= 1:
        raise ValueError("out of range")
    return value


def share_text(value: str | Fraction) -> str:
    """3/10 → "30%", 1/2 → "50%", 2/3 → "2/3": a percentage when it is a whole one."""
    share = Fraction(value)
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{share.numerator}/{share.denominator}"


def regulation_rules(parameters: dict) -> list[tuple[str, str, bool]]:
    """(label, value, unconfirmed) for each parameter set, in Vietnamese, for display."""
    unconfirmed = set(parameters.get("unconfirmed", []))
    rows: list[tuple[str, str, bool]] = []

    def add(key: str, label: str, text: str) -> None:
        rows.append((label, text, key in unconfirmed))

    if parameters.get("quorum"):
        add(
            "quorum",
            "Điều kiện hợp lệ của cuộc bỏ phiếu",
            f"có mặt từ {share_text(parameters['quorum'])} tổng số thành viên trở lên",
        )
    if parameters.get("vote_base") in VOTE_BASES:
        add("vote_base", "Tỷ lệ phiếu tính trên", VOTE_BASES[parameters["vote_base"]])
    if parameters.get("pass_share"):
        share = share_text(parameters["pass_share"])
        add(
            "pass_share",
            "Tỷ lệ phiếu để được đề nghị",
            f"trên {share}" if parameters.get("pass_strict", True) else f"từ {share} trở lên",
        )
    if parameters.get("flag_nominees") is not None:
        add(
            "flag_nominees",
            "Số tập thể đề nghị Cờ thi đua của Bộ",
            f"{int(parameters['flag_nominees']):02d} tập thể",
        )
    if parameters.get("merit_max_share"):
        add(
            "merit_max_share",
            "Số đơn vị đề nghị Bằng khen của Bộ trưởng",
            f"không quá {share_text(parameters['merit_max_share'])} tổng số thành viên",
        )
    if parameters.get("tie_break") in TIE_BREAKS:
        add("tie_break", "Khi số phiếu bằng nhau", TIE_BREAKS[parameters["tie_break"]])
    if "secret_ballot" in parameters:
        add(
            "secret_ballot",
            "Hình thức bỏ phiếu",
            "bỏ phiếu kín" if parameters["secret_ballot"] else "biểu quyết công khai",
        )
    return rows
