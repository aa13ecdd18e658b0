"""Dashboard, bloc page and unit page, as each role sees them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory, MemberUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese(client):
    html = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in html
    assert "Mật khẩu" in html
    assert 'lang="vi"' in html


def test_wrong_password_gets_a_vietnamese_message(client, world):
    response = client.post(reverse("login"), {"username": "officer", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_demo_password_is_refused_when_debug_is_off(client, world, settings):
    settings.DEBUG = False
    response = client.post(reverse("login"), {"username": "officer", "password": world.password})
    assert response.status_code == 200
    assert "Mật khẩu mẫu không được dùng" in response.content.decode()
    settings.DEBUG = True
    response = client.post(reverse("login"), {"username": "officer", "password": world.password})
    assert response.status_code == 302


def test_bloc_page_shows_members_in_vietnamese_order_and_leadership(world, login):
    html = (
        login(world.officer)
        .get(reverse("bloc_detail", kwargs={"pk": world.bloc.pk}))
        .content.decode()
    )
    positions = [
        html.index(name)
        for name in (
            "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk",
            "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng",
            "Ban Quản lý Khu kinh tế tỉnh Bình Định",
        )
    ]
    assert positions == sorted(positions)
    assert "Khối trưởng năm 2022" in html
    assert "Khối phó năm 2022" in html


def test_bloc_page_never_shows_another_blocs_members(world, login):
    html = (
        login(world.outsider)
        .get(reverse("bloc_detail", kwargs={"pk": world.other_bloc.pk}))
        .content.decode()
    )
    assert "Cà Mau" in html
    assert "Bình Định" not in html
    assert "Đắk Lắk" not in html


def test_bloc_list_shows_only_own_blocs(world, login):
    html = login(world.officer).get(reverse("bloc_list")).content.decode()
    assert "Khối thi đua A" in html
    assert "Khối thi đua B" not in html
    html = login(world.ministry).get(reverse("bloc_list")).content.decode()
    assert "Khối thi đua A" in html
    assert "Khối thi đua B" in html


def test_unit_people_visible_only_to_own_unit_and_ministry(world, login):
    url = reverse("unit_detail", kwargs={"pk": world.member.pk})
    assert "Lê Văn Cán" in login(world.leader).get(url).content.decode()
    assert "Lê Văn Cán" not in login(world.secretariat).get(url).content.decode()
    assert login(world.outsider).get(url).status_code == 404


def test_dashboard_tells_the_secretariat_what_is_missing(world, login):
    html = login(world.secretariat).get(reverse("dashboard")).content.decode()
    assert "đơn vị chưa đủ tài khoản" in html
    assert "<progress" in html


def test_dashboard_for_each_role_names_the_role(world, login):
    assert "Văn phòng thi đua" in login(world.ministry).get(reverse("dashboard")).content.decode()
    assert "Lãnh đạo đơn vị" in login(world.leader).get(reverse("dashboard")).content.decode()
    assert (
        "Cán bộ phụ trách thi đua"
        in login(world.officer).get(reverse("dashboard")).content.decode()
    )
    assert "Thường trực khối" in login(world.secretariat).get(reverse("dashboard")).content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["bloc_detail", "people", "dashboard", "bloc_list"])
def test_query_count_does_not_grow_with_the_bloc(world, login, name):
    kwargs = {
        "bloc_detail": {"pk": world.bloc.pk},
        "people": {"pk": world.bloc.pk, "year": 2022},
    }.get(name, {})
    url = reverse(name, kwargs=kwargs)
    client = login(world.secretariat)
    small = _count_queries(client, url)
    for _ in range(25):
        unit = MemberUnitFactory()
        MembershipFactory(bloc=world.bloc, unit=unit, from_year=2020)
        UserFactory(unit=unit, unit_role="officer")
    assert _count_queries(client, url) == small


def test_content_security_policy_header(world, login):
    response = login(world.officer).get(reverse("dashboard"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
    assert "style=" not in response.content.decode()


def test_dashboard_lists_the_years_open_tasks(world, login):
    """The officer's sheet, the leader's covenant and ballot, the secretariat's round."""
    import datetime as dt

    from django.utils import timezone

    from awards.services import round_open
    from covenants import services as covenants
    from scoring import services as scoring
    from tests.awards.conftest import flag_round
    from tests.scoring.conftest import build_scale

    scale, _groups, _items = build_scale(world)
    scoring.round_open(
        bloc_year=world.bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=5),
    )
    covenant = covenants.covenant_create(
        bloc_year=world.bloc_year,
        title="Giao ước thi đua năm 2022",
        by=world.secretariat,
        items=[{"text": "Hoàn thành nhiệm vụ."}],
    )
    covenants.covenant_finalize(covenant=covenant, by=world.secretariat)
    round_open(ballot_round=flag_round(world), by=world.secretariat)
    assert (
        "Phiếu tự chấm điểm năm 2022 chưa gửi"
        in login(world.officer).get(reverse("dashboard")).text
    )
    leader = login(world.leader).get(reverse("dashboard")).text
    assert "Giao ước chờ ký: Giao ước thi đua năm 2022" in leader
    assert "Đang bỏ phiếu:" in leader
    assert "0/3 phiếu đã gửi" in login(world.secretariat).get(reverse("dashboard")).text
    assert "Giao ước chờ ký" not in login(world.outsider).get(reverse("dashboard")).text
