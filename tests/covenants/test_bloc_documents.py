"""The bloc's standing documents: versions by kind, publishing, and the regulation's rule
parameters (DOMAIN §4) stored as data and shown in Vietnamese."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.urls import reverse

from covenants import services
from covenants.campaign_documents import parse_share, regulation_rules, share_text
from covenants.models import BlocDocument

pytestmark = pytest.mark.django_db

REGULATION = {
    "kind": "regulation",
    "title": "Quy chế hoạt động của Khối thi đua A",
    "decision": "Quyết định số 01/QĐ-KTĐA ngày 21/4/2020",
    "adopted_on": "2020-04-21",
    "valid_from_year": "2020",
    "text": "Chương I. Quy định chung",
    "quorum": "2/3",
    "vote_base": "members",
    "pass_share": "50%",
    "pass_strict": "gt",
    "flag_nominees": "1",
    "merit_max_share": "30%",
    "tie_break": "runoff",
    "secret_ballot": "1",
}


def _publish(world, kind="regulation", **extra) -> BlocDocument:
    values = {"title": f"Văn bản {kind}", "valid_from_year": 2020, "parameters": {}} | extra
    return services.bloc_document_publish(
        bloc=world.bloc, kind=kind, by=world.secretariat, **values
    )


def _create(world) -> str:
    return reverse("bloc_document_create", kwargs={"bloc_pk": world.bloc.pk})


def test_the_list_groups_versions_by_kind(world, login):
    _publish(world, title="Quy chế 2019")
    _publish(world, title="Quy chế 2021", valid_from_year=2021)
    _publish(world, "fund", title="Quy chế quản lý và sử dụng quỹ")
    page = (
        login(world.officer)
        .get(reverse("bloc_documents", kwargs={"bloc_pk": world.bloc.pk}))
        .content.decode()
    )
    regulation = page.split('id="loai-regulation"')[1].split('id="loai-scoring_rules"')[0]
    assert regulation.index("Quy chế 2021") < regulation.index("Quy chế 2019")
    assert "Quy chế quản lý và sử dụng quỹ" in page.split('id="loai-fund"')[1]
    assert "Ban hành phiên bản mới" not in page  # a member reads, the secretariat publishes


def test_the_secretariat_publishes_a_regulation_with_its_parameters(world, login):
    response = login(world.secretariat).post(_create(world), REGULATION)
    document = BlocDocument.objects.get()
    assert response["Location"] == reverse("bloc_document_detail", kwargs={"pk": document.pk})
    assert (document.version, document.adopted_on, document.valid_from_year) == (
        1,
        dt.date(2020, 4, 21),
        2020,
    )
    assert document.published_at is not None
    assert document.created_by == world.secretariat
    assert document.parameters == {
        "quorum": "2/3",
        "vote_base": "members",
        "pass_share": "1/2",
        "pass_strict": True,
        "flag_nominees": 1,
        "merit_max_share": "3/10",
        "tie_break": "runoff",
        "secret_ballot": True,
    }


def test_a_regulation_needs_its_parameters(world, login):
    response = login(world.secretariat).post(
        _create(world), REGULATION | {"quorum": "", "tie_break": ""}
    )
    assert response.status_code == 200
    assert not BlocDocument.objects.exists()
    assert response.content.decode().count("Quy chế hoạt động cần tham số này.") == 2


def test_a_share_must_be_a_share(world, login):
    response = login(world.secretariat).post(_create(world), REGULATION | {"quorum": "150%"})
    assert "Hãy nhập một tỷ lệ như 2/3" in response.content.decode()
    assert not BlocDocument.objects.exists()


def test_other_kinds_carry_no_parameters(world, login):
    login(world.secretariat).post(
        _create(world), REGULATION | {"kind": "fund", "title": "Quy chế quỹ"}
    )
    assert BlocDocument.objects.get().parameters == {}


def test_the_bang_khen_share_is_optional(world, login):
    login(world.secretariat).post(_create(world), REGULATION | {"merit_max_share": ""})
    assert "merit_max_share" not in BlocDocument.objects.get().parameters


def test_a_new_version_starts_from_the_latest(world, login):
    _publish(
        world,
        title="Quy chế hoạt động cũ",
        text="Điều 1.",
        parameters={
            "quorum": "3/4",
            "vote_base": "present",
            "pass_share": "1/2",
            "pass_strict": False,
            "flag_nominees": 2,
            "tie_break": "score",
            "secret_ballot": False,
        },
    )
    client = login(world.secretariat)
    page = client.get(_create(world), {"loai": "regulation"}).content.decode()
    assert 'value="Quy chế hoạt động cũ"' in page
    assert 'value="3/4"' in page
    assert '<option value="present" selected>' in page
    assert '<option value="gte" selected>' in page
    client.post(_create(world), REGULATION | {"valid_from_year": "2023"})
    assert list(BlocDocument.objects.values_list("version", flat=True)) == [2, 1]


def test_the_detail_shows_the_rules_in_vietnamese(world, login):
    document = _publish(
        world,
        parameters={
            "quorum": "2/3",
            "vote_base": "members",
            "pass_share": "1/2",
            "pass_strict": True,
            "flag_nominees": 1,
            "merit_max_share": "3/10",
            "tie_break": "runoff",
            "secret_ballot": True,
            "unconfirmed": ["merit_max_share"],
        },
    )
    page = (
        login(world.leader)
        .get(reverse("bloc_document_detail", kwargs={"pk": document.pk}))
        .content.decode()
    )
    for text in (
        "có mặt từ 2/3 tổng số thành viên trở lên",
        "tổng số thành viên của khối",
        "trên 50%",
        "01 tập thể",
        "không quá 30% tổng số thành viên",
        "bỏ phiếu lại giữa các đơn vị bằng phiếu",
        "bỏ phiếu kín",
    ):
        assert text in page, text
    assert page.count("chưa được xác nhận") == 1


def test_outsiders_get_a_404_and_members_a_403_on_publishing(world, login):
    document = _publish(world)
    assert (
        login(world.outsider)
        .get(reverse("bloc_document_detail", kwargs={"pk": document.pk}))
        .status_code
        == 404
    )
    assert (
        login(world.outsider)
        .get(reverse("bloc_documents", kwargs={"bloc_pk": world.bloc.pk}))
        .status_code
        == 404
    )
    assert login(world.officer).post(_create(world), REGULATION).status_code == 403
    assert login(world.ministry).post(_create(world), REGULATION).status_code == 403
    assert BlocDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("2/3", "2/3", "2/3"),
        ("50%", "1/2", "50%"),
        ("0,5", "1/2", "50%"),
        ("30 %", "3/10", "30%"),
        ("66,67%", "6667/10000", "6667/10000"),
        ("1", "1", "100%"),
    ],
)
def test_shares_are_exact(typed, stored, shown):
    assert str(parse_share(typed)) == stored
    assert share_text(stored) == shown


@pytest.mark.parametrize("typed", ["0", "3/2", "abc", "", "-1/2"])
def test_shares_out_of_range_are_refused(typed):
    with pytest.raises((ValueError, ZeroDivisionError)):
        parse_share(typed)


def test_at_least_reads_differently_from_more_than():
    rows = dict(
        (label, value)
        for label, value, _ in regulation_rules({"pass_share": "1/2", "pass_strict": False})
    )
    assert rows == {"Tỷ lệ phiếu để được đề nghị": "từ 50% trở lên"}
    assert Fraction("2/3") > Fraction("6666/10000")  # why shares are fractions, not decimals
