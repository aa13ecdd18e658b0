"""The meetings demo (meetings/demo.py): seed 000's conference of KTĐMTNB and seed 002's of KTĐTN,
with registrations, check-ins, the agenda's links, the election and the minutes in the 2021
register; loading twice changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from blocs.models import BlocYear, User
from blocs.selectors import bloc_members
from documents.models import Document
from meetings import demo
from meetings.models import AgendaItem, Delegate, Handover, Meeting, RotationEntry
from meetings.services import election_proposal

pytestmark = pytest.mark.django_db
PASSWORD = "khoi-portal-demo-test"


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory):
    """The development certificate load_demo creates before the covenants demo seals."""
    directory = tmp_path_factory.mktemp("meetings-demo-pki")
    with override_settings(
        PORTAL_SIGNING_P12=str(directory / "portal-signing.p12"),
        PORTAL_SIGNING_P12_PASSWORD=PASSWORD,
    ):
        call_command(
            "make_dev_certificate",
            "--dir",
            str(directory),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    return directory


@pytest.fixture
def loaded(settings, demo_pki):
    """Every demo in load_demo's order, the meetings demo last."""
    from awards import demo as awards_demo
    from blocs import demo as blocs_demo
    from covenants import demo as covenants_demo
    from documents import demo as documents_demo
    from scoring import demo as scoring_demo

    settings.PORTAL_PKI_DIR = demo_pki
    settings.PORTAL_SIGNING_P12 = str(demo_pki / "portal-signing.p12")
    settings.PORTAL_SIGNING_P12_PASSWORD = PASSWORD
    settings.COVENANT_TRUST_ROOTS = [str(demo_pki / "dev-ca.pem")]
    for module in (blocs_demo, documents_demo, scoring_demo, covenants_demo, awards_demo, demo):
        module.load()


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def _meeting(symbol: str) -> Meeting:
    return Meeting.objects.select_related(
        "bloc_year__bloc", "host_unit", "invitation", "minutes"
    ).get(bloc_year__bloc__symbol=symbol)


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_loading_twice_changes_nothing(loaded):
    before = _counts()
    demo.load()
    assert _counts() == before


def test_seed_000s_conference_of_tay_nam_bo(loaded, client):
    meeting = _meeting("KTĐMTNB")
    assert meeting.bloc_year.year == 2020
    assert meeting.status == Meeting.Status.HELD
    start = timezone.localtime(meeting.starts_at)
    assert (start.date(), start.hour, start.minute) == (dt.date(2021, 1, 15), 9, 0)
    assert meeting.host_unit.short_name == "BQL các KCN Sóc Trăng"
    assert meeting.address == "Km2126+500, Quốc lộ 1A, đường N2, KCN An Nghiệp, tỉnh Sóc Trăng"
    # The documents demo's invitation, not another one.
    assert meeting.invitation.number_text == "01/TM-KTĐMTNB"
    assert (
        Document.objects.filter(bloc__symbol="KTĐMTNB", doc_type__code__in=["GM", "TM"]).count()
        == 1
    )

    registrations = {r.unit.short_name: r for r in meeting.registrations.select_related("unit")}
    assert len(registrations) == 12
    assert registrations["BQL KKT Cà Mau"].declined
    assert "BQL KKT Trà Vinh" not in registrations
    attending = [r for r in registrations.values() if not r.declined]
    assert len(attending) == 11
    assert all(r.delegates.count() == 2 for r in attending)
    assert {d.full_name for d in registrations["BQL các KCN Sóc Trăng"].delegates.all()} == {
        "Nguyễn Văn Kiệt",
        "Đỗ Thanh Chiến",
    }
    pickup = Delegate.objects.get(registration__meeting=meeting, needs_pickup=True)
    assert pickup.registration.unit.short_name == "BQL KKT Long An"
    assert (pickup.arrival_date, pickup.arrives_day_before) == (dt.date(2021, 1, 14), True)
    times = [
        timezone.localtime(d.checked_in_at)
        for d in Delegate.objects.filter(registration__meeting=meeting)
    ]
    assert len(times) == 22
    assert {t.date() for t in times} == {dt.date(2021, 1, 15)}
    assert min(t.time() for t in times) == dt.time(8, 30)
    assert max(t.time() for t in times) == dt.time(8, 55)

    client.force_login(User.objects.get(username="thuky.ktdmtnb"))
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).text
    assert "11/13 đơn vị đã đăng ký" in page
    assert "22 đại biểu có mặt (11 đơn vị)" in page
    assert "Vào lúc 9 giờ 00 phút, ngày 15/01/2021 (thứ Sáu)" in page


