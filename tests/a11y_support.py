"""The pieces of tests/test_accessibility.py: which pages there are, rendering them, and the
checks (axe-core in Chromium, the Nu HTML Checker, the phone width, the CSP).

Every page comes from the URL resolver through the role matrix (tests/test_role_matrix.py and
the tests/<app>/matrix*.py ENTRIES): a URL the allowed role reads with GET and gets 200 for.
Each page is rendered with the Django test client inside its own savepoint, on top of the
``world`` cast plus whatever its matrix entry builds (a covenant, a ballot round, a meeting),
and rolled back afterwards, so the pages do not trip over each other's objects and no live
server or transactional flush is needed. Chromium then loads those exact bytes, headers
included (the Content-Security-Policy too), from a throw-away HTTP server on the loopback
interface that also serves the static files (cacheable: each is parsed once, not per page).
"""

from __future__ import annotations

import json
import mimetypes
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.urls import reverse

from tests.conftest import World
from tests.matrix_support import Entry, drain

ROOT = Path(settings.BASE_DIR)
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = "java"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# axe is fetched from the page's own origin (a <script src>), which the portal's CSP
# (script-src 'self') allows: the pages are checked with their real policy, not bypassed.
AXE_URL = "/__a11y__/axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SERIOUS = ("serious", "critical")  # axe's two highest impacts fail the test

# The role each page is looked at as: the first allowed one, the one with the most controls
# on the page first (the secretariat runs the bloc's year). A public page is looked at by an
# anonymous visitor too (no menu, the public's view), and the pages that differ most between
# roles by each of them.
ROLE_PREFERENCE = ("secretariat", "leader", "officer", "ministry", "outsider", "anon")
EVERY_ROLE = {"dashboard"}

# URL names left out, with the reason.
NOT_CHECKED = {
    # Django's own admin: its templates and CSS are Django's, not the portal's.
    "admin:",
}


@dataclass
class Page:
    name: str
    role: str
    path: str
    html: bytes
    headers: dict[str, str]
    fragment: bool  # an HTMX fragment, wrapped into a document for the checks
    state: str = ""  # "form errors": the page's own form sent back without its fields

    @property
    def label(self) -> str:
        state = f", {self.state}" if self.state else ""
        return f"{self.name} ({self.role}{state}) {self.path}"

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9_-]+", "-", f"{self.name}-{self.role}-{self.state}".lower())

    @property
    def url(self) -> str:
        # The same path may be served to several roles: the query tells the server which.
        return f"{self.path}?a11y={self.slug}"


def roles_for(name: str, entry: Entry) -> list[str]:
    allowed = [role for role in ROLE_PREFERENCE if role in entry.allowed]
    if name in EVERY_ROLE:
        return allowed
    return [allowed[0], "anon"] if "anon" in allowed[1:] else allowed[:1]


def candidates(matrix: dict[str, Entry]) -> list[tuple[str, Entry, str]]:
    """The matrix rows that are pages (GET, answered with 200 to the allowed roles), each with
    the roles to look at it as."""
    return [
        (name, entry, role)
        for name, entry in sorted(matrix.items())
        if entry.method == "get"
        and 200 in entry.ok_statuses
        and not any(name.startswith(prefix) for prefix in NOT_CHECKED)
        for role in roles_for(name, entry)
    ]


def _refresh(world: World) -> None:
    # A builder may have changed the cast's objects in memory before its savepoint was rolled
    # back: the next page starts from the database's state again.
    for value in vars(world).values():
        if hasattr(value, "refresh_from_db"):
            value.refresh_from_db()


FRAGMENT_DOCUMENT = (
    '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{title}</title>\n"
    '<link rel="stylesheet" href="{static}vendor/bootstrap/bootstrap.min.css">\n'
    '<link rel="stylesheet" href="{static}css/portal.css">\n'
    '</head>\n<body>\n<main class="container-lg">\n<h1>{title}</h1>\n'
)


def _wrap(name: str, fragment: bytes) -> bytes:
    """An HTMX fragment (a live count, a progress bar) inside a minimal page of the portal's
    own, so that it is checked the way it appears: inside the page that polls it."""
    head = FRAGMENT_DOCUMENT.format(title=name, static=settings.STATIC_URL)
    return head.encode() + fragment + b"\n</main>\n</body>\n</html>\n"


