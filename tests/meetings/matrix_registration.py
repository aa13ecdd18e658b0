"""Role-matrix rows for registration, check-in and the election (meetings/views/registration.py
and election.py), and the builders they use.

A unit's people register their own unit (the secretariat is itself the chair unit's officer);
the delegate pages (substitute, QR code) are the delegate's unit's and the secretariat's; the
delegates list, its exports, reminders, QR mailing, check-in and the election are the
secretariat's. The rotation page is read by the whole bloc and the ministry. The outsider
sees nothing.
"""

from __future__ import annotations

from meetings import services
from meetings.models import Delegate, Meeting
from tests.conftest import World
from tests.matrix_support import BLOC_A, Entry
from tests.meetings.conftest import make_meeting

SECRETARIAT_ONLY = {"secretariat"}
MEMBER_PEOPLE = {"secretariat", "officer", "leader"}
POSTED = {302}


def member_delegate(w: World, meeting: Meeting | None = None) -> Delegate:
    """The plain member's delegate, registered by its officer."""
    registration = services.registration_save(
        meeting=meeting or make_meeting(w),
        unit=w.member,
        by=w.officer,
        delegates=[
            {"full_name": "Phạm Văn Lãnh", "title": "Trưởng ban", "email": "lanh@khoiportal.test"}
        ],
    )
    return registration.delegates.get()


def _meeting(w: World) -> dict:
    return {"pk": make_meeting(w).pk}


ENTRIES: dict[str, Entry] = {
    "meeting_register": Entry(MEMBER_PEOPLE, kwargs=_meeting),
    "meeting_delegates": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "meeting_delegates_xlsx": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "meeting_delegates_pdf": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "delegate_substitute": Entry(
        MEMBER_PEOPLE, kwargs=lambda w: {"delegate_pk": member_delegate(w).pk}
    ),
    "delegate_qr": Entry(MEMBER_PEOPLE, kwargs=lambda w: {"uid": member_delegate(w).uid}),
    "meeting_remind": Entry(SECRETARIAT_ONLY, kwargs=_meeting, method="post", ok_statuses=POSTED),
    "meeting_send_qr": Entry(SECRETARIAT_ONLY, kwargs=_meeting, method="post", ok_statuses=POSTED),
    "meeting_check_in": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "bloc_rotation": Entry(BLOC_A, kwargs=lambda w: {"bloc_pk": w.bloc.pk}),
    "meeting_election": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    # Refused with a message (no rounds yet), but the secretariat's: a redirect back.
    "meeting_election_apply": Entry(
        SECRETARIAT_ONLY,
        kwargs=_meeting,
        method="post",
        data=lambda w: {"handed_on": "2030-01-15"},
        ok_statuses=POSTED,
    ),
}
