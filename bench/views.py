"""The benchmarks' reference views (bench/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


_PADDING: dict[int, str] = {}


@login_required
def blank(request: HttpRequest) -> HttpResponse:
    """``?kb=N``: the content block holds N KiB of fixed text, a reference for the cost of a
    page's size alone (sending and reading it), with no query and no template work."""
    kb = request.GET.get("kb", "")
    kb = min(int(kb), 1024) if kb.isdigit() else 0
    if kb and kb not in _PADDING:
        line = (
            "<p>Phiếu tự chấm điểm thi đua: tiêu chí, điểm chuẩn, điểm tự chấm, minh chứng.</p>\n"
        )
        _PADDING[kb] = (line * (kb * 1024 // len(line.encode()) + 1))[: kb * 1024]
    return render(request, "bench/blank.html", {"padding": _PADDING.get(kb, "")})
