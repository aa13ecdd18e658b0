"""Every page of the portal is accessible, valid HTML and usable on a phone (issue #8).

Every page the role matrix knows (see tests/a11y_support.py for how they are found and
rendered) as an allowed role sees it, a public page also as an anonymous visitor, the
dashboard as every role, and each form that posts to its own page also sent back without its
fields, with its error messages showing (Django's own admin is left out):

- axe-core in Chromium reports no serious or critical violation;
- the Nu HTML Checker (vnu.jar, fed the pages as files: it refuses loopback URLs) reports no
  error;
- at 375 px the page does not scroll sideways (a wide table scrolls inside its own
  ``.table-responsive`` box instead);
- and, on the way, the page's Content-Security-Policy refuses nothing (no inline style or
  script slipped into a template).

The tools come from npm (package.json; ``make setup`` runs ``npm ci``), Chromium and Java from
Debian. Without them the test is skipped, or fails in CI (CI or KHOI_REQUIRE_SERVICES set).
One Chromium, one tab and one vnu.jar run for all pages keep it within CI's time budget.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests import a11y_support as a11y
from tests.conftest import services_required

pytestmark = [pytest.mark.browser]


def _tools_or_skip() -> None:
    missing = [
        what
        for what, there in (
            (f"Chromium ({a11y.CHROMIUM})", os.path.exists(a11y.CHROMIUM)),
            (f"axe-core ({a11y.AXE_JS}; run make setup)", a11y.AXE_JS.exists()),
            (f"vnu-jar ({a11y.VNU_JAR}; run make setup)", a11y.VNU_JAR.exists()),
            ("java", shutil.which(a11y.JAVA) is not None),
        )
        if not there
    ]
    if missing:
        message = "missing: " + ", ".join(missing)
        if services_required():
            pytest.fail(message)
        pytest.skip(message)


def _report(title: str, problems: list[str]) -> str:
    return f"{title}: {len(problems)}\n  " + "\n  ".join(problems) if problems else ""


def test_every_page_is_accessible_valid_and_fits_a_phone(world, login, tmp_path):
    _tools_or_skip()
    from tests.test_role_matrix import MATRIX

    pages, not_html = a11y.render_pages(MATRIX, world, login)
    assert len(pages) > 50, f"too few pages found: {[p.name for p in pages]}"
    vnu, files = a11y.vnu_start(pages, tmp_path)
    try:
        found = a11y.browser_check(pages)
    finally:
        html_errors = a11y.vnu_errors(vnu, files)

    reports = [
        _report("axe-core: serious or critical violations", found.axe),
        _report("Nu HTML Checker: errors", html_errors),
        _report("Wider than a 375 px phone", found.phone),
        _report("Refused by the Content-Security-Policy (inline style or script)", found.csp),
    ]
    assert not any(reports), "\n\n".join(r for r in reports if r)
    print(f"{len(pages)} pages checked; not HTML, so not checked: {', '.join(not_html)}")
