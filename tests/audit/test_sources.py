"""The audit log's newer sources: voting delegates, the scoring scale and evidence, campaigns,
the bloc's standing documents, and how paper and digital covenant signatures are described."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit import selectors
from audit.selectors import Filters
from audit.sources import Event
from awards import services as awards
from awards.models import AwardType
from covenants import services as covenants
from scoring import services as scoring
from scoring.models import Criterion, Entry, Sheet
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory
from tests.scoring.conftest import build_scale
from tests.scoring.matrix_sheets import pdf_upload

pytestmark = pytest.mark.django_db

SCALE = "«Thang điểm thi đua năm 2022»"


def _events(viewer, **filters) -> list[Event]:
    return selectors.events(selectors.event_keys(viewer=viewer, filters=Filters(**filters)))


def _texts(viewer, **filters) -> list[str]:
    return [event.text for event in _events(viewer, **filters)]


def _event(viewer, start: str) -> Event:
    (found,) = [event for event in _events(viewer) if event.text.startswith(start)]
    return found


# --- voting delegates -------------------------------------------------------------------------


@pytest.fixture
def ballot_round(world):
    UserFactory(username="lanhdao.chu", unit=world.chair, unit_role="leader")
    return awards.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Cờ thi đua của Bộ năm 2022",
        by=world.secretariat,
        unit_candidates=[world.chair, world.vice, world.member],
        award_type=AwardType.objects.get(code="co-thi-dua-bo"),
    )


@pytest.fixture
def delegations(world, ballot_round):
    """The member's leader names its officer for the year, replaces him by a second officer,
    names the officer again for the flag round only, then revokes that."""
    second = UserFactory(
        username="canbo.hai", full_name="Hồ Thị Hai", unit=world.member, unit_role="officer"
    )
    named = dict(bloc_year=world.bloc_year, unit=world.member, by=world.leader)
    awards.delegate_name(**named, delegate=world.officer, note="Dự hội nghị thay lãnh đạo")
    awards.delegate_name(**named, delegate=second)
    for_round = awards.delegate_name(**named, delegate=world.officer, ballot_round=ballot_round)
    awards.delegate_revoke(delegation=for_round, by=world.leader)
    return second


YEAR_NAMED = "Lãnh đạo Phạm Văn Lãnh (Bình Định) ủy quyền cho Lê Văn Cán bỏ phiếu thay (năm 2022)"
DELEGATE_EVENTS = [
    "Thu hồi ủy quyền bỏ phiếu thay của Lê Văn Cán (Bình Định, vòng «Bình xét Cờ thi đua của "
    "Bộ năm 2022»)",
    "Lãnh đạo Phạm Văn Lãnh (Bình Định) ủy quyền cho Lê Văn Cán bỏ phiếu thay (vòng «Bình xét "
    "Cờ thi đua của Bộ năm 2022»)",
    "Lãnh đạo Phạm Văn Lãnh (Bình Định) ủy quyền cho Hồ Thị Hai bỏ phiếu thay (năm 2022)",
    "Thu hồi ủy quyền bỏ phiếu thay của Lê Văn Cán (Bình Định, năm 2022) (lý do: Thay người "
    "được ủy quyền bằng Hồ Thị Hai)",
    YEAR_NAMED,
]


def test_delegations_named_replaced_and_revoked_appear_newest_first(world, delegations):
    assert _texts(world.secretariat, kind="bo-phieu") == DELEGATE_EVENTS


def test_a_delegation_names_the_leader_and_links_the_voters_page(world, delegations):
    event = _event(world.secretariat, YEAR_NAMED)
    assert event.who == "Phạm Văn Lãnh"
    assert event.place == "KTĐA 2022"
    assert event.kind_label == "Bỏ phiếu"
    assert event.url == reverse(
        "award_voters", kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year}
    )
    assert [(c.label, c.old, c.new) for c in event.changes] == [
        ("Ghi chú", "—", "Dự hội nghị thay lãnh đạo")
    ]


def test_delegations_stay_in_their_bloc(world, delegations, login):
    assert not any("ủy quyền" in text for text in _texts(world.outsider))
    page = login(world.ministry).get(reverse("audit_log"), {"loai": "bo-phieu"}).content.decode()
    for text in DELEGATE_EVENTS:
        assert text in page, text


def test_a_delegates_vote_adds_no_event_and_never_shows(world, ballot_round, delegations):
    ballot_round = awards.round_open(ballot_round=ballot_round, by=world.secretariat)
    before = _events(world.ministry)
    secret = awards.token_issue(ballot_round=ballot_round, unit=world.member, user=delegations)
    receipt = awards.ballot_cast(
        ballot_round=ballot_round,
        unit=world.member,
        user=delegations,
        secret=secret,
        choice_ids=[ballot_round.candidates.first().pk],
    )
    after = _events(world.ministry)
    assert [(e.when, e.text) for e in after] == [(e.when, e.text) for e in before]
    assert not any(receipt in e.text or "đã bỏ phiếu" in e.text for e in after)


# --- the scoring scale and evidence -----------------------------------------------------------


@pytest.fixture
def amended(world):
    """Version 1 built item by item and locked by opening the round; version 2 copied from it,
    item 3's maximum raised, item 2 dropped, and applied to the open round."""
    scale, _groups, _items = build_scale(world)
    scoring_round = scoring.round_open(
        bloc_year=world.bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    sheet = Sheet.objects.get(round=scoring_round, unit=world.member)
    entries = {
        e.criterion.code: e.pk
        for e in Entry.objects.filter(sheet=sheet).select_related("criterion")
    }
    scoring.sheet_save(
        sheet=sheet,
        version=sheet.version,
        values={entries["1"]: ("33", ""), entries["2"]: ("20", ""), entries["3"]: ("38", "")},
        by=world.officer,
    )
    dropped = Entry.objects.get(sheet=sheet, criterion__code="2")
    scoring.evidence_add(
        entry=dropped, upload=pdf_upload("Biên bản kiểm tra.pdf"), by=world.officer
    )
    kept = Entry.objects.get(sheet=sheet, criterion__code="1")
    evidence = scoring.evidence_add(entry=kept, upload=pdf_upload("Ảnh chụp.pdf"), by=world.officer)
    scoring.evidence_delete(evidence=evidence, by=world.officer)
    second = scoring.scale_copy(
        source=scale, bloc_year=world.bloc_year, by=world.secretariat, note="Tăng mục 3"
    )
    for code, points in (("3", "45"), ("1", "30")):
        item = Criterion.objects.get(scale=second, code=code)
        scoring.criterion_save(
            scale=second,
            by=world.secretariat,
            code=code,
            title=item.title,
            kind="normal",
            max_points=Decimal(points),
            parent=item.parent,
            criterion=item,
        )
    scoring.criterion_delete(
        criterion=Criterion.objects.get(scale=second, code="2"), by=world.secretariat
    )
    scoring.round_switch_scale(scoring_round=scoring_round, scale=second, by=world.secretariat)
    return {"sheet": sheet, "second": second}


SCALE_EVENTS = [
    f"Khóa thang điểm {SCALE} (phiên bản 2)",
    f"Đổi điểm chuẩn mục 1 của thang điểm {SCALE} (phiên bản 2): 35 → 30",
    f"Đổi điểm chuẩn mục 3 của thang điểm {SCALE} (phiên bản 2): 40 → 45",
    f"Tạo thang điểm {SCALE} (phiên bản 2)",
    f"Khóa thang điểm {SCALE} (phiên bản 1)",
    f"Tạo thang điểm {SCALE} (phiên bản 1)",
]


def test_scale_versions_created_locked_and_a_maximum_changed(world, amended):
    texts = [t for t in _texts(world.secretariat, kind="diem") if "thang điểm «" in t]
    # Criteria written one by one, copied into version 2 or deleted from it are not events.
    assert texts == SCALE_EVENTS


def test_a_scale_event_links_its_version_and_keeps_the_reason(world, amended):
    event = _event(world.secretariat, SCALE_EVENTS[0])
    url = reverse("scale_detail", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    assert event.url == f"{url}?phien-ban=2"
    assert event.reason == "Khóa phiên bản thang điểm mới"
    assert event.who == "Đỗ Thanh Thư"
    assert event.place == "KTĐA 2022"
    change = _event(world.secretariat, SCALE_EVENTS[1]).changes
    assert [(c.label, c.old, c.new) for c in change] == [("Điểm chuẩn", "35", "30")]


def test_applying_a_new_version_shows_only_the_scores_it_changed(world, amended):
    """Every entry of every sheet is saved when the round moves to version 2: only the score
    lowered to item 1's new maximum and the score of the dropped item 2 are events."""
    unit = "Ban Quản lý Khu kinh tế tỉnh Bình Định"
    moved = [e for e in _events(world.secretariat, kind="diem") if "phiên bản 2)" in e.text]
    assert [e.text for e in moved if "điểm mục" in e.text] == [
        f"Xóa điểm mục 2 của {unit} (lý do: Tiêu chí 2 bị bỏ ở phiên bản 2)",
        f"Sửa điểm mục 1 của {unit}: 33 → 30 (lý do: Chuyển sang thang điểm phiên bản 2)",
    ]
    assert not any(e.text.startswith("Sửa diễn giải") for e in _events(world.secretariat))


def test_evidence_added_and_removed(world, amended):
    unit = "Ban Quản lý Khu kinh tế tỉnh Bình Định"
    texts = _texts(world.secretariat, kind="diem")
    assert f"Thêm minh chứng «Ảnh chụp.pdf» cho mục 1 của {unit}" in texts
    assert f"Xóa minh chứng «Ảnh chụp.pdf» của mục 1 của {unit}" in texts
    removed = _event(world.secretariat, "Xóa minh chứng «Ảnh chụp.pdf»")
    assert removed.who == "Lê Văn Cán"
    assert removed.url == reverse("sheet_detail", kwargs={"pk": amended["sheet"].pk})


def test_evidence_of_an_item_dropped_by_a_new_version_still_shows(world, amended):
    """Item 2 left with version 2: its entry and the file went with it, and the log still says
    which item of which unit the file was for."""
    unit = "Ban Quản lý Khu kinh tế tỉnh Bình Định"
    texts = _texts(world.secretariat, kind="diem")
    assert f"Thêm minh chứng «Biên bản kiểm tra.pdf» cho mục 2 của {unit}" in texts
    assert f"Xóa minh chứng «Biên bản kiểm tra.pdf» của mục 2 của {unit}" in texts


def test_scale_and_evidence_events_stay_in_their_bloc(world, amended):
    texts = _texts(world.outsider)
    assert not any("thang điểm" in t or "minh chứng" in t for t in texts)


# --- campaigns and standing documents ---------------------------------------------------------


@pytest.fixture
def standing(world):
    campaign = covenants.campaign_create(
        bloc=world.bloc,
        title="Thi đua thu hút đầu tư năm 2022",
        year=2022,
        starts_on=dt.date(2022, 3, 1),
        ends_on=dt.date(2022, 10, 31),
        by=world.secretariat,
    )
    covenants.campaign_create(
        unit=world.member,
        title="Đợt thi đua cao điểm chào mừng ngày thành lập",
        year=2022,
        starts_on=dt.date(2022, 7, 20),
        ends_on=dt.date(2022, 10, 30),
        by=world.officer,
    )
    for year in (2021, 2022):
        covenants.bloc_document_publish(
            bloc=world.bloc,
            kind="regulation",
            title=f"Quy chế hoạt động của Khối thi đua A (áp dụng từ {year})",
            valid_from_year=year,
            decision=f"Quyết định số 01/QĐ-KTĐA ngày 15/01/{year}",
            parameters={"quorum": "2/3"},
            by=world.secretariat,
        )
    covenants.bloc_document_publish(
        bloc=world.other_bloc,
        kind="plan",
        title="Kế hoạch thi đua năm 2022 của Khối thi đua B",
        valid_from_year=2022,
        by=world.outsider,
    )
    return campaign


BLOC_CAMPAIGN = (
    "Khối thi đua A phát động phong trào thi đua «Thi đua thu hút đầu tư năm 2022» "
    "(01/03/2022 – 31/10/2022)"
)
UNIT_CAMPAIGN = (
    "Ban Quản lý Khu kinh tế tỉnh Bình Định phát động phong trào thi đua «Đợt thi đua cao điểm "
    "chào mừng ngày thành lập» (20/07/2022 – 30/10/2022)"
)
REGULATION = "Công bố Quy chế hoạt động phiên bản %s của KTĐA: Quy chế hoạt động của Khối thi đua A"
B_PLAN = "Công bố Kế hoạch năm phiên bản 1 của KTĐB: Kế hoạch thi đua năm 2022 của Khối thi đua B"


def test_a_bloc_campaign_shows_to_its_bloc_and_a_units_own_to_the_ministry_only(world, standing):
    assert _texts(world.secretariat, kind="phong-trao") == [BLOC_CAMPAIGN]
    assert _texts(world.ministry, kind="phong-trao") == [UNIT_CAMPAIGN, BLOC_CAMPAIGN]
    assert _texts(world.ministry, kind="phong-trao", bloc=world.bloc) == [BLOC_CAMPAIGN]
    assert _texts(world.outsider, kind="phong-trao") == []
    event = _event(world.secretariat, BLOC_CAMPAIGN)
    assert event.who == "Đỗ Thanh Thư"
    assert event.place == "KTĐA 2022"
    assert event.kind_label == "Phong trào thi đua"
    assert event.url == reverse("campaign_detail", kwargs={"pk": standing.pk})
    assert _event(world.ministry, UNIT_CAMPAIGN).place == "Bình Định"


def test_standing_document_versions_are_published_events(world, standing):
    texts = _texts(world.secretariat, kind="van-ban")
    assert [t.split(" (áp dụng")[0] for t in texts] == [REGULATION % 2, REGULATION % 1]
    event = _event(world.secretariat, REGULATION % 2)
    assert event.place == "KTĐA 2022"
    assert ("Quyết định ban hành", "—", "Quyết định số 01/QĐ-KTĐA ngày 15/01/2022") in [
        (c.label, c.old, c.new) for c in event.changes
    ]
    assert event.reason == ""  # "Ban hành phiên bản 2": the text says it already
    # The year filter takes the year a version applies from.
    texts = _texts(world.secretariat, kind="van-ban", year=2021)
    assert [t.split(" (áp dụng")[0] for t in texts] == [REGULATION % 1]


def test_standing_documents_stay_in_their_bloc(world, standing, login):
    assert _texts(world.outsider, kind="van-ban") == [B_PLAN]
    page = login(world.secretariat).get(reverse("audit_log")).content.decode()
    assert REGULATION % 2 in page
    assert B_PLAN not in page


# --- covenant signatures by method -------------------------------------------------------------

SUBJECT = "CN=Nguyễn Văn Phó,O=Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng,C=VN"


@pytest.fixture
def signed(world):
    covenant = make_covenant(world)
    covenants.covenant_sign(
        covenant=covenant,
        unit=world.member,
        method="paper",
        signer_name="Phạm Văn Lãnh",
        signer_title="Trưởng ban",
        recorded_by=world.secretariat,
        scan=pdf_upload("Giao ước Bình Định đã ký.pdf"),
    )
    covenants.covenant_sign(
        covenant=covenant,
        unit=world.vice,
        method="digital",
        signer_name="Nguyễn Văn Phó",
        certificate_subject=SUBJECT,
        recorded_by=world.secretariat,
        scan=pdf_upload("Giao ước ký số.pdf"),
    )
    return covenant


def test_a_paper_signature_shows_its_method_its_scan_and_who_recorded_it(world, signed):
    texts = _texts(world.secretariat, kind="giao-uoc")
    assert (
        "Ký giao ước «Giao ước thi đua năm 2022» (phiên bản 1): Ban Quản lý Khu kinh tế tỉnh "
        "Bình Định, Phạm Văn Lãnh ký (Ký trên giấy); có bản quét văn bản đã ký"
    ) in texts
    paper = next(e for e in _events(world.secretariat) if "Ký trên giấy" in e.text)
    assert paper.who == "Đỗ Thanh Thư"  # the secretariat recorded the paper signature


def test_a_digital_signature_shows_its_method_and_certificate(world, signed, login):
    expected = (
        "Ký giao ước «Giao ước thi đua năm 2022» (phiên bản 1): Ban Quản lý các khu công nghiệp "
        f"tỉnh Lâm Đồng, Nguyễn Văn Phó ký (Chữ ký số của đơn vị); chứng thư số: {SUBJECT}"
    )
    assert expected in _texts(world.secretariat, kind="giao-uoc")
    page = login(world.ministry).get(reverse("audit_log"), {"loai": "giao-uoc"}).content.decode()
    assert "Chữ ký số của đơn vị); chứng thư số: CN=Nguyễn Văn Phó" in page
    assert "Lâm Đồng" not in "".join(_texts(world.outsider))
