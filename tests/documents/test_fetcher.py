"""The restricted WeasyPrint fetcher: a PDF can load data: URLs and files under the static and
media roots, and nothing else: no /etc/passwd, no ``../`` escape, no request to the network.

Each attack is paired with a control that loads an allowed resource the same way, so the
checks below are shown to notice a resource when it does get in.
"""

from __future__ import annotations

import base64
import io
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import StreamObject
from weasyprint import HTML

from documents import rendering
from documents.rendering import BlockedURL, RestrictedURLFetcher, html_to_pdf

STATIC = Path(settings.BASE_DIR) / "static"
STATIC_URI = STATIC.as_uri()  # file:///…/static
OFL = STATIC / "fonts" / "OFL.txt"
PASSWD = Path("/etc/passwd")


# --- reading a PDF back ------------------------------------------------------------------


def pdf_payload(pdf: bytes) -> bytes:
    """The file's bytes plus every stream decompressed (object streams included)."""
    reader = PdfReader(io.BytesIO(pdf))
    chunks = [pdf]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry of the cross-reference table
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


def embedded_files(pdf: bytes) -> list[bytes]:
    """Files embedded in the PDF: document attachments and file-attachment annotations."""
    reader = PdfReader(io.BytesIO(pdf))
    files = [content for contents in reader.attachments.values() for content in contents]
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                files.append(annotation["/FS"].get_object()["/EF"]["/F"].get_object().get_data())
    return files


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def page(markup: str) -> str:
    head = '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head>'
    return f"{head}<body>{markup}</body></html>"


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def fetches(monkeypatch) -> list[tuple[str, str]]:
    """(url, "ok" or the exception name) for every URL WeasyPrint asks our fetcher for."""
    log: list[tuple[str, str]] = []
    original = RestrictedURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception as exc:
            log.append((url, type(exc).__name__))
            raise
        log.append((url, "ok"))
        return response

    monkeypatch.setattr(RestrictedURLFetcher, "fetch", spy)
    return log


@pytest.fixture
def marker() -> bytes:
    return f"KHOI-SECRET-{uuid.uuid4().hex}".encode()


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (200, 0, 0)).save(path, format="PNG")
    return path


