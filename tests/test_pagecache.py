"""The page cache (khoi_portal.pagecache) and the freshness tokens it is keyed on
(khoi_portal.freshness): a cached fragment is never served once the data it shows has changed."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blocs.models import Bloc, User
from khoi_portal import pagecache
from khoi_portal.freshness import tracking
from khoi_portal.freshness.models import DataVersion

pytestmark = pytest.mark.django_db


def token(scope: str) -> str:
    return tracking.tokens([scope])[scope]


@pytest.mark.parametrize(
    ("sql", "scope"),
    [
        ('INSERT INTO "scoring_entry" ("sheet_id") VALUES (%s)', "scoring"),
        ('INSERT OR IGNORE INTO "awards_ballot" ("round_id") VALUES (?)', "awards"),
        ('  UPDATE "blocs_bloc" SET "name" = %s WHERE "blocs_bloc"."id" = %s', "blocs"),
        ('DELETE FROM "meetings_delegate" WHERE "id" IN (%s)', "meetings"),
        ("update scoring_entry as e set score = v.score from (values (1, 2)) v", "scoring"),
        ('INSERT INTO "scoring_historicalentry" ("id") VALUES (%s)', "scoring"),
        ('SELECT * FROM "scoring_entry"', None),
        ('UPDATE "django_session" SET "session_data" = %s', None),
        ('INSERT INTO "axes_accesslog" ("username") VALUES (%s)', None),
        ('UPDATE "otp_totp_totpdevice" SET "last_t" = %s', None),
        ('UPDATE "outbox_outboxmessage" SET "sent_at" = %s', None),
        ('UPDATE "blocs_user" SET "last_login" = %s WHERE "blocs_user"."id" = %s', None),
        ('UPDATE "blocs_user" SET "last_login" = %s, "unit_id" = %s WHERE "id" = %s', "blocs"),
    ],
)
def test_which_app_a_statement_writes_to(sql, scope):
    assert tracking.written_scope(sql) == scope


@pytest.mark.parametrize(
    ("sql", "scopes"),
    [
        ('UPDATE "awards_votertoken" SET "used" = %s', {"awards"}),
        ('INSERT INTO "awards_ballot" ("id") VALUES (%s)', {"awards"}),
        ('UPDATE "awards_ballotround" SET "status" = %s', {"awards", "awards.settled"}),
        ('UPDATE "meetings_delegate" SET "checked_in_at" = %s', {"meetings"}),
        ('INSERT INTO "meetings_historicaldelegate" ("id") VALUES (%s)', {"meetings"}),
        ('UPDATE "meetings_meeting" SET "status" = %s', {"meetings", "meetings.settled"}),
        ('UPDATE "scoring_sheet" SET "version" = %s', {"scoring"}),
        # a data-modifying WITH: every table it writes
        (
            'WITH v AS (SELECT 1) , u AS (UPDATE "scoring_entry" SET "x" = 1 RETURNING *) '
            'INSERT INTO "scoring_historicalentry" ("id") SELECT "id" FROM u',
            {"scoring"},
        ),
        (
            'WITH u AS (UPDATE "meetings_delegate" SET "x" = 1 RETURNING *) '
            'INSERT INTO "awards_ballotround" ("id") SELECT "id" FROM u',
            {"meetings", "awards", "awards.settled"},
        ),
        ('WITH v AS (SELECT 1) SELECT * FROM "meetings_meeting"', set()),
    ],
)
def test_busy_tables_leave_the_settled_scope_alone(sql, scopes):
    assert tracking.written_scopes(sql) == scopes


def test_a_cast_ballot_leaves_the_settled_scope_alone(world):
    from awards.models import BallotRound

    before = tracking.tokens(tracking.ALL_SCOPES)
    BallotRound.objects.filter(pk=-1).update(title="x")  # no row: no write
    assert tracking.tokens(tracking.ALL_SCOPES) == before
    tracking.note_write(connection, tracking.written_scopes('UPDATE "awards_ballot" SET x = 1'))
    after = tracking.tokens(tracking.ALL_SCOPES)
    assert after["awards"] != before["awards"]
    assert after["awards.settled"] == before["awards.settled"]


def test_a_write_changes_its_apps_token_and_no_other(world):
    before = tracking.tokens(tracking.TRACKED_APPS)
    Bloc.objects.filter(pk=world.bloc.pk).update(name="Khối thi đua A mới")
    after = tracking.tokens(tracking.TRACKED_APPS)
    assert after["blocs"] != before["blocs"]
    assert {s: t for s, t in after.items() if s != "blocs"} == {
        s: t for s, t in before.items() if s != "blocs"
    }


def test_a_new_row_changes_its_apps_token(world):
    """An ORM create is an INSERT … RETURNING on both databases; SQLite counts its rows only
    once they are fetched, and such a write once went unseen there (pages stayed stale)."""
    from tests.factories import MemberUnitFactory

    before = tracking.tokens(tracking.ALL_SCOPES)
    MemberUnitFactory(full_name="Ban Quản lý Khu kinh tế mới", short_name="Mới")
    after = tracking.tokens(tracking.ALL_SCOPES)
    assert {scope for scope in before if before[scope] != after[scope]} == {"blocs"}


def test_bookkeeping_writes_change_nothing(world):
    before = tracking.tokens(tracking.TRACKED_APPS)
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now()
    )  # other apps' tables
    User.objects.filter(pk=world.officer.pk).update(last_login=timezone.now())
    Bloc.objects.filter(pk=-1).update(name="không có")  # no row written
    assert tracking.tokens(tracking.TRACKED_APPS) == before


def test_signing_in_stamps_the_last_login_and_changes_no_token(world, client):
    """A sign-in (the real one, password and all) writes last_login alone: no history row of
    the user, so the blocs app's token, and every cached page that depends on it, stay."""
    history = world.officer.history.count()
    before = tracking.tokens(tracking.ALL_SCOPES)
    assert client.login(username=world.officer.username, password=world.password)
    world.officer.refresh_from_db()
    assert world.officer.last_login is not None
    assert timezone.now() - world.officer.last_login < dt.timedelta(minutes=1)
    assert world.officer.history.count() == history
    assert tracking.tokens(tracking.ALL_SCOPES) == before


