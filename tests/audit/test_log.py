"""The audit log: every kind of event with its text, scoped per bloc, filtered, exported, and
at a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import selectors
from audit.selectors import Filters
from audit.sources import all_sources
from awards import services as awards
from awards.models import AwardType
from blocs import services as blocs
from blocs.models import User
from covenants import services as covenants
from documents.models import DocumentType
from documents.services import document_create_draft, document_issue
from scoring import services as scoring
from scoring.models import Entry, Sheet
from tests.covenants.conftest import make_covenant
from tests.factories import MembershipFactory, MemberUnitFactory, UserFactory
from tests.scoring.conftest import build_scale
from tests.scoring.matrix_sheets import pdf_upload

pytestmark = pytest.mark.django_db


def _login_logged(
    username: str, *, failed: bool = False, when: dt.datetime | None = None, ip="10.0.0.7"
):
    from axes.models import AccessFailureLog, AccessLog

    model = AccessFailureLog if failed else AccessLog
    log = model.objects.create(
        username=username,
        ip_address=ip,
        user_agent="Firefox",
        http_accept="text/html",
        path_info="/dang-nhap/",
    )
    if when is not None:  # attempt_time is auto_now_add
        model.objects.filter(pk=log.pk).update(attempt_time=when)
    return log


def _scores(world) -> Sheet:
    scale, groups, items = build_scale(world)
    scoring.criterion_save(  # an item's maximum changed before the scale is locked
        scale=scale,
        by=world.secretariat,
        code="1",
        title=items["1"].title,
        kind="normal",
        max_points=Decimal("30"),
        parent=groups[0],
        criterion=items["1"],
    )
    scoring_round = scoring.round_open(
        bloc_year=world.bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    sheet = Sheet.objects.get(round=scoring_round, unit=world.member)
    entry = Entry.objects.get(sheet=sheet, criterion__code="1")
    scoring.sheet_save(
        sheet=sheet, version=sheet.version, values={entry.pk: ("8,5", "")}, by=world.officer
    )
    sheet.refresh_from_db()
    scoring.sheet_save(
        sheet=sheet,
        version=sheet.version,
        values={entry.pk: ("9", "Bổ sung dự án")},
        by=world.officer,
        reason="Bổ sung minh chứng dự án FDI",
    )
    scoring.evidence_add(entry=entry, upload=pdf_upload("Danh mục dự án FDI.pdf"), by=world.officer)
    vice_officer = UserFactory(
        username="canbo.lamdong", full_name="Vũ Thị Phó", unit=world.vice, unit_role="officer"
    )
    _submitted(Sheet.objects.get(round=scoring_round, unit=world.vice), by=vice_officer)
    return sheet


def _submitted(sheet: Sheet, *, by) -> Sheet:
    entries = {
        e.criterion.code: e for e in Entry.objects.filter(sheet=sheet).select_related("criterion")
    }
    values = {entries[code].pk: ("20", "") for code in ("1", "2", "3")}
    sheet = scoring.sheet_save(sheet=sheet, version=sheet.version, values=values, by=by)
    scoring.evidence_add(entry=entries["2"], upload=pdf_upload(), by=by)
    sheet.refresh_from_db()
    return scoring.sheet_submit(sheet=sheet, version=sheet.version, by=by)


def _ballot_round(world):
    UserFactory(username="lanhdao.chu", unit=world.chair, unit_role="leader")
    ballot_round = awards.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Cờ thi đua của Bộ năm 2022",
        by=world.secretariat,
        unit_candidates=[world.chair, world.vice, world.member],
        award_type=AwardType.objects.get(code="co-thi-dua-bo"),
    )
    ballot_round = awards.round_open(ballot_round=ballot_round, by=world.secretariat)
    secret = awards.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    receipt = awards.ballot_cast(
        ballot_round=ballot_round,
        unit=world.member,
        user=world.leader,
        secret=secret,
        choice_ids=[ballot_round.candidates.first().pk],
    )
    awards.round_close(ballot_round=ballot_round, by=world.secretariat)
    return ballot_round, receipt


def _issued(world, bloc=None, by=None):
    draft = document_create_draft(
        bloc=bloc or world.bloc,
        doc_type=DocumentType.objects.get(code="BC"),
        subject="Báo cáo tổng kết công tác thi đua năm 2022",
        place="Đắk Lắk",
        created_by=by or world.secretariat,
        signer_name="Phạm Văn Tịch",
    )
    return document_issue(
        document=draft,
        issued_on=dt.date(2022, 12, 20),
        issued_by=by or world.secretariat,
        render=False,
    )


def _campaign_phase(world, title):
    """A campaign of bloc A in 2022 (its launch is an event) and its first phase (not one)."""
    campaign = covenants.campaign_create(
        bloc=world.bloc,
        title=title,
        year=2022,
        starts_on=dt.date(2022, 3, 1),
        ends_on=dt.date(2022, 10, 31),
        by=world.secretariat,
    )
    return covenants.phase_save(
        campaign=campaign,
        by=world.secretariat,
        number=1,
        name="Đợt 1",
        starts_on=dt.date(2022, 3, 1),
        ends_on=dt.date(2022, 6, 30),
    )


@pytest.fixture
def events(world):
    """One of every kind of event in bloc A's year 2022, and a few in bloc B's."""
    sheet = _scores(world)
    covenant = make_covenant(world)
    covenants.covenant_sign(
        covenant=covenant, unit=world.member, method="online", signer=world.leader
    )
    covenants.covenant_sign(
        covenant=covenant,
        unit=world.vice,
        method="paper",
        signer_name="Nguyễn Văn Phó",
        recorded_by=world.secretariat,
        scan=pdf_upload("Giao ước đã ký.pdf"),
    )
    ballot_round, receipt = _ballot_round(world)
    awards.delegate_name(
        bloc_year=world.bloc_year, unit=world.member, delegate=world.officer, by=world.leader
    )
    document = _issued(world)
    phase = _campaign_phase(world, "Thi đua thu hút đầu tư năm 2022")
    covenants.phase_review(
        phase=phase,
        review="Thu hút 12 dự án mới",
        reviewed_on=dt.date(2022, 7, 5),
        by=world.secretariat,
    )
    covenants.bloc_document_publish(
        bloc=world.bloc,
        kind="regulation",
        title="Quy chế hoạt động của Khối thi đua A",
        valid_from_year=2022,
        decision="Quyết định số 01/QĐ-KTĐA ngày 15/01/2022",
        by=world.secretariat,
    )
    blocs.secretariat_set(
        bloc_year=world.bloc_year, person=world.officer, member=True, changed_by=world.secretariat
    )
    blocs.person_update(
        person=world.leader,
        changed_by=world.secretariat,
        full_name=world.leader.full_name,
        job_title="Phó Trưởng ban",
        phone="",
        role="officer",
    )
    _login_logged(world.officer.username)
    _login_logged(world.officer.username, failed=True)
    # Bloc B: its own document and its officer's login, which A's secretariat must not see.
    _issued(world, bloc=world.other_bloc, by=world.outsider)
    _login_logged(world.outsider.username, ip="10.0.9.9")
    _login_logged(world.ministry.username, ip="10.0.5.5")
    return {"sheet": sheet, "document": document, "round": ballot_round, "receipt": receipt}


def _page(client, **params) -> str:
    response = client.get(reverse("audit_log"), params)
    assert response.status_code == 200
    return response.content.decode()


EXPECTED_A = [
    "Sửa điểm mục 1 của Ban Quản lý Khu kinh tế tỉnh Bình Định: 8,5 → 9"
    " (lý do: Bổ sung minh chứng dự án FDI)",
    "Sửa điểm mục 1 của Ban Quản lý Khu kinh tế tỉnh Bình Định: — → 8,5",
    "Ký giao ước «Giao ước thi đua năm 2022» (phiên bản 1): Ban Quản lý Khu kinh tế tỉnh "
    "Bình Định, Phạm Văn Lãnh ký (Ký trực tuyến)",
    "Mở ký giao ước «Giao ước thi đua năm 2022» (phiên bản 1)",
    "Mở vòng bỏ phiếu «Bình xét Cờ thi đua của Bộ năm 2022»",
    "Mở đợt chấm điểm năm 2022",
    "Kết thúc vòng bỏ phiếu «Bình xét Cờ thi đua của Bộ năm 2022»",
    "Ban hành văn bản số 01/BC-KTĐA: Báo cáo tổng kết công tác thi đua năm 2022",
    "Cấp quyền thư ký khối KTĐA năm 2022 cho Lê Văn Cán",
    "Đổi vai trò của Phạm Văn Lãnh thành Cán bộ phụ trách thi đua",
    "Kết nạp Ban Quản lý Khu kinh tế tỉnh Bình Định vào Khối thi đua A từ năm 2019",
    "Gửi phiếu chấm điểm của Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng",
    "Tạo thang điểm «Thang điểm thi đua năm 2022» (phiên bản 1)",
    "Khóa thang điểm «Thang điểm thi đua năm 2022» (phiên bản 1)",
    "Đổi điểm chuẩn mục 1 của thang điểm «Thang điểm thi đua năm 2022» (phiên bản 1): 35 → 30",
    "Thêm minh chứng «Danh mục dự án FDI.pdf» cho mục 1 của Ban Quản lý Khu kinh tế tỉnh Bình Định",
    "Ký giao ước «Giao ước thi đua năm 2022» (phiên bản 1): Ban Quản lý các khu công nghiệp "
    "tỉnh Lâm Đồng, Nguyễn Văn Phó ký (Ký trên giấy); có bản quét văn bản đã ký",
    "Lãnh đạo Phạm Văn Lãnh (Bình Định) ủy quyền cho Lê Văn Cán bỏ phiếu thay (năm 2022)",
    "Khối thi đua A phát động phong trào thi đua «Thi đua thu hút đầu tư năm 2022» "
    "(01/03/2022 – 31/10/2022)",
    "Sơ kết đợt 1 của phong trào thi đua «Thi đua thu hút đầu tư năm 2022» (ngày 05/07/2022)",
    "Công bố Quy chế hoạt động phiên bản 1 của KTĐA: Quy chế hoạt động của Khối thi đua A",
    "Đăng nhập từ địa chỉ IP 10.0.0.7",
    "Đăng nhập không thành công với tên đăng nhập «officer» từ địa chỉ IP 10.0.0.7",
]


def test_each_kind_of_event_appears_with_its_text(world, events, login):
    page = _page(login(world.secretariat))
    for text in EXPECTED_A:
        assert text in page, text
    assert "8,5 → 9" in page
    assert "Cán bộ phụ trách thi đua" in page  # old → new of the role change
    assert reverse("sheet_detail", kwargs={"pk": events["sheet"].pk}) in page
    assert reverse("document_detail", kwargs={"pk": events["document"].pk}) in page
    assert reverse("ballot_round_detail", kwargs={"pk": events["round"].pk}) in page


def test_the_log_is_newest_first_and_names_who(world, events):
    rows = selectors.events(selectors.event_keys(viewer=world.secretariat, filters=Filters()))
    times = [row.when for row in rows]
    assert times == sorted(times, reverse=True)
    scores = [row for row in rows if "8,5 → 9" in row.text]
    assert [row.who for row in scores] == ["Lê Văn Cán"]
    assert scores[0].place == "KTĐA 2022"
    issued = next(row for row in rows if row.text.startswith("Ban hành"))
    assert issued.who == "Đỗ Thanh Thư"


def test_a_ballot_never_appears(world, events, login):
    page = _page(login(world.ministry))
    assert events["receipt"] not in page
    rows = selectors.events(selectors.event_keys(viewer=world.ministry, filters=Filters()))
    ballots = [row for row in rows if row.kind == "bo-phieu"]
    # The rounds opening and closing, and who may vote for a unit: never a vote.
    assert [row.text.split(" «")[0].split(" (")[0] for row in ballots] == [
        "Lãnh đạo Phạm Văn Lãnh",
        "Kết thúc vòng bỏ phiếu",
        "Mở vòng bỏ phiếu",
    ]
    assert not any("phiếu bầu" in row.text.lower() for row in rows)


def test_a_second_ballot_adds_no_event(world, events):
    ballot_round = awards.round_open(
        ballot_round=awards.round_create(
            bloc_year=world.bloc_year,
            title="Bầu Khối trưởng năm 2023",
            by=world.secretariat,
            unit_candidates=[world.chair, world.vice],
        ),
        by=world.secretariat,
    )
    count = len(selectors.event_keys(viewer=world.ministry, filters=Filters()))
    chair_leader = User.objects.get(username="lanhdao.chu")
    secret = awards.token_issue(ballot_round=ballot_round, unit=world.chair, user=chair_leader)
    awards.ballot_cast(
        ballot_round=ballot_round,
        unit=world.chair,
        user=chair_leader,
        secret=secret,
        choice_ids=[ballot_round.candidates.first().pk],
    )
    assert len(selectors.event_keys(viewer=world.ministry, filters=Filters())) == count


# --- scope ------------------------------------------------------------------------------------


def test_the_secretariat_sees_only_its_bloc(world, events, login):
    page = _page(login(world.secretariat))
    assert "KTĐB" not in page
    assert "Trần Ngoại" not in page  # bloc B's officer: neither his login nor his document
    assert "10.0.9.9" not in page
    assert "10.0.5.5" not in page  # the ministry office's own login


def test_another_blocs_secretariat_sees_none_of_bloc_a(world, events, login):
    page = _page(login(world.outsider))
    for text in EXPECTED_A:
        assert text not in page, text
    assert "Ban hành văn bản số 01/BC-KTĐB" in page
    assert "10.0.9.9" in page


def test_the_ministry_sees_every_bloc(world, events, login):
    page = _page(login(world.ministry))
    for text in EXPECTED_A:
        assert text in page, text
    assert "Ban hành văn bản số 01/BC-KTĐB" in page
    assert "10.0.5.5" in page


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_members_without_the_secretariat_are_refused(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403


def test_an_appointed_secretary_sees_the_bloc(world, events, login):
    page = _page(login(world.officer))  # appointed in the fixture
    assert "Ban hành văn bản số 01/BC-KTĐA" in page
    assert "01/BC-KTĐB" not in page


def test_the_secretariat_cannot_widen_its_scope_with_the_bloc_filter(world, events):
    filters = Filters(bloc=world.other_bloc)
    rows = selectors.events(selectors.event_keys(viewer=world.secretariat, filters=filters))
    assert rows
    assert not any("KTĐB" in row.text or row.place.startswith("KTĐB") for row in rows)


# --- filters ----------------------------------------------------------------------------------


def test_filter_by_kind(world, events, login):
    page = _page(login(world.secretariat), loai="van-ban")
    assert "Ban hành văn bản số 01/BC-KTĐA" in page
    assert "Sửa điểm mục" not in page
    assert "Đăng nhập từ" not in page
    page = _page(login(world.secretariat), loai="dang-nhap")
    assert "Đăng nhập từ địa chỉ IP" in page
    assert "Ban hành văn bản" not in page


def test_filter_by_user(world, events, login):
    client = login(world.secretariat)
    page = _page(client, nguoi=world.officer.pk)
    assert "8,5 → 9" in page
    assert "Đăng nhập từ địa chỉ IP" in page
    assert "Ban hành văn bản" not in page  # the secretariat's


def test_filter_by_bloc_for_the_ministry(world, events, login):
    page = _page(login(world.ministry), khoi=world.other_bloc.pk)
    assert "01/BC-KTĐB" in page
    assert "01/BC-KTĐA" not in page
    assert "10.0.5.5" not in page  # the ministry's login belongs to no bloc


def test_the_secretariat_has_no_bloc_filter(world, events, login):
    page = _page(login(world.secretariat))
    assert 'name="khoi"' not in page
    assert 'name="khoi"' in _page(login(world.ministry))


def test_filter_by_year(world, events, login):
    client = login(world.ministry)
    page = _page(client, nam=2022)
    assert "01/BC-KTĐA" in page
    assert "Đăng nhập từ" not in page  # the logins happened this calendar year, not in 2022
    assert "Không có sự kiện nào." in _page(client, nam=2022, loai="dang-nhap")


def test_filter_by_dates(world, events, login):
    old = timezone.make_aware(dt.datetime(2021, 3, 5, 9, 30))
    _login_logged(world.officer.username, when=old)
    client = login(world.secretariat)
    page = _page(client, loai="dang-nhap", tu_ngay="2021-03-05", den_ngay="2021-03-05")
    assert "05/03/2021 09:30:00" in page
    assert page.count("Đăng nhập từ địa chỉ IP") == 1
    page = _page(client, loai="dang-nhap", tu_ngay="2021-03-06")
    assert "05/03/2021" not in page


def test_an_inverted_date_range_is_an_error(world, events, login):
    page = _page(login(world.secretariat), tu_ngay="2022-03-06", den_ngay="2022-03-01")
    assert "Ngày kết thúc phải sau ngày bắt đầu." in page


# --- export -----------------------------------------------------------------------------------


def _workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_export_holds_the_filtered_list(world, events, login):
    client = login(world.secretariat)
    rows = _workbook_rows(client.get(reverse("audit_export"), {"loai": "diem"}))
    assert rows[1][:5] == (
        "Thời gian",
        "Người thực hiện",
        "Loại sự kiện",
        "Khối / đơn vị",
        "Nội dung",
    )
    body = rows[2:]
    assert body
    assert {row[2] for row in body} == {"Chấm điểm"}
    score = next(row for row in body if "8,5 → 9" in row[4])
    assert isinstance(score[0], dt.datetime)
    assert score[1] == "Lê Văn Cán"
    assert score[3] == "KTĐA 2022"
    assert "Tự chấm: 8,5 → 9" in score[5]
    assert score[6] == "Bổ sung minh chứng dự án FDI"


def test_the_export_keeps_the_scope(world, events, login):
    rows = _workbook_rows(login(world.outsider).get(reverse("audit_export")))
    texts = "\n".join(str(row[4]) for row in rows[2:])
    assert "01/BC-KTĐB" in texts
    assert "KTĐA" not in texts


# --- queries ----------------------------------------------------------------------------------


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        _page(client, **params)
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_events(world, events, login):
    client = login(world.secretariat)
    # Every source has an event on this first page: the most queries a page can cost.
    first_page = selectors.event_keys(viewer=world.secretariat, filters=Filters())
    first_page = first_page[: selectors.PAGE_SIZE]
    assert {key for _id, _when, key in first_page} == {s.key for s in all_sources()}
    every_source = _queries(client)
    assert every_source <= 10 + 2 * len(all_sources())
    sheet = events["sheet"]
    entries = list(Entry.objects.filter(sheet=sheet).select_related("criterion"))
    for n in range(30):
        unit = MemberUnitFactory(full_name=f"Ban Quản lý Khu kinh tế thử {n}")
        MembershipFactory(bloc=world.bloc, unit=unit, from_year=2020)
        person = UserFactory(username=f"canbo.thu{n}", unit=unit, unit_role="officer")
        _login_logged(person.username)
        _login_logged(person.username, failed=True)
        entry = entries[n % len(entries)]
        scoring.sheet_save(
            sheet=sheet,
            version=Sheet.objects.get(pk=sheet.pk).version,
            values={entry.pk: (str(Decimal(n % 5)), f"Lần {n}")},
            by=world.officer,
        )
    total = len(selectors.event_keys(viewer=world.secretariat, filters=Filters()))
    assert total > 2 * selectors.PAGE_SIZE
    for page in (1, 2, 3):
        assert _queries(client, trang=page) <= every_source
    # The same sources on a page, ten times the events: the same queries.
    few = _queries(client, loai="dang-nhap", nguoi=world.officer.pk)
    for _n in range(30):
        _login_logged(world.officer.username)
    assert _queries(client, loai="dang-nhap", nguoi=world.officer.pk) == few


# --- dashboard --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"), [("ministry", True), ("secretariat", True), ("officer", False)]
)
def test_the_dashboard_links_the_log(world, login, role, shown):
    page = login(getattr(world, role)).get(reverse("dashboard")).content.decode()
    assert (reverse("audit_log") in page) is shown


def test_scoring_rounds_appear_when_they_close_and_are_published(world, events, login):
    from scoring import services as scoring
    from scoring.models import Round

    scoring_round = Round.objects.get(bloc_year=world.bloc_year)
    scoring.lock_overdue(now=scoring_round.deadline + dt.timedelta(minutes=1))
    scoring.round_publish(scoring_round=scoring_round, by=world.secretariat)
    page = _page(login(world.secretariat))
    assert "Công bố kết quả chấm điểm năm 2022" in page
    overview = reverse(
        "round_overview", kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year}
    )
    assert overview in page
    assert "Hết hạn nộp phiếu chấm điểm năm 2022" in page
    assert "Công bố kết quả chấm điểm" not in _page(login(world.outsider))  # bloc B


def test_a_covenant_draft_shared_for_comment_appears(world, login):
    covenant = make_covenant(world, finalize=False)
    covenants.covenant_share(covenant=covenant, by=world.secretariat)
    page = _page(login(world.secretariat))
    assert "Gửi dự thảo giao ước «Giao ước thi đua năm 2022» (phiên bản 1) lấy ý kiến" in page
    assert "lấy ý kiến" not in _page(login(world.outsider))  # bloc B


def test_a_campaign_phase_review_appears(world, login):
    phase = _campaign_phase(world, "Thi đua cải cách hành chính năm 2022")
    page = _page(login(world.secretariat))
    assert "Sơ kết đợt" not in page  # adding a phase is not a review
    covenants.phase_review(
        phase=phase,
        review="Hoàn thành 90% chỉ tiêu",
        reviewed_on=dt.date(2022, 7, 5),
        by=world.secretariat,
    )
    page = _page(login(world.secretariat))
    assert (
        "Sơ kết đợt 1 của phong trào thi đua «Thi đua cải cách hành chính năm 2022» (ngày 05/07/2022)"
        in page
    )
    assert "Sơ kết đợt" not in _page(login(world.outsider))  # bloc B
