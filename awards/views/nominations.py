"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def awards_overview(request, *args, **kwargs):
    raise Http404


def eligibility_view(request, *args, **kwargs):
    raise Http404


def exclusion_add(request, *args, **kwargs):
    raise Http404


def nomination_create(request, *args, **kwargs):
    raise Http404


def nominations_default(request, *args, **kwargs):
    raise Http404


def nomination_report(request, *args, **kwargs):
    raise Http404