@pytest.fixture
def outside(tmp_path, marker) -> Path:
    """A folder outside every allowed root, with a secret text file and an image."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(marker)
    _png(folder / "pixel.png")
    return folder


@pytest.fixture
def collected(tmp_path, settings, marker) -> Path:
    """An allowed root (STATIC_ROOT, as collectstatic fills it) with the same kinds of file."""
    root = tmp_path / "staticfiles"
    root.mkdir()
    settings.STATIC_ROOT = root
    (root / "allowed.txt").write_bytes(marker)
    _png(root / "pixel.png")
    return root


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        body = b"body { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def http_server():
    """A tiny HTTP server on a free loopback port that records every request it gets."""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- file:// outside the roots ------------------------------------------------------------


def _escapes(target: Path) -> dict[str, str]:
    """Ways of writing *target* (outside the roots) in a document whose base URL is static/."""
    up = "../" * len(STATIC.parts)  # more than enough ".." to reach "/"
    relative = str(target).lstrip("/")
    return {
        "absolute": target.as_uri(),
        "localhost": f"file://localhost{target}",
        "relative-dotdot": up + relative,
        "static-dotdot": f"{STATIC_URI}/{up}{relative}",
        "static-encoded-dotdot": f"{STATIC_URI}/{'%2e%2e/' * len(STATIC.parts)}{relative}",
    }


ESCAPE_KINDS = [
    "absolute",
    "localhost",
    "relative-dotdot",
    "static-dotdot",
    "static-encoded-dotdot",
]


@pytest.mark.parametrize("kind", ESCAPE_KINDS)
def test_etc_passwd_is_never_embedded(kind, fetches):
    if not PASSWD.is_file():
        pytest.skip("no /etc/passwd on this system")
    passwd_line = PASSWD.read_text().splitlines()[0].encode()
    url = _escapes(PASSWD)[kind]

    pdf = html_to_pdf(
        page(
            f'<p>Tài liệu</p><img src="{url}" alt="">'
            f'<a rel="attachment" href="{url}">tệp đính kèm</a>'
            f'<link rel="attachment" href="{url}">'
        )
    )

    assert embedded_files(pdf) == []
    payload = pdf_payload(pdf)
    assert b"root:" not in payload
    assert passwd_line not in payload
    # WeasyPrint did ask our fetcher (no bypass), and our fetcher refused every time.
    passwd_fetches = [outcome for fetched, outcome in fetches if "passwd" in fetched]
    assert passwd_fetches
    assert set(passwd_fetches) == {"BlockedURL"}


@pytest.mark.parametrize("kind", ESCAPE_KINDS)
def test_files_outside_the_roots_are_not_attached(kind, outside, collected, marker, fetches):
    url = _escapes(outside / "secret.txt")[kind]

    pdf = html_to_pdf(
        page(f'<a rel="attachment" href="{url}">a</a><link rel="attachment" href="{url}">')
    )

    assert embedded_files(pdf) == []
    assert marker not in pdf_payload(pdf)
    assert {outcome for fetched, outcome in fetches if "secret" in fetched} == {"BlockedURL"}


def test_control_a_file_under_an_allowed_root_is_attached(collected, marker, fetches):
    """The same markup with an allowed file: the checks above would have seen it."""
    pdf = html_to_pdf(
        page(
            f'<a rel="attachment" href="{(collected / "allowed.txt").as_uri()}">a</a>'
            '<link rel="attachment" href="fonts/OFL.txt">'  # relative to the static base URL
        )
    )

    files = embedded_files(pdf)
    assert marker in files
    assert OFL.read_bytes() in files
    assert marker in pdf_payload(pdf)
    assert all(outcome == "ok" for _, outcome in fetches)


def test_a_symlink_out_of_an_allowed_root_is_blocked(outside, collected, marker, fetches):
    (collected / "link.txt").symlink_to(outside / "secret.txt")
    (collected / "linked-dir").symlink_to(outside, target_is_directory=True)

    pdf = html_to_pdf(
        page(
            f'<a rel="attachment" href="{(collected / "link.txt").as_uri()}">a</a>'
            f'<link rel="attachment" href="{(collected / "linked-dir" / "secret.txt").as_uri()}">'
        )
    )

    assert embedded_files(pdf) == []
    assert marker not in pdf_payload(pdf)
    assert [outcome for url, outcome in fetches if "link" in url] == ["BlockedURL", "BlockedURL"]


def test_an_image_outside_the_roots_is_left_out(outside, collected):
    blocked = html_to_pdf(page(f'<img src="{(outside / "pixel.png").as_uri()}" alt="">'))
    allowed = html_to_pdf(page(f'<img src="{(collected / "pixel.png").as_uri()}" alt="">'))

    assert image_count(blocked) == 0
    assert image_count(allowed) == 1  # the control: an allowed image does reach the PDF


# --- the network ------------------------------------------------------------------------------


def _network_markup(base: str, port: int) -> str:
    return (
        f'<link rel="stylesheet" href="{base}/link.css">'
        f'<style>@import url("{base}/import.css");'
        f'@font-face {{ font-family: Remote; src: url("{base}/font.ttf"); }}'
        f'p {{ font-family: Remote, serif; background-image: url("{base}/background.png"); }}'
        f'ul {{ list-style-image: url("{base}/bullet.png"); }}</style>'
        f'<link rel="attachment" href="{base}/link-attachment.txt">'
        f"<p>Khối thi đua</p><ul><li>một</li></ul>"
        f'<img src="{base}/image.png" alt="">'
        f'<a rel="attachment" href="{base}/a-attachment.txt">tệp</a>'
        f'<object data="{base}/object.png" type="image/png"></object>'
        f'<svg width="10" height="10">'
        f'<image href="{base}/svg-image.png" width="10" height="10"/></svg>'
        f'<img src="//127.0.0.1:{port}/protocol-relative.png" alt="">'
    )


def test_no_request_reaches_a_loopback_server(http_server, fetches):
    port = http_server.server_address[1]
    base = f"http://127.0.0.1:{port}"

    pdf = html_to_pdf(page(_network_markup(base, port)))

    assert http_server.requests == []
    assert embedded_files(pdf) == []
    assert image_count(pdf) == 0
    remote = [(url, outcome) for url, outcome in fetches if f"127.0.0.1:{port}" in url]
    assert len(remote) >= 11
    assert {outcome for _, outcome in remote} == {"BlockedURL"}


def test_control_weasyprints_own_fetcher_does_reach_the_server(http_server):
    """Without our fetcher the same markup hits the server: the assertion above can fail."""
    port = http_server.server_address[1]

    markup = page(_network_markup(f"http://127.0.0.1:{port}", port))
    HTML(string=markup, base_url=STATIC_URI + "/").write_pdf()

    assert "/image.png" in http_server.requests
    assert "/a-attachment.txt" in http_server.requests


# --- the fetcher itself -----------------------------------------------------------------------


@pytest.fixture
def root(tmp_path) -> Path:
    folder = tmp_path / "root"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "ok.txt").write_text("Khối thi đua Tây Nam Bộ", encoding="utf-8")
    sibling = tmp_path / "root-evil"  # shares the root's name as a string prefix
    sibling.mkdir()
    (sibling / "secret.txt").write_text("secret")
    (tmp_path / "secret.txt").write_text("secret")
    (folder / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return folder


def test_fetcher_reads_data_urls():
    text = "Độc lập - Tự do - Hạnh phúc".encode()
    response = RestrictedURLFetcher(roots=[]).fetch(
        "data:text/plain;charset=utf-8;base64," + base64.b64encode(text).decode()
    )
    assert response.read() == text


def test_fetcher_reads_a_file_under_its_roots(root):
    response = RestrictedURLFetcher(roots=[root]).fetch((root / "sub" / "ok.txt").as_uri())

    assert response.read().decode() == "Khối thi đua Tây Nam Bộ"
    assert response.content_type == "text/plain"


def test_fetcher_reads_the_bundled_fonts_with_the_default_roots():
    response = RestrictedURLFetcher().fetch((STATIC / "fonts" / "Tinos-Regular.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font


REFUSED = {
    "passwd": lambda root, port: "file:///etc/passwd",
    "passwd-upper": lambda root, port: "FILE:///etc/passwd",
    "passwd-one-slash": lambda root, port: "file:/etc/passwd",
    "localhost-outside": lambda root, port: f"file://localhost{root.parent}/secret.txt",
    "dotdot": lambda root, port: f"{root.as_uri()}/../secret.txt",
    "encoded-dotdot": lambda root, port: f"{root.as_uri()}/sub/%2e%2e/%2e%2e/secret.txt",
    "prefix-sibling": lambda root, port: f"{root.as_uri()}-evil/secret.txt",
    "symlink": lambda root, port: f"{root.as_uri()}/escape.txt",
    "directory": lambda root, port: root.as_uri(),
    "missing": lambda root, port: f"{root.as_uri()}/sub/missing.txt",
    "http": lambda root, port: f"http://127.0.0.1:{port}/",
    "https": lambda root, port: f"https://127.0.0.1:{port}/",
    "ftp": lambda root, port: f"ftp://127.0.0.1:{port}/",
    "javascript": lambda root, port: "javascript:alert(1)",
    "relative": lambda root, port: "sub/ok.txt",  # not absolute
}


@pytest.mark.parametrize("make_url", REFUSED.values(), ids=REFUSED.keys())
def test_fetcher_refuses(make_url, root, http_server):
    url = make_url(root, http_server.server_address[1])

    with pytest.raises(BlockedURL):
        RestrictedURLFetcher(roots=[root]).fetch(url)

    assert http_server.requests == []


def test_a_refusal_is_an_ordinary_error_weasyprint_skips():
    # WeasyPrint leaves out a resource whose fetch raises an Exception; a BaseException that is
    # not one (FatalURLFetchingError) would abort the whole render instead.
    assert issubclass(BlockedURL, ValueError)


def test_default_roots_are_static_and_media(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.MEDIA_ROOT = tmp_path / "media"

    roots = rendering.allowed_roots()

    assert Path(os.path.realpath(STATIC)) in roots
    assert Path(os.path.realpath(tmp_path / "collected")) in roots
    assert Path(os.path.realpath(tmp_path / "media")) in roots
    assert Path("/") not in roots
