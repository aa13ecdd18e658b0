"""The covenants demo (covenants/demo.py): the seeds' covenants, campaigns and bloc documents,
sealed and numbered as the registers would have them; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from blocs import demo as blocs_demo
from blocs.models import User
from covenants import demo
from covenants.models import BlocDocument, Campaign, Covenant, Signature
from covenants.selectors import regulation_for
from documents.models import Document

pytestmark = pytest.mark.django_db
PASSWORD = "khoi-portal-demo-test"


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory):
    """The development certificate load_demo creates before sealing (make_dev_certificate)."""
    directory = tmp_path_factory.mktemp("demo-pki")
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
    settings.PORTAL_PKI_DIR = demo_pki
    settings.PORTAL_SIGNING_P12 = str(demo_pki / "portal-signing.p12")
    settings.PORTAL_SIGNING_P12_PASSWORD = PASSWORD
    settings.COVENANT_TRUST_ROOTS = [str(demo_pki / "dev-ca.pem")]
    blocs_demo.load()
    demo.load()


def _covenant(year: int) -> Covenant:
    return Covenant.objects.select_related("document").get(
        bloc_year__bloc__symbol="KTĐTN", bloc_year__year=year
    )


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_loading_twice_changes_nothing(loaded):
    before = _counts()
    demo.load()
    assert _counts() == before


def test_the_2022_covenant_was_signed_online_by_all_eleven_on_10_11_2021(loaded):
    covenant = _covenant(2022)
    signatures = list(covenant.signatures.select_related("unit", "signer"))
    assert covenant.title == "Giao ước thi đua năm 2022"
    assert covenant.status == Covenant.Status.CLOSED
    assert len(signatures) == 11
    assert {s.method for s in signatures} == {Signature.Method.ONLINE}
    assert {timezone.localtime(s.signed_at).date() for s in signatures} == {dt.date(2021, 11, 10)}
    assert all(
        s.ip_address.startswith("10.0.0.") and s.signer.unit_id == s.unit_id and s.signer.is_leader
        for s in signatures
    )
    assert {s.text_sha256 for s in signatures} == {covenant.text_sha256}


def test_the_2022_covenant_is_sealed_in_the_2021_register(loaded):
    covenant = _covenant(2022)
    document = covenant.document
    assert covenant.signed_on == dt.date(2021, 11, 10)
    assert (document.issued_on, document.number_year, document.bloc.symbol) == (
        dt.date(2021, 11, 10),
        2021,
        "KTĐTN",
    )
    assert document.is_pdf_ready
    # what `export_documents --bloc KTĐTN --year 2021` exports
    assert Document.objects.filter(
        bloc__symbol="KTĐTN", number_year=2021, pk=document.pk, status__in=["issued", "distributed"]
    ).exists()


def test_the_2019_covenant_holds_seed_004s_items_signed_in_the_hall(loaded):
    covenant = _covenant(2019)
    items = list(covenant.items.order_by("position"))
    assert len(items) == 6
    assert (
        items[0].text == "Thực hiện tốt nhiệm vụ chính trị được giao theo quy định của pháp luật."
    )
    assert items[1].text.startswith("Thực hiện chức năng quản lý nhà nước trực tiếp KCN, KKT, KCNC")
    assert "đạt 100% kế hoạch đề ra" in items[2].text
    assert (
        items[2].target,
        items[2].target_unit,
    ) == (Decimal("100.00"), "%")
    assert items[3].text.startswith("Bảo vệ tốt môi trường và an ninh trật tự")
    assert items[4].text.startswith(
        "Tổ chức tốt công tác giám sát, kiểm tra thực hiện giấy chứng nhận đầu tư"
    )
    assert "tinh gọn" in items[5].text
    signatures = list(covenant.signatures.order_by("signed_at"))
    recorder = User.objects.get(username="daklak.canbo")
    assert len(signatures) == 11
    assert {s.method for s in signatures} == {Signature.Method.CEREMONY}
    assert {s.recorded_by_id for s in signatures} == {recorder.pk}
    first = timezone.localtime(signatures[0].signed_at)
    assert (first.date(), first.hour, first.minute) == (dt.date(2019, 5, 4), 9, 30)
    assert signatures[2].signer_name == "Phạm Văn Tịch"  # Đắk Lắk, third in seed 004's list
    assert covenant.status == Covenant.Status.CLOSED
    assert covenant.document.issued_on == dt.date(2019, 5, 4)
    assert covenant.document.is_pdf_ready
    # the supervising ministry of 2019, not today's (NQ 176/2025)
    assert covenant.document.parent_body == "BỘ KẾ HOẠCH VÀ ĐẦU TƯ"


def test_the_2019_regulation_carries_the_rule_parameters(loaded):
    regulation = regulation_for(bloc=_covenant(2019).bloc_year.bloc, year=2021)
    assert regulation.adopted_on == dt.date(2019, 5, 4)
    assert regulation.valid_from_year == 2019
    assert regulation.parameters == {
        "quorum": "2/3",
        "vote_base": "members",
        "pass_share": "1/2",
        "pass_strict": True,
        "flag_nominees": 1,
        "merit_max_share": "3/10",
        "tie_break": "runoff",
        "secret_ballot": True,
        "unconfirmed": ["merit_max_share"],
    }
    kinds = set(BlocDocument.objects.filter(bloc=regulation.bloc).values_list("kind", flat=True))
    assert kinds == {"regulation", "scoring_rules", "fund", "plan"}


def test_seed_001s_campaign_and_its_phase_ii_letter(loaded):
    campaign = Campaign.objects.get(unit__short_name="BQL KKT An Giang")
    assert (campaign.year, campaign.plan_reference) == (
        2023,
        "Kế hoạch số 16/KH-BQL ngày 06/02/2023",
    )
    phases = list(campaign.phases.order_by("number"))
    assert [(p.number, p.starts_on, p.ends_on) for p in phases][1] == (
        2,
        dt.date(2023, 7, 20),
        dt.date(2023, 10, 30),
    )
    assert (
        "Thi đua đẩy mạnh ứng dụng chuyển đổi số trong công tác quản lý nhà nước."
        in campaign.content
    )
    letter = campaign.launch_document
    assert (letter.unit, letter.bloc, letter.doc_type.code) == (campaign.unit, None, "")
    assert (letter.number_text, letter.issued_on, letter.place) == (
        "01/BQL-VP",
        dt.date(2023, 7, 20),
        "Chợ Mới",
    )
    assert letter.subject == "phát động thi đua đợt II"
    assert (letter.signature_heading, letter.signer_title, letter.signer_name) == (
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Hoàng Văn Khởi",
    )
    assert "Từ ngày 20 tháng 7 năm 2023 đến ngày 30 tháng 10 năm 2023." in letter.body
    assert letter.body.endswith("hoàn thành tốt các chỉ tiêu, kế hoạch được giao./.")
    assert letter.is_pdf_ready


def test_the_2021_bloc_campaign_has_two_phases_and_a_review(loaded):
    campaign = Campaign.objects.get(bloc__symbol="KTĐTN", year=2021)
    first, second = campaign.phases.order_by("number")
    assert first.reviewed_on == dt.date(2021, 7, 15)
    assert first.review
    assert not second.review


def test_the_demo_pages_open(loaded, client):
    client.force_login(User.objects.get(username="angiang.canbo"))
    campaign = Campaign.objects.get(unit__short_name="BQL KKT An Giang")
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
    assert (
        client.get(reverse("document_detail", args=[campaign.launch_document_id])).status_code
        == 200
    )
    client.force_login(User.objects.get(username="thuky.ktdtn"))
    page = client.get(reverse("campaign_list")).content.decode()
    assert "Thi đua vượt qua khó khăn do dịch Covid-19" in page
    assert "An Giang" not in page
    regulation = BlocDocument.objects.get(kind="regulation")
    page = client.get(reverse("bloc_document_detail", args=[regulation.pk])).content.decode()
    assert "không quá 30% tổng số thành viên" in page
    assert "chưa được xác nhận" in page