# A form that posts back to its own page: sent without its fields, it comes back with its errors,
# the state where labels, descriptions and alerts matter most.
SELF_POSTING_FORM = re.compile(
    rb"<form\b(?![^>]*\baction=)[^>]*\bmethod=\"post\"[^>]*>", re.IGNORECASE
)


def render_pages(matrix: dict[str, Entry], world: World, login) -> tuple[list[Page], list[str]]:
    """Every page of *matrix* as its allowed roles get it, and its form sent back without its
    fields when it has one that posts to itself; plus the rows that are not HTML pages (a PDF, a
    spreadsheet, a ZIP), with their content type, for the report."""
    pages: list[Page] = []
    skipped: list[str] = []
    for name, entry, role in candidates(matrix):
        with transaction.atomic():
            path = reverse(name, kwargs=entry.kwargs(world))
            client = login(world.user(role))
            response = client.get(path, entry.data(world))
            body = drain(response)
            assert response.status_code in entry.ok_statuses, (name, role, response.status_code)
            responses = [("", response, body)]
            if response.get("Content-Type", "").startswith("text/html") and (
                SELF_POSTING_FORM.search(body)
            ):
                # One unknown field: `Form(request.POST or None)` treats a truly empty POST
                # as no submission at all.
                sent = client.post(path, {"a11y": "1"})
                responses.append(("form errors", sent, drain(sent)))
            transaction.set_rollback(True)
        _refresh(world)
        for state, answer, content in responses:
            content_type = answer.get("Content-Type", "")
            if answer.status_code != 200:  # a redirect: the form was accepted, for one
                continue
            if not content_type.startswith("text/html"):
                skipped.append(f"{name} ({role}): {content_type.split(';')[0]}")
                continue
            fragment = not content.lstrip()[:15].lower().startswith(b"<!doctype html")
            pages.append(
                Page(
                    name=name,
                    role=role,
                    path=path,
                    html=_wrap(name, content) if fragment else content,
                    headers={k: v for k, v in answer.items() if k.lower() != "content-length"},
                    fragment=fragment,
                    state=state,
                )
            )
    return pages, skipped


# --- Nu HTML Checker ---------------------------------------------------------------------------


