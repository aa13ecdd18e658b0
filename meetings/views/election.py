"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def rotation(request, *args, **kwargs):
    raise Http404


def election(request, *args, **kwargs):
    raise Http404


def election_apply(request, *args, **kwargs):
    raise Http404

