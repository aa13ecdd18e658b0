"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def round_create(request, *args, **kwargs):
    raise Http404


def round_detail(request, *args, **kwargs):
    raise Http404


def round_open(request, *args, **kwargs):
    raise Http404


def ballot(request, *args, **kwargs):
    raise Http404


def paper_tally(request, *args, **kwargs):
    raise Http404


def paper_confirm(request, *args, **kwargs):
    raise Http404


def round_close(request, *args, **kwargs):
    raise Http404


def round_progress(request, *args, **kwargs):
    raise Http404

