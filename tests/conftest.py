"""The fixed cast every test uses, one per role (healthchecks-style: alice, bob, charlie…).

Bloc A ("KTĐA") has three members in 2022: the chair unit, the vice unit and a plain member.
Bloc B ("KTĐB") has one member, the outsider's unit. Roles:

- ministry:    the ministry's emulation office (sees every bloc, uses the admin)
- secretariat: an officer of bloc A's chair unit (the secretariat of A in 2022)
- officer:     an officer of a plain member of A
- leader:      the leader of that member of A
- outsider:    an officer of bloc B's only member, who must see nothing internal of A
- anon:        not signed in
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.conf import settings

from blocs.models import Bloc, BlocYear, MemberUnit, User
from tests.factories import (
    BlocFactory,
    BlocYearFactory,
    MembershipFactory,
    MemberUnitFactory,
    UserFactory,
)

ROLES = ("anon", "ministry", "secretariat", "officer", "leader", "outsider")


def services_required() -> bool:
    """In CI a missing PostgreSQL, Redis or Chromium fails the run instead of skipping tests."""
    return bool(os.environ.get("CI") or os.environ.get("KHOI_REQUIRE_SERVICES"))


@dataclass
class World:
    bloc: Bloc
    other_bloc: Bloc
    bloc_year: BlocYear
    other_year: BlocYear
    chair: MemberUnit
    vice: MemberUnit
    member: MemberUnit
    outsider_unit: MemberUnit
    ministry: User
    secretariat: User
    officer: User
    leader: User
    outsider: User
    password: str = settings.DEMO_PASSWORD

    def user(self, role: str) -> User | None:
        return None if role == "anon" else getattr(self, role)


@pytest.fixture
def world(db) -> World:
    bloc = BlocFactory(name="Khối thi đua A", symbol="KTĐA")
    other = BlocFactory(name="Khối thi đua B", symbol="KTĐB")
    chair = MemberUnitFactory(
        full_name="Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk", short_name="Đắk Lắk"
    )
    vice = MemberUnitFactory(
        full_name="Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng", short_name="Lâm Đồng"
    )
    member = MemberUnitFactory(
        full_name="Ban Quản lý Khu kinh tế tỉnh Bình Định", short_name="Bình Định"
    )
    outsider_unit = MemberUnitFactory(
        full_name="Ban Quản lý Khu kinh tế tỉnh Cà Mau", short_name="Cà Mau"
    )
    for unit in (chair, vice, member):
        MembershipFactory(bloc=bloc, unit=unit, from_year=2019)
    MembershipFactory(bloc=other, unit=outsider_unit, from_year=2019)
    bloc_year = BlocYearFactory(bloc=bloc, year=2022, chair=chair, vice=vice)
    other_year = BlocYearFactory(bloc=other, year=2022, chair=outsider_unit)
    return World(
        bloc=bloc,
        other_bloc=other,
        bloc_year=bloc_year,
        other_year=other_year,
        chair=chair,
        vice=vice,
        member=member,
        outsider_unit=outsider_unit,
        ministry=UserFactory(
            username="ministry", full_name="Bùi Thị Bộ", is_ministry_office=True, is_staff=True
        ),
        secretariat=UserFactory(
            username="secretariat", full_name="Đỗ Thanh Thư", unit=chair, unit_role="officer"
        ),
        officer=UserFactory(
            username="officer", full_name="Lê Văn Cán", unit=member, unit_role="officer"
        ),
        leader=UserFactory(
            username="leader", full_name="Phạm Văn Lãnh", unit=member, unit_role="leader"
        ),
        outsider=UserFactory(
            username="outsider", full_name="Trần Ngoại", unit=outsider_unit, unit_role="officer"
        ),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production, not for creating the cast in every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Run Celery tasks in the test process even when CELERY_BROKER_URL points at Redis (CI's
    PostgreSQL pass): the worker round trip has its own test (tests/test_infrastructure.py)."""
    from khoi_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _strict_page_cache(settings):
    """A cached fragment holding a CSRF token or a ballot secret fails the test that renders
    it (production logs it and serves the page uncached)."""
    settings.PAGE_CACHE_STRICT = True


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty page cache: a rolled-back test's fragments (SQLite reuses
    primary keys) must not be served to the next one. The cache itself stays on, so every page
    test goes through khoi_portal.pagecache as production does."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Uploaded and generated files go to a throw-away folder, never the developer's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def _pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def _private_pki(settings, _pki_dir):
    # load_demo makes a development certificate when none is there: in a throw-away folder
    # shared by the run (RSA keys take a moment), never the developer's var/pki.
    settings.PORTAL_PKI_DIR = _pki_dir
    settings.PORTAL_SIGNING_P12 = str(_pki_dir / "portal-signing.p12")
    settings.COVENANT_TRUST_ROOTS = [str(_pki_dir / "dev-ca.pem")]


@pytest.fixture(autouse=True)
def _test_client_sign_in(monkeypatch):
    """A test client signs in as a person who has passed both steps: ``force_login`` and
    ``login`` give a session verified by a confirmed authenticator (created for the user), so
    the two-factor middleware lets it through whatever the user's role. Tests of the second
    step itself start from tests.two_factor_support.mark_unverified. ``Client.login`` passes a
    request to ``authenticate``, as django-axes requires (it counts failures per address)."""
    from django.contrib.auth import authenticate
    from django.http import HttpRequest
    from django.test.client import ClientMixin

    from tests.two_factor_support import mark_verified

    signed_in = ClientMixin._login

    def _login(self, user, backend=None):
        signed_in(self, user, backend)
        mark_verified(self, user)

    def login(self, **credentials):
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        user = authenticate(request, **credentials)
        if user:
            self._login(user)
            return True
        return False

    monkeypatch.setattr(ClientMixin, "_login", _login)
    monkeypatch.setattr(ClientMixin, "login", login)


@pytest.fixture
def login(client):
    """login(user) signs the test client in as *user* (None stays anonymous); returns the client."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` (row locks, concurrent transactions) run in CI's PostgreSQL
    pass; on SQLite they are skipped before any fixture (e.g. a serialized rollback) runs.

    Under pytest-xdist (CI runs ``-n 2 --dist loadgroup``) the tests that start real Celery
    workers share one xdist group, so two workers never compete for the same Redis."""
    from django.db import connection

    for item in items:
        if "redis" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("redis"))
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in CI's PostgreSQL pass")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Rows that data migrations create (document types, award types): a transactional test's
# flush empties every table, so those tests get them back here. (serialized_rollback would
# restore them too, but on PostgreSQL it collides with the content types that flush's
# post_migrate recreates.)
REFERENCE_DATA = [
    ("documents", "0002_default_document_types"),
    ("covenants", "0002_covenant_document_type"),
    ("awards", "0002_default_award_types"),
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for app, migration in REFERENCE_DATA:
        importlib.import_module(f"{app}.migrations.{migration}").forwards(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the run, end any session a browser test's server thread left open, so that the
    PostgreSQL test database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