def test_the_second_sign_in_step_changes_no_token_either(world, client):
    """Passing the second step notes it on the sign-in's access-log entry (audit.SecondStep):
    tables no page's freshness depends on."""
    from audit.models import SecondStep
    from tests.two_factor_support import confirmed_device, totp_code

    leader = world.leader
    leader.set_password("Mat-khau-rieng-2022!")
    leader.save()
    device = confirmed_device(leader)
    before = tracking.tokens(tracking.ALL_SCOPES)
    client.post(reverse("login"), {"username": "leader", "password": "Mat-khau-rieng-2022!"})
    response = client.post(reverse("two_factor_verify"), {"otp_token": totp_code(device)})
    assert response["Location"] == reverse("dashboard")
    assert SecondStep.objects.filter(log__username="leader").count() == 1
    assert tracking.tokens(tracking.ALL_SCOPES) == before


@pytest.mark.django_db(transaction=True)
def test_the_token_changes_when_the_write_commits_and_not_on_rollback(world):
    first = token("blocs")
    with transaction.atomic():
        Bloc.objects.filter(pk=world.bloc.pk).update(name="Trong giao dịch")
        # Not yet committed: a page read now (another connection) must keep the old key.
        assert DataVersion.objects.filter(scope="blocs", token=first).exists() or first == "0"
        assert token("blocs") == first
    second = token("blocs")
    assert second != first

    def write_then_fail():
        with transaction.atomic():
            Bloc.objects.filter(pk=world.bloc.pk).update(name="Bỏ")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert token("blocs") == second

    Bloc.objects.filter(pk=world.bloc.pk).update(name="Tự động xác nhận")  # autocommit
    assert token("blocs") != second


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_outer_write(world):
    first = token("blocs")
    with transaction.atomic():
        Bloc.objects.filter(pk=world.bloc.pk).update(name="Ngoài")
        try:
            with transaction.atomic():
                Bloc.objects.filter(pk=world.bloc.pk).update(name="Trong")
                raise ValueError
        except ValueError:
            pass
    assert token("blocs") != first
    first = token("blocs")
    with transaction.atomic():
        try:
            with transaction.atomic():
                Bloc.objects.filter(pk=world.bloc.pk).update(name="Trong")
                raise ValueError
        except ValueError:
            pass
        Bloc.objects.filter(pk=world.bloc.pk).update(name="Sau")
    assert token("blocs") != first


