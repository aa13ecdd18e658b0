"""Eligibility with written reasons, exclusions, default nominations by ranking, unit nominations
with an achievement report checked by content, the report download, the overview page.

Final scores of the cast (tests/awards/matrix_awards.rank_members): chair 98.5, vice 80,
member 70.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.models import AwardType, Exclusion, Nomination
from awards.views.nominations import default_nominee_count
from covenants import services as covenants
from tests.awards.matrix_awards import PDF, closed_paper_round, rank_members

pytestmark = pytest.mark.django_db


def _url(world, name: str = "awards_overview") -> str:
    return reverse(name, kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year})


def _award(code: str = "co-thi-dua-bo") -> AwardType:
    return AwardType.objects.get(code=code)


def _regulation(world, **parameters) -> None:
    covenants.bloc_document_publish(
        bloc=world.bloc,
        kind="regulation",
        title="Quy chế hoạt động của Khối A",
        valid_from_year=2019,
        by=world.secretariat,
        parameters=parameters,
    )


def _reasons(world, code: str = "co-thi-dua-bo") -> dict[str, tuple[bool, str]]:
    return {
        e.unit.short_name: (e.eligible, e.reason)
        for e in services.eligibility(bloc_year=world.bloc_year, award_type=_award(code))
    }


# --- eligibility ------------------------------------------------------------------------------


def test_eligibility_is_written_with_the_rank_and_a_decimal_comma(world):
    rank_members(world)
    assert _reasons(world) == {
        "Đắk Lắk": (True, "hạng 1, 98,5 điểm"),
        "Lâm Đồng": (True, "hạng 2, 80 điểm"),
        "Bình Định": (True, "hạng 3, 70 điểm"),
    }


def test_an_exclusion_makes_a_unit_ineligible_with_its_reason(world):
    rank_members(world)
    services.exclusion_add(
        bloc_year=world.bloc_year,
        unit=world.chair,
        by=world.secretariat,
        reason="Có công chức bị kỷ luật khiển trách trong năm",
    )
    services.exclusion_add(
        bloc_year=world.bloc_year,
        unit=world.vice,
        by=world.secretariat,
        award_type=_award("bang-khen-tap-the"),
        reason="Chưa đủ 5 năm liên tục",
    )
    assert _reasons(world)["Đắk Lắk"] == (
        False,
        "không đủ điều kiện: Có công chức bị kỷ luật khiển trách trong năm",
    )
    assert _reasons(world)["Lâm Đồng"] == (
        True,
        "hạng 2, 80 điểm",
    )  # excluded from another award only
    assert _reasons(world, "bang-khen-tap-the")["Lâm Đồng"][0] is False


def test_the_regulations_minimum_score_is_a_hard_condition(world):
    rank_members(world)
    _regulation(world, min_score="75")
    reasons = _reasons(world)
    assert reasons["Bình Định"] == (False, "không đủ điều kiện: dưới 75 điểm")
    assert reasons["Lâm Đồng"] == (True, "hạng 2, 80 điểm")


def test_the_eligibility_page_lists_every_member_with_its_reason(world, login):
    rank_members(world)
    services.exclusion_add(
        bloc_year=world.bloc_year,
        unit=world.member,
        by=world.secretariat,
        reason="Không hoàn thành chỉ tiêu giao ước",
    )
    response = login(world.secretariat).get(
        _url(world, "award_eligibility"), {"loai": "co-thi-dua-bo"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "hạng 1, 98,5 điểm" in page
    assert "hạng 2, 80 điểm" in page
    assert "không đủ điều kiện: Không hoàn thành chỉ tiêu giao ước" in page
    assert "Ghi điều kiện loại trừ" in page  # the secretariat's form
    assert (
        "Ghi điều kiện loại trừ"
        not in login(world.ministry).get(_url(world, "award_eligibility")).content.decode()
    )


def test_members_see_eligibility_only_once_the_scores_are_published(world, login):
    scoring_round = rank_members(world)
    assert login(world.officer).get(_url(world, "award_eligibility")).status_code == 403
    scoring_round.status = "published"
    scoring_round.save()
    assert login(world.officer).get(_url(world, "award_eligibility")).status_code == 200
    assert login(world.outsider).get(_url(world, "award_eligibility")).status_code == 404


def test_an_unknown_award_code_is_a_404(world, login):
    assert (
        login(world.secretariat)
        .get(_url(world, "award_eligibility"), {"loai": "khong-co"})
        .status_code
        == 404
    )


def test_the_secretariat_records_an_exclusion(world, login):
    response = login(world.secretariat).post(
        _url(world, "award_exclusion_add"),
        {"unit": world.vice.pk, "award_type": _award().pk, "reason": "Có cán bộ bị kỷ luật"},
    )
    exclusion = Exclusion.objects.get()
    assert (exclusion.unit, exclusion.award_type, exclusion.created_by) == (
        world.vice,
        _award(),
        world.secretariat,
    )
    assert response["Location"] == _url(world, "award_eligibility") + "?loai=co-thi-dua-bo"


def test_an_exclusion_needs_a_member_unit_and_a_reason(world, login):
    client = login(world.secretariat)
    client.post(
        _url(world, "award_exclusion_add"), {"unit": world.outsider_unit.pk, "reason": "Lý do"}
    )
    client.post(_url(world, "award_exclusion_add"), {"unit": world.member.pk, "reason": "   "})
    assert not Exclusion.objects.exists()
    assert (
        login(world.ministry)
        .post(_url(world, "award_exclusion_add"), {"unit": world.member.pk, "reason": "Lý do"})
        .status_code
        == 403
    )


# --- default nominations ----------------------------------------------------------------------


def test_default_nominations_follow_the_ranking_and_skip_excluded_units(world, login):
    rank_members(world)
    _regulation(world, flag_nominees=2)
    services.exclusion_add(
        bloc_year=world.bloc_year,
        unit=world.chair,
        by=world.secretariat,
        reason="Có công chức bị kỷ luật",
    )
    response = login(world.secretariat).post(
        _url(world, "nominations_default"), {"award_type": "co-thi-dua-bo"}
    )
    assert response.status_code == 302
    nominations = list(Nomination.objects.filter(award_type=_award()).order_by("rank"))
    assert [(n.unit, n.rank, n.score, n.source) for n in nominations] == [
        (world.vice, 2, 80, "secretariat"),
        (world.member, 3, 70, "secretariat"),
    ]
    assert nominations[0].note == "hạng 2, 80 điểm"
    # Asking again adds nothing.
    login(world.secretariat).post(
        _url(world, "nominations_default"), {"award_type": "co-thi-dua-bo"}
    )
    assert Nomination.objects.count() == 2


def test_the_default_count_comes_from_the_regulation(world):
    def count(code: str) -> int | None:
        return default_nominee_count(bloc_year=world.bloc_year, award_type=_award(code))

    assert count("co-thi-dua-bo") == 1
    assert count("bang-khen-tap-the") == 1  # the default share 0.3 of 3 members, rounded up
    _regulation(world, flag_nominees=2, merit_max_share="2/3")
    assert (count("co-thi-dua-bo"), count("bang-khen-tap-the")) == (2, 2)
    assert count("dien-hinh-tap-the") is None
    # The Government flag's 20 % is of the units voted leaders, not of the members: typed.
    assert count("co-thi-dua-chinh-phu") is None
    _regulation(world, merit_max_share="34%")
    assert count("bang-khen-tap-the") == 2
    _regulation(world, merit_max_share="")  # a regulation that leaves it open
    assert count("bang-khen-tap-the") is None


def test_a_typed_count_overrides_the_regulation(world, login):
    rank_members(world)
    login(world.secretariat).post(
        _url(world, "nominations_default"), {"award_type": "bang-khen-tap-the", "count": "3"}
    )
    assert [n.unit for n in Nomination.objects.order_by("rank")] == [
        world.chair,
        world.vice,
        world.member,
    ]


def test_default_nominations_are_for_collective_awards_only(world, login):
    login(world.secretariat).post(
        _url(world, "nominations_default"), {"award_type": "bang-khen-ca-nhan"}
    )
    assert not Nomination.objects.exists()


# --- nominations by the secretariat and by units ----------------------------------------------


def _report(content: bytes = PDF, name: str = "bao-cao-thanh-tich.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


def test_the_secretariat_nominates_any_member_unit(world, login):
    rank_members(world)
    response = login(world.secretariat).post(
        _url(world, "nomination_create"),
        {"award_type": _award().pk, "unit": world.member.pk, "note": "Dẫn đầu thu hút đầu tư"},
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.unit, nomination.source, nomination.rank) == (world.member, "secretariat", 3)


def test_the_secretariat_cannot_nominate_an_excluded_unit(world, login):
    rank_members(world)
    services.exclusion_add(
        bloc_year=world.bloc_year, unit=world.member, by=world.secretariat, reason="Kỷ luật"
    )
    response = login(world.secretariat).post(
        _url(world, "nomination_create"), {"award_type": _award().pk, "unit": world.member.pk}
    )
    assert response.status_code == 200
    assert "không đủ điều kiện: Kỷ luật" in response.content.decode()
    assert not Nomination.objects.exists()


def test_a_unit_nominates_its_own_people_with_a_report(world, login):
    client = login(world.officer)
    page = client.get(_url(world, "nomination_create")).content.decode()
    assert world.member.full_name in page
    assert world.vice.full_name not in page
    response = client.post(
        _url(world, "nomination_create"),
        {
            "award_type": _award("dien-hinh-ca-nhan").pk,
            "unit": world.member.pk,
            "person_name": "Nguyễn Thị Mai",
            "person_title": "Phó Trưởng phòng Đầu tư",
            "report": _report(),
        },
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.unit, nomination.source, nomination.person_name) == (
        world.member,
        "unit",
        "Nguyễn Thị Mai",
    )
    assert nomination.report_name == "bao-cao-thanh-tich.pdf"
    assert len(nomination.report_sha256) == 64
    assert nomination.created_by == world.officer


def test_a_unit_cannot_nominate_another_unit(world, login):
    response = login(world.leader).post(
        _url(world, "nomination_create"),
        {"award_type": _award("dien-hinh-tap-the").pk, "unit": world.vice.pk, "report": _report()},
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Nomination.objects.exists()


def test_a_units_report_is_checked_by_its_content_not_its_name(world, login):
    response = login(world.officer).post(
        _url(world, "nomination_create"),
        {
            "award_type": _award("dien-hinh-tap-the").pk,
            "unit": world.member.pk,
            "report": _report(b"MZ\x90\x00 not a report at all", "bao-cao.pdf"),
        },
    )
    assert response.status_code == 200
    assert "kiểm tra theo nội dung" in response.content.decode()
    assert not Nomination.objects.exists()


def test_a_unit_must_attach_the_report_and_name_the_person(world, login):
    client = login(world.officer)
    client.post(
        _url(world, "nomination_create"),
        {"award_type": _award("dien-hinh-tap-the").pk, "unit": world.member.pk},
    )
    response = client.post(
        _url(world, "nomination_create"),
        {
            "award_type": _award("dien-hinh-ca-nhan").pk,
            "unit": world.member.pk,
            "report": _report(),
        },
    )
    assert "person_name" in response.context["form"].errors
    assert not Nomination.objects.exists()


def test_the_ministry_does_not_nominate(world, login):
    assert login(world.ministry).get(_url(world, "nomination_create")).status_code == 403
    assert login(world.outsider).get(_url(world, "nomination_create")).status_code == 404


# --- the achievement report -------------------------------------------------------------------


def _unit_nomination(world) -> Nomination:
    return services.nomination_create(
        bloc_year=world.bloc_year,
        award_type=_award("dien-hinh-tap-the"),
        unit=world.member,
        by=world.officer,
        source=Nomination.Source.UNIT,
        report=_report(),
    )


@pytest.mark.parametrize("role", ["secretariat", "ministry", "officer", "leader"])
def test_the_report_goes_to_the_secretariat_the_ministry_and_its_unit(world, login, role):
    nomination = _unit_nomination(world)
    response = login(world.user(role)).get(
        reverse("nomination_report", kwargs={"pk": nomination.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


def test_the_report_is_hidden_from_other_units(world, login):
    from tests.factories import UserFactory

    nomination = _unit_nomination(world)
    vice_officer = UserFactory(username="lamdong.canbo", unit=world.vice, unit_role="officer")
    url = reverse("nomination_report", kwargs={"pk": nomination.pk})
    assert login(vice_officer).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    assert login(None).get(url).status_code == 302


def test_a_nomination_without_report_has_no_download(world, login):
    nomination = services.nomination_create(
        bloc_year=world.bloc_year,
        award_type=_award(),
        unit=world.member,
        by=world.secretariat,
        source=Nomination.Source.SECRETARIAT,
    )
    assert (
        login(world.secretariat)
        .get(reverse("nomination_report", kwargs={"pk": nomination.pk}))
        .status_code
        == 404
    )


# --- the overview -----------------------------------------------------------------------------


def test_the_overview_shows_nominations_rounds_and_proposals(world, login):
    ballot_round = closed_paper_round(world)
    page = login(world.secretariat).get(_url(world)).content.decode()
    assert "Cờ thi đua của Bộ" in page
    assert world.vice.full_name in page  # a nomination
    assert ballot_round.title in page
    assert "Đã kết thúc" in page
    assert reverse("ballot_round_results", kwargs={"pk": ballot_round.pk}) in page
    assert "Phát hành tờ trình" in page
    assert "98,50" in page
    member_page = login(world.officer).get(_url(world)).content.decode()
    assert "Phát hành tờ trình" not in member_page
    assert "98,50" not in member_page  # scores follow the summary's publication
    assert world.chair.full_name in member_page  # the proposal


def test_the_overview_is_for_bloc_members_and_the_ministry(world, login):
    assert login(world.ministry).get(_url(world)).status_code == 200
    assert login(world.outsider).get(_url(world)).status_code == 404
