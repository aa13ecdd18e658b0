"""Campaigns as blocs and units run them: the list, launching with phases, the timeline, phase
edits and reviews (sơ kết), and the launch letter drafted in the right register (seed 001)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from blocs.models import Authority, BlocSupervision
from covenants import services
from covenants.campaign_documents import campaign_launch_draft, launch_body, launch_subject
from covenants.models import Campaign, CampaignPhase
from documents.models import Document
from tests.covenants.matrix_campaigns import make_campaign

pytestmark = pytest.mark.django_db


def _unit_campaign(world, unit=None, *, by=None, **extra) -> Campaign:
    values = {
        "title": "Thi đua thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2023",
        "year": 2023,
        "starts_on": dt.date(2023, 2, 6),
        "ends_on": dt.date(2023, 12, 31),
        "plan_reference": "Kế hoạch số 16/KH-BQL ngày 06/02/2023",
        "audience": "Toàn thể công chức, viên chức, người lao động thuộc Ban Quản lý.",
        "content": "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị.\n"
        "Thi đua đẩy mạnh ứng dụng chuyển đổi số.",
        "responsibilities": "- Văn phòng Ban: đôn đốc, kiểm tra.\n"
        "- Các phòng: triển khai thực hiện.",
        "phases": [
            {
                "name": "Thi đua 6 tháng đầu năm",
                "starts_on": dt.date(2023, 2, 6),
                "ends_on": dt.date(2023, 6, 30),
            },
            {
                "name": "Thi đua lập thành tích hoàn thành xuất sắc nhiệm vụ 6 tháng cuối năm",
                "starts_on": dt.date(2023, 7, 20),
                "ends_on": dt.date(2023, 10, 30),
            },
        ],
    } | extra
    return services.campaign_create(unit=unit or world.member, by=by or world.officer, **values)


def _running(world) -> Campaign:
    """A bloc A campaign under way today: 21 days, the 11th today."""
    today = timezone.localdate()
    return services.campaign_create(
        bloc=world.bloc,
        title="Thi đua nước rút cuối năm",
        year=today.year,
        by=world.secretariat,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
        phases=[
            {
                "name": "Đợt nước rút",
                "starts_on": today - dt.timedelta(days=2),
                "ends_on": today + dt.timedelta(days=3),
            }
        ],
    )


def _create_data(owner: str, **extra) -> dict:
    data = {
        "owner": owner,
        "title": "Thi đua hoàn thành xuất sắc nhiệm vụ năm 2022",
        "plan_reference": "",
        "starts_on": "2022-01-01",
        "ends_on": "2022-11-30",
        "year": "",
        "audience": "Các đơn vị thành viên",
        "content": "Hoàn thành vượt mức kế hoạch năm.",
        "responsibilities": "",
        "dot-TOTAL_FORMS": "4",
        "dot-INITIAL_FORMS": "0",
        "dot-MIN_NUM_FORMS": "0",
        "dot-MAX_NUM_FORMS": "4",
    }
    for i in range(4):
        data |= {
            f"dot-{i}-name": "",
            f"dot-{i}-starts_on": "",
            f"dot-{i}-ends_on": "",
            f"dot-{i}-content": "",
        }
    return data | extra


# --- the list ---------------------------------------------------------------------------------


def test_list_groups_bloc_campaigns_and_the_units_own(world, login):
    make_campaign(world)
    _unit_campaign(world)
    _unit_campaign(world, world.outsider_unit, by=world.outsider, title="Phong trào của Cà Mau")
    page = login(world.officer).get(reverse("campaign_list")).content.decode()
    bloc_part, unit_part = page.split('id="cua-don-vi"')
    assert "Thi đua hoàn thành xuất sắc nhiệm vụ năm 2022" in bloc_part
    assert "Thi đua thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2023" in unit_part
    assert "Cà Mau" not in page


def test_list_filters_by_year(world, login):
    make_campaign(world)
    _unit_campaign(world)
    page = login(world.officer).get(reverse("campaign_list"), {"nam": "2023"}).content.decode()
    assert "năm 2023" in page
    assert "Thi đua hoàn thành xuất sắc nhiệm vụ năm 2022" not in page


def test_list_shows_the_phase_under_way(world, login):
    _running(world)
    page = login(world.leader).get(reverse("campaign_list")).content.decode()
    assert "Đợt 1: Đợt nước rút" in page
    assert "Đang diễn ra" in page


def test_outsiders_do_not_see_bloc_a_campaigns(world, login):
    make_campaign(world)
    page = login(world.outsider).get(reverse("campaign_list")).content.decode()
    assert "Thi đua hoàn thành xuất sắc nhiệm vụ năm 2022" not in page


# --- launching a campaign ---------------------------------------------------------------------


def test_create_offers_the_secretariats_blocs_and_the_own_unit(world, login):
    page = login(world.secretariat).get(reverse("campaign_create")).content.decode()
    assert f'value="khoi-{world.bloc.pk}"' in page
    assert f'value="don-vi-{world.chair.pk}"' in page
    page = login(world.officer).get(reverse("campaign_create")).content.decode()
    assert "khoi-" not in page
    assert f'value="don-vi-{world.member.pk}"' in page


def test_the_ministry_has_nothing_to_launch_for(world, login):
    assert login(world.ministry).get(reverse("campaign_create")).status_code == 403


def test_secretariat_launches_a_bloc_campaign_with_its_phases(world, login):
    data = _create_data(
        f"khoi-{world.bloc.pk}",
        **{
            "dot-0-name": "Thi đua 6 tháng đầu năm",
            "dot-0-starts_on": "2022-01-01",
            "dot-0-ends_on": "2022-06-30",
            "dot-1-name": "Thi đua 6 tháng cuối năm",
            "dot-1-starts_on": "2022-07-01",
            "dot-1-ends_on": "2022-11-30",
        },
    )
    response = login(world.secretariat).post(reverse("campaign_create"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert (campaign.bloc, campaign.unit, campaign.year) == (world.bloc, None, 2022)
    assert list(campaign.phases.values_list("number", "name")) == [
        (1, "Thi đua 6 tháng đầu năm"),
        (2, "Thi đua 6 tháng cuối năm"),
    ]


def test_an_officer_launches_the_units_own_campaign(world, login):
    response = login(world.officer).post(
        reverse("campaign_create"), _create_data(f"don-vi-{world.member.pk}")
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.unit == world.member
    assert campaign.bloc is None
    assert not campaign.phases.exists()


def test_an_officer_cannot_launch_for_the_bloc(world, login):
    response = login(world.officer).post(
        reverse("campaign_create"), _create_data(f"khoi-{world.bloc.pk}")
    )
    assert response.status_code == 200
    assert not Campaign.objects.exists()


def test_a_phase_outside_the_period_is_refused_on_that_phase(world, login):
    data = _create_data(
        f"khoi-{world.bloc.pk}",
        **{
            "dot-0-name": "Đợt lệch",
            "dot-0-starts_on": "2021-12-01",
            "dot-0-ends_on": "2022-02-01",
        },
    )
    response = login(world.secretariat).post(reverse("campaign_create"), data)
    assert response.status_code == 200
    assert not Campaign.objects.exists()
    assert "Đợt thi đua phải nằm trong thời gian của phong trào." in response.content.decode()


def test_the_text_is_stored_in_nfc(world, login):
    import unicodedata

    title = unicodedata.normalize("NFD", "Thi đua Đắk Lắk")
    login(world.officer).post(
        reverse("campaign_create"), _create_data(f"don-vi-{world.member.pk}", title=title)
    )
    assert Campaign.objects.get().title == "Thi đua Đắk Lắk"


# --- the campaign's page ----------------------------------------------------------------------


def test_a_running_campaign_shows_the_days_elapsed(world, login):
    campaign = _running(world)
    page = login(world.leader).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert re.search(r'<progress class="portal-progress" value="11" max="21">', page)
    assert "Đã qua 11/21 ngày" in page


def test_an_ended_campaign_has_no_progress_bar(world, login):
    campaign = make_campaign(world)
    page = login(world.leader).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "<progress" not in page
    assert "Đã kết thúc" in page


def test_members_see_no_manage_buttons(world, login):
    campaign = make_campaign(world)
    page = login(world.officer).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "Sơ kết đợt" not in page
    assert "Soạn văn bản phát động" not in page
    page = (
        login(world.secretariat)
        .get(reverse("campaign_detail", args=[campaign.pk]))
        .content.decode()
    )
    assert "Sơ kết đợt" in page
    assert "Soạn văn bản phát động" in page


def test_a_units_campaign_is_hidden_from_other_units(world, login):
    campaign = _unit_campaign(world)
    url = reverse("campaign_detail", args=[campaign.pk])
    assert login(world.leader).get(url).status_code == 200
    assert login(world.secretariat).get(url).status_code == 404  # same bloc, another unit
    assert login(world.ministry).get(url).status_code == 200


# --- phases and reviews -----------------------------------------------------------------------


def test_a_new_phase_takes_the_next_number(world, login):
    campaign = make_campaign(world)
    client = login(world.secretariat)
    page = client.get(reverse("phase_add", args=[campaign.pk])).content.decode()
    assert 'name="number" value="2"' in page
    response = client.post(
        reverse("phase_add", args=[campaign.pk]),
        {
            "number": "2",
            "name": "Thi đua 6 tháng cuối năm",
            "starts_on": "2022-07-01",
            "ends_on": "2022-11-30",
        },
    )
    assert response.status_code == 302
    assert list(campaign.phases.values_list("number", flat=True)) == [1, 2]


def test_a_phase_can_be_edited_but_not_pushed_out_of_the_period(world, login):
    campaign = make_campaign(world)
    phase = campaign.phases.get()
    url = reverse("phase_edit", args=[campaign.pk, phase.pk])
    client = login(world.secretariat)
    data = {"number": "1", "name": "Đợt I", "starts_on": "2022-01-01", "ends_on": "2022-07-15"}
    assert client.post(url, data).status_code == 302
    phase.refresh_from_db()
    assert (phase.name, phase.ends_on) == ("Đợt I", dt.date(2022, 7, 15))
    response = client.post(url, data | {"ends_on": "2023-01-15"})
    assert "Đợt thi đua phải nằm trong thời gian của phong trào." in response.content.decode()


def test_the_secretariat_records_a_phases_review(world, login):
    campaign = make_campaign(world)
    phase = campaign.phases.get()
    response = login(world.secretariat).post(
        reverse("phase_review", args=[campaign.pk, phase.pk]),
        {
            "review": "11/11 đơn vị hoàn thành chỉ tiêu 6 tháng đầu năm.",
            "reviewed_on": "2022-07-15",
        },
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.reviewed_on == dt.date(2022, 7, 15)
    assert phase.review.startswith("11/11")
    page = login(world.officer).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "Sơ kết ngày 15/07/2022" in page
    assert "11/11 đơn vị" in page


def test_a_review_in_place_answers_with_the_phase_card(world, login):
    campaign = make_campaign(world)
    phase = campaign.phases.get()
    url = reverse("phase_review", args=[campaign.pk, phase.pk])
    client = login(world.secretariat)
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert form.lstrip().startswith(f'<li class="card mb-3" id="dot-{phase.pk}">')
    assert "<html" not in form
    card = client.post(
        url,
        {"review": "Đạt kết quả tốt.", "reviewed_on": "2022-07-10"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'id="dot-{phase.pk}"' in card
    assert "Sơ kết ngày 10/07/2022" in card
    assert "<html" not in card


def test_a_review_needs_its_text(world, login):
    campaign = make_campaign(world)
    phase = campaign.phases.get()
    response = login(world.secretariat).post(
        reverse("phase_review", args=[campaign.pk, phase.pk]),
        {"review": "  ", "reviewed_on": "2022-07-10"},
    )
    assert response.status_code == 200
    phase.refresh_from_db()
    assert phase.reviewed_on is None


# --- the launch document ----------------------------------------------------------------------


def test_the_bloc_campaigns_letter_is_drafted_in_the_blocs_register(world, login):
    campaign = make_campaign(world)
    client = login(world.secretariat)
    response = client.post(
        reverse("campaign_launch_document", args=[campaign.pk]), {"kind": "letter"}
    )
    document = Document.objects.get()
    assert response["Location"] == reverse("document_detail", args=[document.pk])
    assert (document.bloc, document.unit, document.doc_type.code, document.is_draft) == (
        world.bloc,
        None,
        "",
        True,
    )
    assert document.subject == "phát động thi đua hoàn thành xuất sắc nhiệm vụ năm 2022"
    assert document.issuer_symbol == "KTĐA"
    assert document.recipients == "Các đơn vị thành viên Khối thi đua A"
    assert (
        "*1. Thời gian thực hiện*\nTừ ngày 01 tháng 01 năm 2022 đến ngày 30 tháng 11 năm 2022."
        in document.body
    )
    campaign.refresh_from_db()
    assert campaign.launch_document == document
    assert client.get(response["Location"]).status_code == 200


def test_launching_twice_keeps_one_letter(world, login):
    campaign = make_campaign(world)
    client = login(world.secretariat)
    first = client.post(reverse("campaign_launch_document", args=[campaign.pk]), {"kind": "letter"})
    second = client.post(reverse("campaign_launch_document", args=[campaign.pk]), {"kind": "plan"})
    assert first["Location"] == second["Location"]
    assert Document.objects.count() == 1


def test_a_unit_campaigns_letter_goes_to_the_units_own_register(world, login):
    campaign = _unit_campaign(world)
    client = login(world.officer)
    response = client.post(
        reverse("campaign_launch_document", args=[campaign.pk]),
        {"kind": "letter", "phase": campaign.phases.get(number=2).pk},
    )
    document = Document.objects.get()
    assert (document.unit, document.bloc, document.issuer_symbol) == (
        world.member,
        None,
        world.member.short_name,
    )
    assert document.subject == "phát động thi đua đợt II"
    assert "Từ ngày 20 tháng 7 năm 2023 đến ngày 30 tháng 10 năm 2023." in document.body
    assert client.get(response["Location"]).status_code == 200  # the documents app lets the unit in
    assert login(world.secretariat).get(response["Location"]).status_code == 404


def test_a_plan_is_a_ke_hoach_with_its_subject_as_title(world, login):
    campaign = make_campaign(world)
    login(world.secretariat).post(
        reverse("campaign_launch_document", args=[campaign.pk]), {"kind": "plan"}
    )
    document = Document.objects.get()
    assert document.doc_type.code == "KH"
    assert document.subject.startswith("Phát động thi đua")


def test_members_see_the_letter_only_once_issued(world, login):
    campaign = make_campaign(world)
    document = campaign_launch_draft(campaign=campaign, by=world.secretariat)
    url = reverse("campaign_detail", args=[campaign.pk])
    assert (
        reverse("document_detail", args=[document.pk])
        not in login(world.officer).get(url).content.decode()
    )
    from documents.services import document_issue

    document_issue(
        document=document,
        issued_on=dt.date(2022, 1, 5),
        issued_by=world.secretariat,
        signer_name="Phạm Văn Tịch",
        render=False,
    )
    page = login(world.officer).get(url).content.decode()
    assert reverse("document_detail", args=[document.pk]) in page
    assert "01/KTĐA" in page


def test_the_letters_header_names_the_ministry_of_that_day(world):
    mpi = Authority.objects.create(name="Bộ Kế hoạch và Đầu tư")
    mof = Authority.objects.create(name="Bộ Tài chính")
    BlocSupervision.objects.create(bloc=world.bloc, authority=mpi, valid_until=dt.date(2025, 2, 28))
    BlocSupervision.objects.create(bloc=world.bloc, authority=mof, valid_from=dt.date(2025, 3, 1))
    document = campaign_launch_draft(campaign=make_campaign(world), by=world.secretariat)
    assert document.parent_body == "BỘ KẾ HOẠCH VÀ ĐẦU TƯ"


def test_the_letter_follows_seed_001(world):
    campaign = _unit_campaign(world)
    phase = campaign.phases.get(number=2)
    assert launch_subject(campaign, phase) == "phát động thi đua đợt II"
    assert launch_body(campaign, phase).splitlines() == [
        "**PHÁT ĐỘNG THI ĐUA ĐỢT II**",
        "**Thi đua lập thành tích hoàn thành xuất sắc nhiệm vụ 6 tháng cuối năm**",
        "Thực hiện Kế hoạch số 16/KH-BQL ngày 06/02/2023 về thi đua thực hiện nhiệm vụ phát triển "
        f"kinh tế - xã hội năm 2023, {world.member.full_name} phát động thi đua đợt II "
        "với nội dung như sau:",
        "*1. Thời gian thực hiện*",
        "Từ ngày 20 tháng 7 năm 2023 đến ngày 30 tháng 10 năm 2023.",
        "*2. Đối tượng*",
        "Toàn thể công chức, viên chức, người lao động thuộc Ban Quản lý.",
        "*3. Nội dung thi đua*",
        "- Thi đua hoàn thành xuất sắc nhiệm vụ chính trị.",
        "- Thi đua đẩy mạnh ứng dụng chuyển đổi số.",
        "*4. Tổ chức thực hiện*",
        "- Văn phòng Ban: đôn đốc, kiểm tra.",
        "- Các phòng: triển khai thực hiện.",
    ]


def test_a_phase_of_another_campaign_is_refused(world):
    from django.core.exceptions import ValidationError

    other = _unit_campaign(world)
    with pytest.raises(ValidationError):
        campaign_launch_draft(
            campaign=make_campaign(world),
            by=world.secretariat,
            phase=CampaignPhase.objects.filter(campaign=other).first(),
        )
