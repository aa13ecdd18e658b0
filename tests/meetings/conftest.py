"""A year-end conference of bloc A's 2022 year, hosted by the chair unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting


def make_meeting(world) -> Meeting:
    starts = timezone.make_aware(dt.datetime(2030, 1, 15, 9, 0))
    return services.meeting_create(
        bloc_year=world.bloc_year,
        title="Hội nghị tổng kết công tác thi đua năm 2022",
        starts_at=starts,
        host_unit=world.chair,
        address="Hội trường Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk",
        by=world.secretariat,
        participants="Lãnh đạo Ban và công chức phụ trách công tác thi đua, khen thưởng của các đơn vị",
        registration_deadline=starts - dt.timedelta(days=3),
    )


@pytest.fixture
def meeting(world) -> Meeting:
    return make_meeting(world)
