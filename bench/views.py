"""The benchmarks' reference views (bench/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def blank(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/blank.html")