def test_migrate_changes_every_token(world):
    before = tracking.tokens(tracking.TRACKED_APPS)
    from django.apps import apps

    tracking._resume(apps.get_app_config("freshness"), using="default")
    after = tracking.tokens(tracking.TRACKED_APPS)
    assert all(after[s] != before[s] for s in tracking.TRACKED_APPS)


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_second_view_of_a_page_comes_from_the_cache_and_a_change_shows_at_once(world, login):
    client = login(world.officer)
    url = reverse("bloc_detail", kwargs={"pk": world.bloc.pk})
    first, html = _queries(client, url)
    second, again = _queries(client, url)
    assert second < first
    masked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert masked.sub("", again) == masked.sub("", html)  # the page's own CSRF token is fresh

    Bloc.objects.filter(pk=world.bloc.pk).update(description="Mô tả mới của khối")
    third, html = _queries(client, url)
    assert "Mô tả mới của khối" in html
    assert third == first


def test_dashboard_fragments_never_cross_people_or_languages(world, login):
    officer = login(world.officer).get(reverse("dashboard")).content.decode()
    assert "Cán bộ phụ trách thi đua" in officer
    other = login(world.secretariat).get(reverse("dashboard")).content.decode()
    assert "Thường trực khối" in other
    assert "Cán bộ phụ trách thi đua" not in other

    client = login(world.officer)
    client.cookies["django_language"] = "en"
    english = client.get(reverse("dashboard")).content.decode()
    assert "Việc cần xử lý" not in english


def test_a_dashboard_shows_a_new_task_at_once(world, login):
    client = login(world.officer)
    assert "chưa gắn với đơn vị" not in client.get(reverse("dashboard")).content.decode()
    User.objects.filter(pk=world.officer.pk).update(unit=None, unit_role="")
    assert "chưa gắn với đơn vị" in client.get(reverse("dashboard")).content.decode()


def test_pages_work_with_the_cache_server_down(world, login, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # (Django's test signals rebuild the cache handler when CACHES changes.)
    pagecache._BROKEN_UNTIL = 0.0
    try:
        with caplog.at_level(logging.WARNING, logger="khoi_portal.pagecache"):
            response = login(world.officer).get(
                reverse("bloc_detail", kwargs={"pk": world.bloc.pk})
            )
        assert response.status_code == 200
        assert "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk" in response.content.decode()
        assert "page cache unavailable" in caplog.text
        assert pagecache._BROKEN_UNTIL > 0  # the next requests skip the cache for a while
        response = login(world.officer).get(reverse("dashboard"))
        assert response.status_code == 200
    finally:
        pagecache._BROKEN_UNTIL = 0.0


def test_a_fragment_holding_a_csrf_token_is_never_stored(rf, world, caplog, settings, tmp_path):
    settings.PAGE_CACHE_STRICT = False  # production: logged, served uncached
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "_fragment_with_token.html").write_text(
        "<form method=post>{% csrf_token %}</form>"
    )
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    request = rf.get("/")
    request.user = world.officer
    html = pagecache.fragment(
        request,
        "test",
        template="tests/_fragment_with_token.html",
        context=lambda: {},
        depends_on={"blocs"},
    )
    assert "csrfmiddlewaretoken" in html
    assert "holds a per-request secret" in caplog.text
    calls = []
    pagecache.fragment(
        request,
        "test",
        template="tests/_fragment_with_token.html",
        context=lambda: calls.append(1) or {},
        depends_on={"blocs"},
    )
    assert calls == [1]  # rendered again: nothing was stored


def test_no_cached_page_holds_a_secret(world, login, caplog):
    """Every page built from cached fragments, as each role sees it: none logs a fragment with
    a CSRF token or ballot secret (those would be served to someone else)."""
    year = world.bloc_year.year
    urls = [
        reverse("dashboard"),
        reverse("bloc_detail", kwargs={"pk": world.bloc.pk}),
        reverse("round_overview", kwargs={"bloc_pk": world.bloc.pk, "year": year}),
    ]
    with caplog.at_level(logging.ERROR, logger="khoi_portal.pagecache"):
        for user in (world.officer, world.secretariat, world.leader, world.ministry):
            client = login(user)
            for url in urls:
                client.get(url)
    assert "per-request secret" not in caplog.text


