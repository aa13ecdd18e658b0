"""The secretariat's user management: invite, activate, edit roles, lock, resend."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from blocs.models import SecretariatAppointment, User

pytestmark = pytest.mark.django_db


def _people_url(world, name="people", **extra):
    return reverse(name, kwargs={"pk": world.bloc.pk, "year": world.bloc_year.year, **extra})


def test_secretariat_invites_an_officer_who_then_activates(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _people_url(world, "person_invite"),
            {
                "full_name": "Nguyễn Thị Mới",
                "email": "Moi@Example.gov.vn",
                "unit": world.member.pk,
                "role": "officer",
                "job_title": "Chuyên viên",
                "phone": "",
            },
        )
    assert response.status_code == 302
    person = User.objects.get(email="moi@example.gov.vn")
    assert person.unit == world.member
    assert person.unit_role == "officer"
    assert not person.has_usable_password()
    assert person.invitation_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["moi@example.gov.vn"]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else link
    client.logout()
    response = client.get(path, follow=True)  # Django swaps the token for a session marker
    assert "Đặt mật khẩu" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "Mat-khau-moi-2021!",
            "new_password2": "Mat-khau-moi-2021!",
        },
    )
    assert response.status_code == 302
    assert client.login(username=person.username, password="Mat-khau-moi-2021!")


def test_the_invitation_task_sends_once_even_if_run_twice(world):
    from blocs.tasks import send_invitation

    person = User.objects.create(
        username="x",
        email="x@khoiportal.test",
        full_name="X",
        unit=world.member,
        unit_role="officer",
        password="!unusable",
    )
    assert send_invitation(person.pk, world.secretariat.pk) is True
    assert send_invitation(person.pk, world.secretariat.pk) is False
    assert len(mail.outbox) == 1


def test_invite_refuses_a_unit_of_another_bloc(world, login):
    response = login(world.secretariat).post(
        _people_url(world, "person_invite"),
        {
            "full_name": "Người ngoài",
            "email": "ngoai@example.gov.vn",
            "unit": world.outsider_unit.pk,
            "role": "officer",
        },
    )
    assert response.status_code == 200
    assert (
        "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
        or "Select a valid" in response.content.decode()
    )
    assert not User.objects.filter(email="ngoai@example.gov.vn").exists()


def test_invite_refuses_a_known_email_in_vietnamese(world, login):
    response = login(world.secretariat).post(
        _people_url(world, "person_invite"),
        {
            "full_name": "Trùng",
            "email": world.officer.email.upper(),
            "unit": world.member.pk,
            "role": "officer",
        },
    )
    assert "Đã có tài khoản dùng địa chỉ thư điện tử này." in response.content.decode()
    assert User.objects.filter(email__iexact=world.officer.email).count() == 1


def test_edit_changes_role_normalises_text_and_appoints(world, login):
    import unicodedata

    nfd_name = unicodedata.normalize("NFD", "Lê Văn Cán Bộ")
    response = login(world.secretariat).post(
        _people_url(world, "person_edit", user_pk=world.officer.pk),
        {
            "full_name": nfd_name,
            "job_title": "Phó Chánh Văn phòng",
            "phone": "0901 234 567",
            "role": "leader",
            "in_secretariat": "on",
        },
    )
    assert response.status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.full_name == "Lê Văn Cán Bộ"
    assert world.officer.unit_role == "leader"
    assert SecretariatAppointment.objects.filter(
        bloc_year=world.bloc_year, user=world.officer
    ).exists()
    entry = world.officer.history.first()
    assert entry.history_user == world.secretariat


def test_appointed_person_becomes_secretariat(world, login):
    from blocs.services import secretariat_set

    assert login(world.officer).get(_people_url(world)).status_code == 403
    secretariat_set(
        bloc_year=world.bloc_year, person=world.officer, member=True, changed_by=world.secretariat
    )
    assert login(world.officer).get(_people_url(world)).status_code == 200


def test_lock_and_unlock(world, login):
    client = login(world.secretariat)
    client.post(_people_url(world, "person_set_active", user_pk=world.officer.pk), {"active": "0"})
    world.officer.refresh_from_db()
    assert not world.officer.is_active
    assert not client.login(username="officer", password=world.password)
    client = login(world.secretariat)
    client.post(_people_url(world, "person_set_active", user_pk=world.officer.pk), {"active": "1"})
    world.officer.refresh_from_db()
    assert world.officer.is_active


def test_secretariat_cannot_lock_itself(world, login):
    world.secretariat.unit = world.chair
    response = login(world.secretariat).post(
        _people_url(world, "person_set_active", user_pk=world.secretariat.pk),
        {"active": "0"},
        follow=True,
    )
    assert "Bạn không thể tự khóa tài khoản của mình." in response.content.decode()
    world.secretariat.refresh_from_db()
    assert world.secretariat.is_active


def test_people_of_another_bloc_are_not_reachable(world, login):
    url = reverse(
        "person_edit", kwargs={"pk": world.bloc.pk, "year": 2022, "user_pk": world.outsider.pk}
    )
    assert login(world.secretariat).get(url).status_code == 404


def test_people_page_lists_units_missing_accounts(world, login):
    html = login(world.secretariat).get(_people_url(world)).content.decode()
    assert "Lâm Đồng (cán bộ, lãnh đạo)" in html  # the vice unit has nobody yet
    assert "Bình Định" in html
    assert "Lê Văn Cán" in html
