"""The national-scale generator (bench/national.py's data): PostgreSQL only, never over data."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from awards.models import Ballot
from blocs.models import Bloc, BlocYear, MemberUnit, Province
from covenants.models import Signature
from documents.models import Document
from scoring.models import Sheet
from tests.factories import BlocFactory

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_a_small_national_dataset_has_every_part():
    call_command("generate_national", "--years", "2024-2025", "--units", "120", stdout=None)
    assert Province.objects.count() >= 34
    # 120 units fill the first four blocs of the 60 the full run makes (1,500 units).
    assert Bloc.objects.count() == 4
    assert MemberUnit.objects.count() == 120
    assert BlocYear.objects.filter(year__in=[2024, 2025]).count() == 8
    for model in (Sheet, Signature, Ballot, Document):
        assert model.objects.exists(), model.__name__


@pytest.mark.postgres
def test_it_refuses_a_database_that_holds_blocs():
    BlocFactory()
    with pytest.raises(CommandError, match="already holds blocs"):
        call_command("generate_national", "--units", "60")


def test_it_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("generate_national")
