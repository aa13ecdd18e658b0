"""Role-matrix rows for the conference pages (meetings/views/conference.py).

Every bloc A insider and the ministry see a meeting, its agenda and the hall's board; only the
secretariat (the chair unit's officer) creates and edits meetings and their agenda and makes the
invitation, the minutes and the year's report (the ministry office looks, it does not run a
bloc's conference). The announcements page is public. The outsider sees nothing internal.
"""

from __future__ import annotations

from tests.conftest import World
from tests.matrix_support import BLOC_A, EVERYONE, Entry
from tests.meetings.conftest import make_meeting

SECRETARIAT_ONLY = {"secretariat"}


def _year(w: World) -> dict:
    return {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}


def _meeting(w: World) -> dict:
    return {"pk": make_meeting(w).pk}


def _item(w: World) -> dict:
    meeting = make_meeting(w)
    return {"pk": meeting.pk, "item_pk": meeting.agenda.first().pk}


ENTRIES: dict[str, Entry] = {
    "meeting_list": Entry(BLOC_A, kwargs=_year),
    "meeting_create": Entry(SECRETARIAT_ONLY, kwargs=_year),
    "meeting_detail": Entry(BLOC_A, kwargs=_meeting),
    "meeting_edit": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "agenda_add": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "agenda_edit": Entry(SECRETARIAT_ONLY, kwargs=_item),
    "meeting_invitation": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "meeting_minutes": Entry(SECRETARIAT_ONLY, kwargs=_meeting),
    "meeting_year_report": Entry(
        SECRETARIAT_ONLY, kwargs=_meeting, method="post", ok_statuses={302}
    ),
    "meeting_board": Entry(BLOC_A, kwargs=_meeting),
    "meeting_board_counts": Entry(BLOC_A, kwargs=_meeting),
    "announcements": Entry(EVERYONE, kwargs=lambda w: {"bloc_pk": w.bloc.pk}),
}