def vnu_start(pages: list[Page], folder: Path) -> tuple[subprocess.Popen, dict[str, Page]]:
    """Write every page to *folder* and start one vnu.jar over all of them (one JVM start); it
    runs while the browser checks the same pages."""
    by_file: dict[str, Page] = {}
    for page in pages:
        file = folder / f"{page.slug}.html"
        file.write_bytes(page.html)
        by_file[file.resolve().as_uri()] = page
    command = [JAVA, "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    process = subprocess.Popen(
        [*command, *sorted(str(folder / f"{p.slug}.html") for p in pages)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return process, by_file


# HTMX's hx-* attributes are the portal's chosen interactivity (docs/DEPENDENCIES.md,
# django-htmx); the checker accepts only data-* as custom attributes. Only that message is
# left out: everything else about those elements is still checked.
VNU_IGNORED = re.compile(
    r"^Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9]+” at this point\.$"
)


def vnu_errors(process: subprocess.Popen, by_file: dict[str, Page]) -> list[str]:
    stdout, stderr = process.communicate(timeout=300)
    try:
        messages = json.loads(stderr or stdout)["messages"]
    except (ValueError, KeyError):
        return [f"vnu.jar failed (exit {process.returncode}): {(stderr or stdout).decode()[:2000]}"]
    found: list[str] = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        if VNU_IGNORED.match(message.get("message", "")):
            continue
        url = message.get("url", "")
        page = by_file.get(url) or by_file.get(url.replace("file:/", "file:///", 1))
        where = page.label if page else url
        line = message.get("lastLine", "?")
        extract = " ".join(message.get("extract", "").split())[:160]
        found.append(f"{where}, line {line}: {message['message']}\n      {extract}")
    return found


# --- Chromium ----------------------------------------------------------------------------------

AXE_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
                  count: v.nodes.length}));
}"""

# At phone width, after the layout has settled (Chart.js resizes its canvases on the next
# animation frames): the document's width and, for the report, the first elements that stick
# out beyond the viewport without a container that scrolls on its own (.table-responsive).
OVERFLOW = """async (limit) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  for (let i = 0; i < 12 && document.documentElement.scrollWidth > limit; i++) await frame();
  const width = document.documentElement.scrollWidth;
  if (width <= limit) return null;
  // An absolutely positioned element escapes a scrolling box that is not its containing block.
  const scrolls = (el) => {
    const position = getComputedStyle(el).position;
    if (position === "fixed") return false;
    const first = position === "absolute" ? el.offsetParent : el.parentElement;
    for (let p = first; p && p !== document.body; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const right = el.getBoundingClientRect().right;
    if (right <= limit + 0.5 || scrolls(el)) continue;
    wide.push(describe(el) + " (to " + Math.round(right) + " px)");
    if (wide.length >= 6) break;
  }
  return {width, wide};
}"""


class _Handler(BaseHTTPRequestHandler):
    """The rendered pages with their own headers, the static files from the finders and axe,
    cacheable so that Chromium parses Bootstrap, HTMX and axe once, not once per page; any
    other request (an HTMX poll) gets an empty 204, which HTMX leaves alone."""

    pages: dict[str, Page] = {}

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        static = settings.STATIC_URL
        if page := self.pages.get(self.path):
            self._send(200, page.headers, page.html)
        elif path == AXE_URL:
            self._file(AXE_JS)
        elif path.startswith(static) and (found := finders.find(path.removeprefix(static))):
            self._file(Path(found))
        else:
            self._send(204, {}, b"")

    def _file(self, file: Path) -> None:
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = {"Content-Type": kind, "Cache-Control": "public, max-age=3600"}
        self._send(200, headers, file.read_bytes())

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def serve(pages: list[Page]) -> Iterator[str]:
    """A throw-away HTTP server on a free loopback port answering with the rendered pages;
    yields its origin. No Django in it: the database work is all done before."""
    handler = type("Handler", (_Handler,), {"pages": {page.url: page for page in pages}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class BrowserFindings:
    axe: list[str]  # serious and critical axe-core violations
    phone: list[str]  # pages wider than the phone
    csp: list[str]  # what the Content-Security-Policy blocked (an inline style or script)


def browser_check(pages: list[Page]) -> BrowserFindings:
    """Each page in one Chromium, one context, one tab, in turn: axe-core at desktop width,
    then the same page at 375 px; and, on the way, what the page's CSP refused."""
    from playwright.sync_api import sync_playwright

    found = BrowserFindings(axe=[], phone=[], csp=[])
    current: list[Page] = []
    with serve(pages) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
        tab = context.new_page()
        tab.set_default_timeout(15_000)

        def refused(message) -> None:
            if "Content Security Policy" in message.text:
                # "Applying inline style violates … directive 'style-src 'self''. Either …"
                found.csp.append(f"{current[-1].label}: {message.text.split('. Either')[0]}")

        tab.on("console", refused)
        try:
            for page in pages:
                current.append(page)
                tab.set_viewport_size(DESKTOP)
                tab.goto(origin + page.url, wait_until="load")
                tab.add_script_tag(url=AXE_URL)
                found.axe += [_axe_line(page, v) for v in tab.evaluate(AXE_RUN, list(SERIOUS))]
                tab.set_viewport_size(PHONE)
                if overflow := tab.evaluate(OVERFLOW, PHONE["width"]):
                    found.phone.append(
                        f"{page.label}: {overflow['width']} px wide at {PHONE['width']} px; "
                        + ", ".join(overflow["wide"])
                    )
        finally:
            context.close()
            browser.close()
    return found


def _axe_line(page: Page, violation: dict) -> str:
    shown = violation["targets"]
    more = (
        f"\n      (and {violation['count'] - len(shown)} more)"
        if violation["count"] > len(shown)
        else ""
    )
    return (
        f"{page.label}: [{violation['impact']}] {violation['id']}: {violation['help']}\n      "
        + "\n      ".join(shown)
        + more
    )
