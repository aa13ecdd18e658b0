"""Model.history builds its manager class once (audit/history_managers.py)."""

from __future__ import annotations

import pytest

from scoring.models import Entry, Sheet

pytestmark = pytest.mark.django_db


def test_the_manager_class_is_built_once_per_model():
    assert type(Entry.history) is type(Entry.history)
    assert type(Sheet.history) is not type(Entry.history)
    assert Entry.history.model is Entry.history.model


def test_a_bound_manager_still_reads_its_own_instance(world):
    from scoring import services

    scale = services.scale_create(
        bloc_year=world.bloc_year, title="Thang điểm", by=world.secretariat
    )
    other = services.scale_create(bloc_year=world.bloc_year, title="Thang 2", by=world.secretariat)
    assert scale.history.count() == 1
    assert other.history.count() == 1
    assert scale.history.first().title == "Thang điểm"
    assert other.history.first().title == "Thang 2"
    assert type(scale).history.filter(id__in=[scale.pk, other.pk]).count() == 2
