"""The covenant pages as the secretariat and the members use them: the year's overview,
drafting (from last year's or empty), items linked to the year's scale, consultation and
comments, finalising, amendments, and what each role is offered on the detail page."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from covenants import services
from covenants.models import Covenant, CovenantComment, CovenantItem, Signature
from tests.covenants.conftest import make_covenant
from tests.covenants.matrix_covenants import consulting, draft, paper_signature
from tests.factories import BlocYearFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _overview(world) -> str:
    return reverse(
        "covenant_overview", kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year}
    )


def _detail(covenant) -> str:
    return reverse("covenant_detail", kwargs={"pk": covenant.pk})


# --- the year's overview ----------------------------------------------------------------------


def test_the_secretariat_is_offered_a_draft_when_the_year_has_none(world, login):
    page = _page(login(world.secretariat).get(_overview(world)))
    assert "Chưa có giao ước thi đua năm 2022" in page
    assert "Soạn giao ước" in page


def test_members_are_not_offered_a_draft(world, login):
    page = _page(login(world.officer).get(_overview(world)))
    assert "Chưa có giao ước thi đua năm 2022" in page
    assert "Soạn giao ước" not in page


def test_members_do_not_see_a_draft_in_the_overview(world, login):
    draft(world)
    page = _page(login(world.leader).get(_overview(world)))
    assert "Chưa có giao ước thi đua năm 2022" in page
    assert "Mở giao ước" not in page
    assert "Mở giao ước" in _page(login(world.secretariat).get(_overview(world)))


def test_the_overview_shows_the_current_text_and_the_tally(world, login):
    covenant = make_covenant(world)
    paper_signature(world, covenant)
    page = _page(login(world.leader).get(_overview(world)))
    assert "1/3 đơn vị đã ký" in page
    assert '<progress class="portal-progress" value="1" max="3">' in page
    assert "Bảo vệ tốt môi trường" in page
    assert "(chỉ tiêu: 100%)" in page
    assert "Soạn giao ước" not in page


def test_the_overview_lists_every_version_after_an_amendment(world, login):
    covenant = make_covenant(world)
    services.covenant_amend(covenant=covenant, by=world.secretariat, note="Sửa chỉ tiêu dự án mới.")
    page = _page(login(world.secretariat).get(_overview(world)))
    assert "Phiên bản 1" in page
    assert "Phiên bản 2" in page
    assert "Sửa chỉ tiêu dự án mới." in page


# --- drafting -----------------------------------------------------------------------------------


def test_the_secretariat_drafts_an_empty_covenant(world, login):
    client = login(world.secretariat)
    url = reverse("covenant_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    page = _page(client.get(url))
    assert "Sao chép" not in page  # no covenant last year
    response = client.post(
        url,
        {
            "source": "new",
            "title": "Giao ước thi đua năm 2022",
            "preamble": "Các đơn vi\u0323 cùng ký.",
        },
    )
    covenant = Covenant.objects.get(bloc_year=world.bloc_year)
    assert response.status_code == 302
    assert response["Location"] == _detail(covenant)
    assert covenant.status == Covenant.Status.DRAFT
    assert covenant.created_by == world.secretariat
    assert covenant.preamble == "Các đơn vị cùng ký."  # NFC
    assert not covenant.items.exists()


def test_the_secretariat_drafts_from_last_years_covenant(world, login):
    last_year = BlocYearFactory(bloc=world.bloc, year=2021, chair=world.vice)
    previous = services.covenant_create(
        bloc_year=last_year,
        title="Giao ước thi đua năm 2021",
        by=world.secretariat,
        preamble="Năm 2021.",
        items=[
            {"text": "Hoàn thành kế hoạch năm 2021.", "target": Decimal("100"), "target_unit": "%"},
            {"text": "Không có đơn vị vi phạm kỷ luật."},
        ],
    )
    client = login(world.secretariat)
    url = reverse("covenant_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    page = _page(client.get(url))
    assert "Sao chép các nội dung của giao ước năm 2021" in page
    client.post(
        url, {"source": "copy", "title": "Giao ước thi đua năm 2022", "preamble": "Năm 2022."}
    )
    covenant = Covenant.objects.get(bloc_year=world.bloc_year)
    assert list(covenant.items.values_list("text", "target", "target_unit")) == [
        ("Hoàn thành kế hoạch năm 2021.", Decimal("100.00"), "%"),
        ("Không có đơn vị vi phạm kỷ luật.", None, ""),
    ]
    assert previous.items.count() == 2


def test_a_second_draft_for_the_same_year_is_refused(world, login):
    make_covenant(world)
    url = reverse("covenant_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    response = login(world.secretariat).post(url, {"source": "new", "title": "Giao ước khác"})
    assert response.status_code == 200
    assert "Năm này đã có giao ước" in _page(response)
    assert Covenant.objects.filter(bloc_year=world.bloc_year).count() == 1


def test_the_secretariat_edits_the_draft_and_its_items(world, login):
    from tests.scoring.conftest import build_scale

    _scale, _groups, criteria = build_scale(world)
    covenant = draft(world)
    client = login(world.secretariat)
    client.post(
        reverse("covenant_edit", kwargs={"pk": covenant.pk}),
        {"title": "Giao ước thi đua năm 2022 (dự thảo 2)", "preamble": "Lời mở đầu mới."},
    )
    covenant.refresh_from_db()
    assert covenant.title == "Giao ước thi đua năm 2022 (dự thảo 2)"

    add = reverse("covenant_item_add", kwargs={"pk": covenant.pk})
    form_page = _page(client.get(add))
    assert "1. Tiêu chí 1" in form_page
    assert "Thực hiện nhiệm vụ chính trị" not in form_page
    response = client.post(
        add,
        {
            "text": "Thu hút ít nhất 5 dự án mới.",
            "target": "5",
            "target_unit": "dự án",
            "criterion": criteria["2"].pk,
        },
    )
    item = CovenantItem.objects.get(covenant=covenant, text="Thu hút ít nhất 5 dự án mới.")
    assert response["Location"] == f"{_detail(covenant)}#noi-dung-{item.pk}"
    assert (item.target, item.target_unit, item.criterion) == (Decimal("5"), "dự án", criteria["2"])

    edit = reverse("covenant_item_edit", kwargs={"pk": covenant.pk, "item_pk": item.pk})
    client.post(
        edit, {"text": "Thu hút ít nhất 6 dự án mới.", "target": "6,5", "target_unit": "dự án"}
    )
    item.refresh_from_db()
    assert (item.text, item.target, item.criterion) == (
        "Thu hút ít nhất 6 dự án mới.",
        Decimal("6.5"),
        None,
    )

    page = _page(client.get(_detail(covenant)))
    assert "Thu hút ít nhất 6 dự án mới." in page
    assert "6,5 dự án" in page

    client.post(reverse("covenant_item_delete", kwargs={"pk": covenant.pk, "item_pk": item.pk}))
    assert not CovenantItem.objects.filter(pk=item.pk).exists()


def test_an_item_cannot_link_a_criterion_of_another_year_or_a_group(world, login):
    from tests.scoring.conftest import build_scale

    _scale, groups, _criteria = build_scale(world)
    other_year = BlocYearFactory(bloc=world.bloc, year=2023, chair=world.chair)
    other = services.covenant_create(
        bloc_year=other_year, title="Giao ước năm 2023", by=world.secretariat
    )
    add = reverse("covenant_item_add", kwargs={"pk": other.pk})
    client = login(world.secretariat)
    response = client.post(add, {"text": "Nội dung.", "criterion": _criteria["1"].pk})
    assert response.status_code == 200
    assert "criterion" in response.context["form"].errors
    covenant = draft(world)
    response = client.post(
        reverse("covenant_item_add", kwargs={"pk": covenant.pk}),
        {"text": "Nội dung.", "criterion": groups[0].pk},
    )
    assert "criterion" in response.context["form"].errors
    assert not CovenantItem.objects.filter(text="Nội dung.").exists()


def test_a_target_unit_without_a_target_is_refused(world, login):
    covenant = draft(world)
    response = login(world.secretariat).post(
        reverse("covenant_item_add", kwargs={"pk": covenant.pk}),
        {"text": "Nội dung.", "target_unit": "%"},
    )
    assert "Có đơn vị tính thì hãy nhập chỉ tiêu." in _page(response)


def test_a_frozen_text_cannot_be_edited(world, login):
    covenant = make_covenant(world)
    client = login(world.secretariat)
    response = client.get(reverse("covenant_edit", kwargs={"pk": covenant.pk}), follow=True)
    assert "Nội dung giao ước đã chốt, không sửa được." in _page(response)
    item = covenant.items.first()
    client.post(reverse("covenant_item_delete", kwargs={"pk": covenant.pk, "item_pk": item.pk}))
    assert CovenantItem.objects.filter(pk=item.pk).exists()


# --- consultation -------------------------------------------------------------------------------


def test_sharing_the_draft_emails_the_members(world, login, django_capture_on_commit_callbacks):
    covenant = draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.secretariat).post(
            reverse("covenant_share", kwargs={"pk": covenant.pk})
        )
    covenant.refresh_from_db()
    assert response.status_code == 302
    assert covenant.status == Covenant.Status.CONSULTING
    assert len(mail.outbox) == 1
    assert world.leader.email in mail.outbox[0].to
    assert world.outsider.email not in mail.outbox[0].to
    assert mail.outbox[0].subject.startswith("Lấy ý kiến dự thảo")


def test_members_comment_while_consulting(world, login):
    covenant = consulting(world)
    client = login(world.officer)
    page = _page(client.get(_detail(covenant)))
    assert "Gửi ý kiến" in page
    response = client.post(
        reverse("covenant_comment", kwargs={"pk": covenant.pk}),
        {"text": "Đề nghị thêm chỉ tiêu về môi trường."},
    )
    assert response["Location"] == f"{_detail(covenant)}#y-kien"
    comment = CovenantComment.objects.get(covenant=covenant)
    assert (comment.unit, comment.author) == (world.member, world.officer)
    assert "Đề nghị thêm chỉ tiêu về môi trường." in _page(
        login(world.secretariat).get(_detail(covenant))
    )


def test_an_empty_comment_is_refused(world, login):
    covenant = consulting(world)
    response = login(world.leader).post(
        reverse("covenant_comment", kwargs={"pk": covenant.pk}), {"text": "  "}, follow=True
    )
    assert "Trường này là bắt buộc" in _page(response) or "This field is required" in _page(
        response
    )
    assert not CovenantComment.objects.exists()


def test_comments_are_closed_outside_consultation(world, login):
    covenant = make_covenant(world)
    client = login(world.officer)
    assert "Gửi ý kiến" not in _page(client.get(_detail(covenant)))
    response = client.post(
        reverse("covenant_comment", kwargs={"pk": covenant.pk}), {"text": "Muộn rồi."}
    )
    assert response.status_code == 403
    assert not CovenantComment.objects.exists()


def test_members_cannot_comment_on_a_draft_not_yet_shared(world, login):
    covenant = draft(world)
    response = login(world.officer).post(
        reverse("covenant_comment", kwargs={"pk": covenant.pk}), {"text": "Sớm quá."}
    )
    assert response.status_code == 404  # the draft is not even visible to the members
    assert not CovenantComment.objects.exists()


# --- finalising -------------------------------------------------------------------------------


def test_finalising_freezes_the_text_and_opens_signing(
    world, login, django_capture_on_commit_callbacks
):
    covenant = consulting(world)
    with django_capture_on_commit_callbacks(execute=True):
        login(world.secretariat).post(
            reverse("covenant_finalize", kwargs={"pk": covenant.pk}),
            {"signed_on": "2021-11-10", "place": "Đà Nẵng"},
        )
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.SIGNING
    assert covenant.text_sha256 == services.covenant_hash(covenant)
    assert (str(covenant.signed_on), covenant.place) == ("2021-11-10", "Đà Nẵng")
    assert mail.outbox[-1].subject.startswith("Mời ký")
    page = _page(login(world.leader).get(_detail(covenant)))
    assert covenant.text_sha256 in page
    assert "0/3 đơn vị đã ký" in page


def test_finalising_an_empty_draft_is_refused(world, login):
    covenant = services.covenant_create(
        bloc_year=world.bloc_year, title="Trống", by=world.secretariat
    )
    response = login(world.secretariat).post(
        reverse("covenant_finalize", kwargs={"pk": covenant.pk}), {"place": "Đà Nẵng"}, follow=True
    )
    assert "Giao ước chưa có nội dung nào." in _page(response)
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.DRAFT


# --- amendments -------------------------------------------------------------------------------


def test_an_amendment_starts_a_new_round_of_signatures(
    world, login, django_capture_on_commit_callbacks
):
    covenant = make_covenant(world)
    old = paper_signature(world, covenant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.secretariat).post(
            reverse("covenant_amend", kwargs={"pk": covenant.pk}),
            {"note": "Nâng chỉ tiêu dự án mới lên 110%."},
        )
    new = Covenant.objects.get(amends=covenant)
    assert response["Location"] == _detail(new)
    covenant.refresh_from_db()
    assert covenant.status == Covenant.Status.SUPERSEDED
    assert new.version == 2
    assert not new.signatures.exists()
    assert list(Signature.objects.values_list("covenant_id", flat=True)) == [covenant.pk]
    assert old.text_sha256 == covenant.text_sha256
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Sửa đổi")
    assert world.leader.email in mail.outbox[0].to
    assert "Nâng chỉ tiêu dự án mới lên 110%." in mail.outbox[0].body
    # The old version says so, and cannot be amended twice.
    page = _page(login(world.secretariat).get(_detail(covenant)))
    assert "Phiên bản này đã được sửa đổi" in page
    assert "Lập bản sửa đổi" not in page


def test_an_amendment_needs_a_note(world, login):
    covenant = make_covenant(world)
    response = login(world.secretariat).post(
        reverse("covenant_amend", kwargs={"pk": covenant.pk}), {"note": ""}, follow=True
    )
    assert "Hãy ghi rõ nội dung sửa đổi." in _page(response)
    assert not Covenant.objects.filter(amends=covenant).exists()


# --- what each role is offered ------------------------------------------------------------------


def test_the_leader_of_an_unsigned_member_is_offered_to_sign(world, login):
    covenant = make_covenant(world)
    sign_url = reverse("covenant_sign", kwargs={"pk": covenant.pk})
    assert sign_url in _page(login(world.leader).get(_detail(covenant)))
    assert sign_url not in _page(login(world.officer).get(_detail(covenant)))
    assert sign_url not in _page(login(world.secretariat).get(_detail(covenant)))
    assert sign_url not in _page(login(world.ministry).get(_detail(covenant)))
    paper_signature(world, covenant)
    page = _page(login(world.leader).get(_detail(covenant)))
    assert sign_url not in page
    assert "Đơn vị bạn đã ký" in page


def test_the_secretariat_runs_the_signing(world, login):
    covenant = make_covenant(world)
    page = _page(login(world.secretariat).get(_detail(covenant)))
    for name in ("covenant_ceremony", "covenant_record_paper"):
        assert reverse(name, kwargs={"pk": covenant.pk}) in page
    assert reverse("covenant_close", kwargs={"pk": covenant.pk}) not in page  # nobody signed yet
    assert reverse("covenant_edit", kwargs={"pk": covenant.pk}) not in page  # frozen
    leader_page = _page(login(world.leader).get(_detail(covenant)))
    assert reverse("covenant_ceremony", kwargs={"pk": covenant.pk}) not in leader_page


def test_the_tally_table_shows_who_signed_how_and_when(world, login):
    covenant = make_covenant(world)
    signature = paper_signature(world, covenant)
    page = _page(login(world.ministry).get(_detail(covenant)))
    assert "Phạm Văn Lãnh" in page
    assert "Trưởng ban" in page
    assert "Ký trên giấy" in page
    assert signature.signed_at.astimezone().strftime("%d/%m/%Y") in page
    assert page.count("Chưa ký") == 2
    # The scan is the secretariat's and the signing unit's, not the ministry's.
    scan_url = reverse("covenant_signature_scan", kwargs={"pk": signature.pk})
    assert scan_url not in page
    assert scan_url in _page(login(world.officer).get(_detail(covenant)))


def test_a_sealed_covenant_links_its_document(world, login):
    from documents.models import DocumentType
    from documents.services import document_create_draft

    covenant = make_covenant(world)
    paper_signature(world, covenant)
    document = document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="GM"),
        subject=covenant.title,
        place="Đắk Lắk",
        created_by=world.secretariat,
    )
    Covenant.objects.filter(pk=covenant.pk).update(status=Covenant.Status.CLOSED, document=document)
    page = _page(login(world.leader).get(_detail(covenant)))
    assert reverse("document_detail", kwargs={"pk": document.pk}) in page
    assert reverse("document_pdf", kwargs={"pk": document.pk}) in page


def test_a_closed_covenant_waiting_for_its_seal_says_so(world, login):
    covenant = make_covenant(world)
    paper_signature(world, covenant)
    services.covenant_close(covenant=covenant, by=world.secretariat)
    assert "đang được niêm phong" in _page(login(world.leader).get(_detail(covenant)))


def test_a_new_leader_sees_nothing_of_another_bloc(world, login):
    covenant = make_covenant(world)
    stranger = UserFactory(unit=world.outsider_unit, unit_role="leader")
    assert login(stranger).get(_detail(covenant)).status_code == 404
    assert login(stranger).get(_overview(world)).status_code == 404
