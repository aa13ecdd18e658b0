"""Settings of the HTTP benchmarks: the portal's own settings, plus two reference pages that
exist only here (bench/urls.py), so users of the portal never see them."""

from khoi_portal.settings import *  # noqa: F403
from khoi_portal.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
