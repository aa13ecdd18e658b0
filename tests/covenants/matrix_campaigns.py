"""Role-matrix rows of the campaign and bloc-document pages (covenants/views/campaigns.py).

A bloc A campaign is seen by bloc A's people and the ministry; only the secretariat manages
it (the ministry oversees: 403). Anyone with a unit may launch their unit's own campaign, so
the outsider may open the create page too; the ministry, with neither unit nor bloc, may not.
Bloc documents: read by bloc A and the ministry, published by the secretariat alone.
"""

from __future__ import annotations

import datetime as dt

from tests.matrix_support import BLOC_A, SIGNED_IN, Entry

SECRETARIAT_ONLY = {"secretariat"}
LAUNCHERS = {"secretariat", "officer", "leader", "outsider"}


def make_campaign(w):
    from covenants import services

    return services.campaign_create(
        bloc=w.bloc,
        title="Thi đua hoàn thành xuất sắc nhiệm vụ năm 2022",
        year=2022,
        starts_on=dt.date(2022, 1, 1),
        ends_on=dt.date(2022, 11, 30),
        by=w.secretariat,
        content="Thi đua hoàn thành các chỉ tiêu kế hoạch năm 2022.",
        phases=[
            {
                "name": "Thi đua 6 tháng đầu năm",
                "starts_on": dt.date(2022, 1, 1),
                "ends_on": dt.date(2022, 6, 30),
            }
        ],
    )


def _campaign(w) -> dict:
    return {"pk": make_campaign(w).pk}


def _phase(w) -> dict:
    campaign = make_campaign(w)
    return {"pk": campaign.pk, "phase_pk": campaign.phases.get().pk}


def _bloc_document(w) -> dict:
    from covenants import services

    document = services.bloc_document_publish(
        bloc=w.bloc,
        kind="regulation",
        title="Quy chế hoạt động của Khối thi đua A",
        valid_from_year=2019,
        by=w.secretariat,
        parameters={"quorum": "2/3", "vote_base": "members"},
    )
    return {"pk": document.pk}


ENTRIES: dict[str, Entry] = {
    "campaign_list": Entry(SIGNED_IN),
    "campaign_create": Entry(LAUNCHERS),
    "campaign_detail": Entry(BLOC_A, kwargs=_campaign),
    "phase_add": Entry(SECRETARIAT_ONLY, kwargs=_campaign),
    "phase_edit": Entry(SECRETARIAT_ONLY, kwargs=_phase),
    "phase_review": Entry(SECRETARIAT_ONLY, kwargs=_phase),
    "campaign_launch_document": Entry(
        SECRETARIAT_ONLY,
        kwargs=_campaign,
        method="post",
        data=lambda w: {"kind": "letter"},
        ok_statuses={302},
    ),
    "bloc_documents": Entry(BLOC_A, kwargs=lambda w: {"bloc_pk": w.bloc.pk}),
    "bloc_document_create": Entry(SECRETARIAT_ONLY, kwargs=lambda w: {"bloc_pk": w.bloc.pk}),
    "bloc_document_detail": Entry(BLOC_A, kwargs=_bloc_document),
}
