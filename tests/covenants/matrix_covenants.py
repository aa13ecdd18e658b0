"""Role-matrix rows for the covenant pages (covenants/views/covenant.py and signing.py), and the
builders they use.

Every object is made through the services on bloc A's 2022 covenant. The secretariat (the
chair unit's officer) drafts, runs the signing and records paper signatures; the plain
member's leader signs; the member's people comment while consulting and may upload a
digitally signed copy. The secretariat is itself an officer of a member unit (the chair), so
wherever the permission is "a person of a member unit" it is allowed too. The ministry only
looks; the outsider sees nothing.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from covenants import services
from covenants.models import Covenant, Signature
from tests.conftest import World
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory
from tests.matrix_support import BLOC_A, Entry

# The smallest file filetype recognises as a PDF.
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SECRETARIAT = {"secretariat"}
MEMBER_PEOPLE = {"secretariat", "officer", "leader"}


def pdf_upload(name: str = "Giao ước đã ký.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def draft(w: World) -> Covenant:
    return make_covenant(w, finalize=False)


def consulting(w: World) -> Covenant:
    return services.covenant_share(covenant=draft(w), by=w.secretariat)


def paper_signature(w: World, covenant: Covenant | None = None, unit=None) -> Signature:
    """The plain member's (or *unit*'s) signature on paper, recorded with a scan."""
    return services.covenant_sign(
        covenant=covenant or make_covenant(w),
        unit=unit or w.member,
        method=Signature.Method.PAPER,
        recorded_by=w.secretariat,
        scan=pdf_upload(),
        signer_name="Phạm Văn Lãnh",
        signer_title="Trưởng ban",
    )


def _pk(build):
    return lambda w: {"pk": build(w).pk}


def _year(w: World) -> dict:
    return {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}


def _item(w: World) -> dict:
    covenant = draft(w)
    return {"pk": covenant.pk, "item_pk": covenant.items.first().pk}


# The demo password is refused at the ceremony outside DEBUG: the leader gets their own.
OWN_PASSWORD = "Le-ky@Hoi-nghi-2022"


def _ceremony(w: World) -> dict:
    # A second leader of the member unit, so the cast's own sessions stay valid.
    UserFactory(
        username="lanhdao.binhdinh", unit=w.member, unit_role="leader", password=OWN_PASSWORD
    )
    return {"pk": make_covenant(w).pk}


def _signed_once(w: World) -> dict:
    return {"pk": paper_signature(w).covenant_id}


ENTRIES: dict[str, Entry] = {
    # drafting and consultation
    "covenant_overview": Entry(BLOC_A, kwargs=_year),
    "covenant_create": Entry(SECRETARIAT, kwargs=_year),
    "covenant_detail": Entry(BLOC_A, kwargs=_pk(make_covenant)),
    "covenant_edit": Entry(SECRETARIAT, kwargs=_pk(draft)),
    "covenant_item_add": Entry(SECRETARIAT, kwargs=_pk(draft)),
    "covenant_item_edit": Entry(SECRETARIAT, kwargs=_item),
    "covenant_item_delete": Entry(SECRETARIAT, kwargs=_item, method="post", ok_statuses={302}),
    "covenant_share": Entry(SECRETARIAT, kwargs=_pk(draft), method="post", ok_statuses={302}),
    # Any person of a member unit comments while consulting (covenants.comment_covenant).
    "covenant_comment": Entry(
        MEMBER_PEOPLE,
        kwargs=_pk(consulting),
        method="post",
        data=lambda w: {"text": "Đề nghị bổ sung chỉ tiêu thu hút đầu tư."},
        ok_statuses={302},
    ),
    "covenant_finalize": Entry(
        SECRETARIAT,
        kwargs=_pk(draft),
        method="post",
        data=lambda w: {"signed_on": "2021-11-10", "place": "Đắk Lắk"},
        ok_statuses={302},
    ),
    "covenant_amend": Entry(
        SECRETARIAT,
        kwargs=_pk(make_covenant),
        method="post",
        data=lambda w: {"note": "Sửa chỉ tiêu thu hút dự án mới."},
        ok_statuses={302},
    ),
    # signing
    "covenant_sign": Entry({"leader"}, kwargs=_pk(make_covenant)),
    "covenant_ceremony": Entry(SECRETARIAT, kwargs=_pk(make_covenant)),
    "covenant_ceremony_tally": Entry(SECRETARIAT, kwargs=_pk(make_covenant)),
    "covenant_ceremony_sign": Entry(
        SECRETARIAT,
        kwargs=_ceremony,
        method="post",
        ok_statuses={302},
        data=lambda w: {
            "unit": w.member.pk,
            "username": "lanhdao.binhdinh",
            "password": OWN_PASSWORD,
        },
    ),
    "covenant_record_paper": Entry(SECRETARIAT, kwargs=_pk(make_covenant)),
    "covenant_upload_digital": Entry(MEMBER_PEOPLE, kwargs=_pk(make_covenant)),
    "covenant_close": Entry(SECRETARIAT, kwargs=_signed_once, method="post", ok_statuses={302}),
    # the secretariat and the signing unit's people (the plain member's officer and leader)
    "covenant_signature_scan": Entry(MEMBER_PEOPLE, kwargs=_pk(paper_signature)),
}

# The unit's copy to sign digitally has its view (signing.signing_copy); its row joins the
# matrix once covenants/urls.py routes it. It renders a PDF, so the PDF stack must be present.
try:
    reverse("covenant_signing_copy", kwargs={"pk": 1})
except NoReverseMatch:
    pass
else:
    ENTRIES["covenant_signing_copy"] = Entry(MEMBER_PEOPLE, kwargs=_pk(make_covenant))
