"""The portal's own error pages: Vietnamese, in the portal's layout where a request is known."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_portal_s_404(world, login):
    response = login(world.officer).get("/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page
    assert '<html lang="vi">' in page
    assert "Bảng điều khiển" in page  # the portal's navigation, not a bare error


def test_a_refused_page_gets_the_portal_s_403(world, login):
    response = login(world.officer).get(reverse("audit_log"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_is_explained(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Phiên làm việc đã hết hạn" in page
    assert "Không có dữ liệu nào bị thay đổi" in page


def test_the_500_page_needs_no_context():
    page = render_to_string("500.html")
    assert "Đã xảy ra lỗi hệ thống" in page
    assert '<html lang="vi">' in page
