"""A covenant of bloc A's 2022 year, finalised and open for signing by its three members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from covenants import services
from covenants.models import Covenant


def make_covenant(world, *, finalize: bool = True) -> Covenant:
    covenant = services.covenant_create(
        bloc_year=world.bloc_year,
        title="Giao ước thi đua năm 2022",
        by=world.secretariat,
        preamble="Các đơn vị thành viên Khối thi đua A cùng ký kết giao ước thi đua với các nội dung sau:",
        items=[
            {"text": "Thực hiện tốt nhiệm vụ chính trị được giao theo quy định của pháp luật."},
            {
                "text": "Số dự án mới đầu tư vào KCN, KKT, KCNC đạt kế hoạch đề ra.",
                "target": Decimal("100"),
                "target_unit": "%",
            },
            {"text": "Bảo vệ tốt môi trường và an ninh trật tự trong các khu."},
        ],
    )
    if finalize:
        covenant = services.covenant_finalize(
            covenant=covenant,
            by=world.secretariat,
            signed_on=dt.date(2021, 11, 10),
            place="Đắk Lắk",
        )
    return covenant


@pytest.fixture
def covenant(world) -> Covenant:
    return make_covenant(world)