def test_seed_002s_conference_of_tay_nguyen_and_its_minutes_in_the_2021_export(
    loaded, client, tmp_path
):
    meeting = _meeting("KTĐTN")
    bloc = meeting.bloc_year.bloc
    assert meeting.bloc_year.year == 2021
    assert meeting.host_unit.short_name == "BQL KCNC và các KCN Đà Nẵng"
    assert timezone.localtime(meeting.starts_at).date() == dt.date(2021, 11, 10)
    assert meeting.registrations.filter(declined=False).count() == 11
    present = set(
        Delegate.objects.filter(
            registration__meeting=meeting, checked_in_at__isnull=False
        ).values_list("registration__unit_id", flat=True)
    )
    assert len(present) == 11

    items = {
        item.action: item
        for item in meeting.agenda.select_related("covenant__bloc_year", "ballot_round", "document")
    }
    assert items[AgendaItem.Action.SIGN_COVENANT].covenant.bloc_year.year == 2022
    assert items[AgendaItem.Action.AWARD_VOTE].ballot_round.title == (
        "Bình xét, suy tôn tập thể đề nghị tặng Cờ thi đua của Bộ năm 2021"
    )
    assert items[AgendaItem.Action.ADOPT_SUMMARY].document.kind == "summary_table"
    report = items[AgendaItem.Action.ADOPT_REPORT].document
    assert report.kind == "year_report"
    assert report.is_draft
    assert items[AgendaItem.Action.ADOPT_REPORT].published

    # The election: Lâm Đồng (2021 vice) chairs 2022, Vân Phong is vice; the flag from Đà Nẵng.
    next_year = BlocYear.objects.select_related("chair", "vice").get(bloc=bloc, year=2022)
    assert (next_year.chair.short_name, next_year.vice.short_name) == (
        "BQL các KCN Lâm Đồng",
        "BQL KKT Vân Phong Khánh Hòa",
    )
    handover = Handover.objects.get(bloc=bloc, year=2022)
    assert (
        handover.from_unit.short_name,
        handover.to_unit.short_name,
        handover.handed_on,
        handover.meeting,
    ) == ("BQL KCNC và các KCN Đà Nẵng", "BQL các KCN Lâm Đồng", dt.date(2021, 11, 10), meeting)
    # The rotation order proposes what the conference elected.
    assert RotationEntry.objects.filter(bloc=bloc).count() == 11
    chair, vice = election_proposal(bloc_year=meeting.bloc_year)
    assert (chair.short_name, vice.short_name) == (
        "BQL các KCN Lâm Đồng",
        "BQL KKT Vân Phong Khánh Hòa",
    )

    minutes = meeting.minutes
    assert meeting.status == Meeting.Status.HELD
    assert (minutes.kind, minutes.issued_on, minutes.number_year, minutes.bloc) == (
        "meeting_minutes",
        dt.date(2021, 11, 10),
        2021,
        bloc,
    )
    assert minutes.signer_name == "Trần Văn Biên"
    assert minutes.is_pdf_ready
    assert (minutes.extra["members"], minutes.extra["present"]) == (11, 11)

    client.force_login(User.objects.get(username="lamdong.lanhdao"))
    board = client.get(reverse("meeting_board", args=[meeting.pk])).text
    assert 'data-testid="present">11/11<' in board
    assert 'data-testid="signed">11/11<' in board
    assert 'data-testid="voted">11/11<' in board
    public = client.get(reverse("announcements", args=[bloc.pk])).text
    assert report.subject in public
    assert reverse("document_pdf", args=[report.pk]) not in public

    # `export_documents --bloc KTĐTN --year 2021` has the minutes naming the 2022 leaders.
    call_command(
        "export_documents",
        "--bloc",
        "KTĐTN",
        "--year",
        "2021",
        "--out",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    with (tmp_path / "index.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    minutes = [
        row
        for row in rows
        if row["type"] == "Biên bản" and row["subject"].startswith("Hội nghị tổng kết")
    ]
    assert len(minutes) == 1
    assert minutes[0]["date"] == "10/11/2021"
    text = _pdf_text((tmp_path / minutes[0]["file"]).read_bytes())
    assert "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng được bầu làm Trưởng Khối năm 2022" in text
    assert (
        "Ban Quản lý Khu kinh tế Vân Phong tỉnh Khánh Hòa được bầu làm Phó Trưởng Khối năm 2022"
        in text
    )
    assert "Có mặt 11/11 đơn vị thành viên" in text
    # ... and the 2021 summary table (issued on 10/11/2021) naming all eleven members.
    summaries = [row for row in rows if row["subject"].startswith("Biểu tổng hợp")]
    assert len(summaries) == 1
    summary_text = " ".join(_pdf_text((tmp_path / summaries[0]["file"]).read_bytes()).split())
    members = bloc_members(bloc=bloc, year=2021)
    assert members.count() == 11
    for unit in members:
        assert " ".join(unit.full_name.split()) in summary_text, unit.full_name
