"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def covenant_overview(request, *args, **kwargs):
    raise Http404


def covenant_create(request, *args, **kwargs):
    raise Http404


def covenant_detail(request, *args, **kwargs):
    raise Http404


def covenant_edit(request, *args, **kwargs):
    raise Http404


def item_edit(request, *args, **kwargs):
    raise Http404


def item_delete(request, *args, **kwargs):
    raise Http404


def covenant_share(request, *args, **kwargs):
    raise Http404


def covenant_comment(request, *args, **kwargs):
    raise Http404


def covenant_finalize(request, *args, **kwargs):
    raise Http404


def covenant_amend(request, *args, **kwargs):
    raise Http404