def test_the_page_cache_can_be_turned_off(world, login, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = login(world.officer)
    url = reverse("bloc_detail", kwargs={"pk": world.bloc.pk})
    first, _html = _queries(client, url)
    second, _html = _queries(client, url)
    assert second == first
    assert not caches["default"]._cache  # LocMemCache's store


def _counting_fragment(request, calls):
    return pagecache.fragment(
        request,
        "bloc_detail",
        template="blocs/_dashboard_body.html",
        context=lambda: calls.append(1) or {"items": [], "blocs": [], "secretariat_years": []},
        depends_on={"blocs"},
    )


def test_a_request_that_writes_never_reads_a_fragment_keyed_before_its_write(rf, world):
    request = rf.get("/")
    request.user = world.officer
    calls = []
    _counting_fragment(request, calls)
    _counting_fragment(request, calls)
    assert calls == [1]
    Bloc.objects.filter(pk=world.bloc.pk).update(name="Đổi tên")
    _counting_fragment(request, calls)
    assert calls == [1, 1]


def test_a_shared_entry_is_one_for_every_user_and_a_lookup_one_per_user(rf, world):
    from django.http import Http404

    loads = []

    def read(user, how):
        request = rf.get("/")
        request.user = user
        return how(
            request,
            "probe",
            load=lambda: loads.append(user) or len(loads),
            depends_on={"blocs"},
            vary=(7,),
        )

    assert read(world.officer, pagecache.shared) == read(world.leader, pagecache.shared) == 1
    assert read(world.officer, pagecache.lookup) == 2
    assert read(world.leader, pagecache.lookup) == 3  # a lookup is per user
    assert read(world.leader, pagecache.lookup) == 3
    Bloc.objects.filter(pk=world.bloc.pk).update(name="Đổi tên")
    assert read(world.leader, pagecache.shared) == 4  # a write to blocs: both are read again

    def missing():
        loads.append(None)
        raise Http404

    request = rf.get("/")
    request.user = world.officer
    for _ in range(2):  # an exception is raised again on every request, never stored
        with pytest.raises(Http404):
            pagecache.shared(request, "gone", load=missing, depends_on={"blocs"})
    assert loads.count(None) == 2


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_with_writes_fragments_are_rendered_not_cached(rf, world):
    request = rf.get("/")
    request.user = world.officer
    calls = []
    with transaction.atomic():
        Bloc.objects.filter(pk=world.bloc.pk).update(name="Chưa xác nhận")
        _counting_fragment(request, calls)
        _counting_fragment(request, calls)
        assert calls == [1, 1]
    _counting_fragment(request, calls)
    _counting_fragment(request, calls)
    assert calls == [1, 1, 1]


def test_forms_in_a_fragment_get_each_requests_own_token(rf, world, settings, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "_form.html").write_text("<form method=post>{{ csrf_slot }}</form>")
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    from django.middleware.csrf import get_token

    pages, calls = [], []
    for _ in range(2):
        request = rf.get("/")
        request.user = world.officer
        secret_token = get_token(request)
        html = pagecache.fragment(
            request,
            "form",
            template="t/_form.html",
            context=lambda: calls.append(1) or {},
            depends_on={"blocs"},
        )
        assert "khoi:csrf" not in html
        value = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        from django.middleware.csrf import _unmask_cipher_token

        assert _unmask_cipher_token(value) == _unmask_cipher_token(secret_token)
        pages.append(value)
    assert calls == [1]  # the second came from the cache, with its own token
    stored = [v for v in caches["default"]._cache.values()]  # LocMemCache's store
    assert stored
    assert all(b"csrfmiddlewaretoken" not in v for v in stored)


def test_the_test_suite_fails_on_a_fragment_holding_a_secret(rf, world, settings, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "_bad.html").write_text("<form method=post>{% csrf_token %}</form>")
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    request = rf.get("/")
    request.user = world.officer
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        pagecache.fragment(
            request, "bad", template="t/_bad.html", context=dict, depends_on={"blocs"}
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_a_commit_the_token_is_written_without_waiting_for_the_disk():
    """On PostgreSQL the token's upsert is its own transaction with an asynchronous commit,
    its values quoted by the driver; inside a transaction it stays a plain statement."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        text = tracking._asynchronously(
            cursor, "INSERT INTO t (a, b) VALUES (%s, %s)", ["it's", timezone.now()]
        )
    finally:
        cursor.close()
    assert text.startswith("BEGIN; SET LOCAL synchronous_commit TO OFF; INSERT INTO t (a, b)")
    assert "'it''s'" in text
    assert text.endswith("; COMMIT")
    before = tracking.tokens({"blocs"})["blocs"]
    with transaction.atomic():
        Bloc.objects.create(name="Khối thử", symbol="KT")
    after = tracking.tokens({"blocs"})["blocs"]
    assert after != before
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # SET LOCAL: this session's setting is unchanged
