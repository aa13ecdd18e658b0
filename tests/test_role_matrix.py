"""Every URL of the project, every role: the allowed roles get the page, the others are refused.

A new URL without an entry here fails ``test_every_url_is_in_the_matrix``. Each entry names
the roles that may use the URL; every other role must get 403, 404 or (anonymous) the login
redirect.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES, World
from tests.matrix_support import BLOC_A, EVERYONE, MINISTRY, SECRETARIAT, SIGNED_IN, Entry, drain


def _bloc_year(w: World) -> dict:
    return {"pk": w.bloc.pk, "year": w.bloc_year.year}


def _person(w: World) -> dict:
    return {**_bloc_year(w), "user_pk": w.officer.pk}


def _draft(w: World):
    from documents.models import DocumentType
    from documents.services import document_create_draft

    return document_create_draft(
        bloc=w.bloc,
        doc_type=DocumentType.objects.get(code="GM"),
        subject="Họp thường trực",
        place="Đắk Lắk",
        created_by=w.secretariat,
        signer_name="Phạm Văn Tịch",
    )


def _issued(w: World):
    import datetime as dt

    from documents.services import document_freeze_pdf, document_issue

    document = document_issue(
        document=_draft(w), issued_on=dt.date(2022, 3, 2), issued_by=w.secretariat
    )
    return document_freeze_pdf(document_id=document.pk)  # on_commit never fires inside a test


def _delivery(w: World) -> dict:
    from documents.models import Delivery

    delivery = Delivery.objects.create(
        document=_issued(w),
        name="Bình Định",
        email="bd@khoiportal.test",
        status=Delivery.Status.FAILED,
    )
    return {"pk": delivery.pk}


def _batch(w: World) -> dict:
    import datetime as dt

    from documents.services import batch_issue

    batch = batch_issue(
        documents=[_draft(w)], bloc=w.bloc, issued_on=dt.date(2022, 3, 3), by=w.secretariat
    )
    from documents.tasks import run_batch

    run_batch(batch.pk)  # on_commit does not fire inside the test transaction
    return {"uid": batch.uid}


SECRETARIAT_ONLY = {"secretariat"}
MATRIX: dict[str, Entry] = {
    "home": Entry(EVERYONE, ok_statuses={302}),
    "health": Entry(EVERYONE),
    "login": Entry({"anon"}),
    "logout": Entry(SIGNED_IN, method="post", ok_statuses={302}),
    "activate": Entry(EVERYONE, kwargs=lambda w: {"uidb64": "MQ", "token": "sai-ma"}),
    "set_language": Entry(
        EVERYONE, method="post", data=lambda w: {"language": "en", "next": "/"}, ok_statuses={302}
    ),
    "dashboard": Entry(SIGNED_IN),
    "bloc_list": Entry(SIGNED_IN),
    "bloc_detail": Entry(BLOC_A, kwargs=lambda w: {"pk": w.bloc.pk}),
    "unit_detail": Entry(BLOC_A, kwargs=lambda w: {"pk": w.member.pk}),
    "people": Entry(SECRETARIAT, kwargs=_bloc_year),
    "person_invite": Entry(SECRETARIAT, kwargs=_bloc_year),
    "person_edit": Entry(SECRETARIAT, kwargs=_person),
    "person_set_active": Entry(
        SECRETARIAT,
        kwargs=_person,
        method="post",
        data=lambda w: {"active": "1"},
        ok_statuses={302},
    ),
    "person_resend": Entry(SECRETARIAT, kwargs=_person, method="post", ok_statuses={302}),
    "admin:index": Entry(MINISTRY),
    # documents
    "verify_lookup": Entry(EVERYONE),
    "verify": Entry(EVERYONE, kwargs=lambda w: {"code": _issued(w).verification_code}),
    "register": Entry(BLOC_A, kwargs=lambda w: {"bloc_pk": w.bloc.pk}),
    "document_create": Entry(SECRETARIAT_ONLY, kwargs=lambda w: {"bloc_pk": w.bloc.pk}),
    "batch_create": Entry(
        SECRETARIAT_ONLY, kwargs=lambda w: {"bloc_pk": w.bloc.pk}, method="post", ok_statuses={302}
    ),
    "document_detail": Entry(BLOC_A, kwargs=lambda w: {"pk": _issued(w).pk}),
    "document_edit": Entry(SECRETARIAT_ONLY, kwargs=lambda w: {"pk": _draft(w).pk}),
    "document_issue": Entry(
        SECRETARIAT_ONLY,
        kwargs=lambda w: {"pk": _draft(w).pk},
        method="post",
        data=lambda w: {"issued_on": "2022-03-04", "signer_name": "Phạm Văn Tịch"},
        ok_statuses={302},
    ),
    "document_distribute": Entry(
        SECRETARIAT_ONLY, kwargs=lambda w: {"pk": _issued(w).pk}, method="post", ok_statuses={302}
    ),
    "document_supersede": Entry(
        SECRETARIAT_ONLY, kwargs=lambda w: {"pk": _issued(w).pk}, method="post", ok_statuses={302}
    ),
    "document_pdf": Entry(BLOC_A, kwargs=lambda w: {"pk": _issued(w).pk}),
    "document_docx": Entry(BLOC_A, kwargs=lambda w: {"pk": _issued(w).pk}),
    "delivery_retry": Entry(SECRETARIAT_ONLY, kwargs=_delivery, method="post", ok_statuses={302}),
    "batch_detail": Entry(SECRETARIAT_ONLY, kwargs=_batch),
    "batch_progress": Entry(SECRETARIAT_ONLY, kwargs=_batch),
    "batch_zip": Entry(SECRETARIAT_ONLY, kwargs=_batch),
}


def _app_entries() -> dict[str, Entry]:
    """ENTRIES of every tests/<app>/matrix*.py module, so each app keeps its own rows."""
    import tests

    entries: dict[str, Entry] = {}
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        sub = importlib.import_module(f"tests.{package.name}")
        for module in pkgutil.iter_modules(sub.__path__):
            if module.name.startswith("matrix"):
                found = importlib.import_module(f"tests.{package.name}.{module.name}").ENTRIES
                clash = set(found) & set(entries)
                assert not clash, f"URL names in two matrix modules: {clash}"
                entries |= found
    return entries


MATRIX |= _app_entries()
# Everything under the admin is the ministry office's (Django's own staff checks).
ADMIN_PREFIX = "admin:"


def _url_names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    names = _url_names(get_resolver().url_patterns)
    missing = sorted(n for n in names if n not in MATRIX and not n.startswith(ADMIN_PREFIX))
    assert not missing, f"URLs without a role-matrix entry: {missing}"


@pytest.mark.parametrize(
    "name",
    [
        # the admin's own templates use optional variables; ours must not
        pytest.param(n, marks=pytest.mark.ignore_template_errors)
        if n.startswith(ADMIN_PREFIX)
        else n
        for n in sorted(MATRIX)
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(name, role, world, login):
    entry = MATRIX[name]
    client = login(world.user(role))
    url = reverse(name, kwargs=entry.kwargs(world))
    response = getattr(client, entry.method)(url, entry.data(world))
    drain(response)  # a streamed file stays open until read to its end
    if role in entry.allowed:
        assert response.status_code in entry.ok_statuses, (name, role, response.status_code)
    elif role == "anon":
        assert response.status_code == 302, (name, role, response.status_code)
        assert "/dang-nhap/" in response["Location"] or "/login/" in response["Location"]
    else:
        assert response.status_code in {302, 403, 404}, (name, role, response.status_code)
        if response.status_code == 302:  # only the admin and the login page redirect insiders
            assert name.startswith(ADMIN_PREFIX) or name == "login", (name, role)


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label == "blocs"],
    ids=lambda m: m._meta.model_name,
)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.ignore_template_errors
def test_admin_changelists_are_the_ministry_offices(model, role, world, login):
    from django.contrib.auth.models import Permission

    world.ministry.user_permissions.set(Permission.objects.filter(content_type__app_label="blocs"))
    client = login(world.user(role))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    if role == "ministry":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/quan-tri/login/" in response["Location"]
