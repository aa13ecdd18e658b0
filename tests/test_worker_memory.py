"""A web worker loads the document and spreadsheet libraries only when it first uses them.

WeasyPrint, openpyxl, python-docx and segno together are more than half of a gunicorn
worker's memory at start (bench/RESULTS.md, issue #8: under 150 MB per worker). Pages never
need them; only PDFs, DOCX and XLSX files and QR codes do, and those import them on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("weasyprint", "openpyxl", "docx", "segno", "fontTools", "pydyf", "pyhanko")

PROBE = """
import json, os, sys
sys.path.insert(0, os.getcwd())
from khoi_portal.wsgi import application  # what gunicorn loads
from django.urls import get_resolver

def walk(resolver):  # import every view module, as the first requests would
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            walk(pattern)
        else:
            pattern.callback

walk(get_resolver())
heavy = sorted(name for name in sys.modules if name.split(".")[0] in json.loads(sys.argv[1]))
print(json.dumps(heavy))
"""


def test_a_worker_starts_without_document_libraries():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "khoi_portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"imported at start: {loaded[:10]}"


def test_the_libraries_load_when_a_document_needs_them():
    from documents.documents import qr_data_uri

    assert qr_data_uri("https://example.invalid/").startswith("data:image/svg+xml;base64,")
    assert "segno" in sys.modules
