"""Cached fragments of the busiest pages, keyed on the freshness of the data they show.

A view hands over the part of a page that costs (tables, dashboards' task lists) as a template
and a function building its context; :func:`fragment` returns its HTML from the cache when the
data it reads has not changed since it was stored, else renders and stores it. The key holds:

- the fragment's name and the objects it shows (*vary*), the user, the interface language and
  today's date (so a fragment never crosses people, languages or days);
- the freshness token of every app the fragment reads (:mod:`khoi_portal.freshness`): any
  committed write to those apps' tables changes a token, so a changed page is never served;
- a fingerprint of the code and templates, so a deployment never serves a fragment of the old
  code.

What depends on the clock alone (a deadline passing) shows at the latest after
``PAGE_CACHE_SECONDS``. Fragments must not contain per-request secrets: one holding a CSRF token
is never stored; a form inside a fragment writes ``{{ csrf_slot }}``, which the cache keeps as a
marker and each response fills with its own request's token. Without a cache (Redis down)
pages are rendered as if nothing were cached. docs/OPERATIONS.md says what users can be shown.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from khoi_portal.freshness import tracking

logger = logging.getLogger(__name__)

ALL_APPS = tracking.TRACKED_APPS
_SECRET_MARKERS = ("csrfmiddlewaretoken", 'name="secret"')
_CODE: str | None = None
_BROKEN_UNTIL = 0.0  # after a cache error, pages skip the cache for a few seconds


def code_fingerprint() -> str:
    """Sizes and modification times of the project's templates and Python modules."""
    global _CODE
    if _CODE is None:
        root = Path(settings.BASE_DIR)
        digest = hashlib.sha1()
        for top in (
            "templates",
            "blocs",
            "documents",
            "covenants",
            "scoring",
            "awards",
            "meetings",
            "khoi_portal",
            "locale",
        ):
            for dirpath, dirnames, filenames in os.walk(root / top):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                for name in sorted(filenames):
                    if name.endswith((".py", ".html", ".mo")):
                        stat = os.stat(os.path.join(dirpath, name))
                        digest.update(
                            f"{dirpath}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                        )
        _CODE = digest.hexdigest()[:12]
    return _CODE


def _tokens(request) -> dict[str, str] | None:
    """Every app's token (one query for the few rows there are), read once per request unless
    the request itself has written since; None while its own writes are not committed (their
    tokens change only then, so no key would tell the old data from the new)."""
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the proxy
    if tracking.uncommitted_writes(connection):
        return None
    writes = tracking.writes_seen(connection)
    memo = request.__dict__.get("_khoi_fresh_tokens")
    if memo is None or memo[0] != writes:
        memo = request._khoi_fresh_tokens = (writes, tracking.tokens(tracking.ALL_SCOPES))
    return memo[1]


def _key(
    request, kind: str, name: str, vary: Iterable[object], scopes, tokens, *, shared=False
) -> str:
    user = getattr(request, "user", None)
    parts = [
        kind,
        name,
        *(str(v) for v in vary),
        "shared" if shared else f"u{getattr(user, 'pk', None)}",
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        code_fingerprint(),
        *(f"{s}={tokens[s]}" for s in scopes),
    ]
    return f"{kind}:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _through_cache(request, kind, name, *, depends_on, vary, compute, storable=None, shared=False):
    """``compute()``'s value from the cache under the apps' current tokens, else computed and
    stored (unless *storable* refuses it). Without a usable cache: just ``compute()``."""
    global _BROKEN_UNTIL
    if settings.PAGE_CACHE_SECONDS <= 0 or time.monotonic() < _BROKEN_UNTIL:
        return compute()
    scopes = sorted(set(depends_on))
    if set(scopes) - tracking.ALL_SCOPES:
        raise ValueError(f"not tracked: {sorted(set(scopes) - tracking.ALL_SCOPES)}")
    tokens = _tokens(request)
    if tokens is None:
        return compute()
    key = _key(request, kind, name, vary, scopes, tokens, shared=shared)
    cache = caches[settings.PAGE_CACHE_ALIAS]
    try:
        found = cache.get(key)
    except Exception:  # the cache server is down: work without it, and leave it for a while
        logger.warning("page cache unavailable; working without it", exc_info=True)
        _BROKEN_UNTIL = time.monotonic() + 10
        return compute()
    if found is not None:
        return found
    found = compute()
    if storable is None or storable(found):
        try:
            cache.set(key, found, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unavailable; nothing stored", exc_info=True)
            _BROKEN_UNTIL = time.monotonic() + 10
    return found


def lookup(
    request,
    name: str,
    *,
    load: Callable[[], object],
    depends_on: Iterable[str],
    vary: Iterable[object] = (),
):
    """What ``load()`` returns (objects a view loads and the permission checks it makes on
    them, for this user), from the cache while the apps in *depends_on* are unchanged.

    For the checks that come before a cached fragment: whether this user may see this object
    is decided by data in those apps (memberships, roles, the object itself), so the answer
    stands until one of them changes. *depends_on* must include every app the checks read
    (``blocs`` for memberships and roles); an app's settled scope (``"awards.settled"``, see
    ``tracking.BUSY_TABLES``) stands for the app when nothing loaded is in its busy tables.
    An exception from ``load()`` (404, 403) is raised again on every request, never stored."""
    return _through_cache(request, "obj", name, depends_on=depends_on, vary=vary, compute=load)


def shared(
    request,
    name: str,
    *,
    load: Callable[[], object],
    depends_on: Iterable[str],
    vary: Iterable[object] = (),
):
    """What ``load()`` returns, from one cache entry for every user while the apps in
    *depends_on* are unchanged: for objects many users load in turn (a ballot round and its
    candidates, read once per voter). ``load()`` must read nothing of the user and check no
    permission; the caller checks the user's right to what it got on every request (with
    ``lookup`` if the check costs queries). Exceptions (404) are raised again, never stored."""
    return _through_cache(
        request, "obj", name, depends_on=depends_on, vary=vary, compute=load, shared=True
    )


def fragment(
    request,
    name: str,
    *,
    template: str,
    context: Callable[[], dict],
    depends_on: Iterable[str] = ALL_APPS,
    vary: Iterable[object] = (),
) -> SafeString:
    """The HTML of *template* rendered with ``context()``, from the cache when still fresh."""

    def storable(html: str) -> bool:
        if not any(marker in html for marker in _SECRET_MARKERS):
            return True
        if getattr(settings, "PAGE_CACHE_STRICT", False):  # the test suite: a bug to fix
            raise ImproperlyConfigured(f"fragment {name} holds a per-request secret")
        logger.error("fragment %s holds a per-request secret: not cached", name)
        return False

    html = _through_cache(
        request,
        "page",
        name,
        depends_on=depends_on,
        vary=vary,
        compute=lambda: str(_render(request, template, context)),
        storable=storable,
    )
    return _filled(request, html)


# Where a cached fragment's forms take the page's CSRF field: ``{{ csrf_slot }}`` in the
# fragment's template instead of ``{% csrf_token %}``. The cache holds this marker, never a
# token; every response gets the field of its own request in its place.
CSRF_SLOT = mark_safe("<!--khoi:csrf-->")


def _render(request, template: str, context: Callable[[], dict]) -> SafeString:
    return mark_safe(
        render_to_string(template, {**context(), "csrf_slot": CSRF_SLOT}, request=request)
    )


def render(request, template: str, context: dict) -> SafeString:
    """A fragment's template rendered now, never cached (a form sent back with its errors)."""
    return _filled(request, _render(request, template, lambda: context))


def _filled(request, html: str) -> SafeString:
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, str(csrf_input(request)))
    return mark_safe(html)
