"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def scale_detail(request, *args, **kwargs):
    raise Http404


def scale_create(request, *args, **kwargs):
    raise Http404


def criterion_edit(request, *args, **kwargs):
    raise Http404


def criterion_delete(request, *args, **kwargs):
    raise Http404


def scale_import(request, *args, **kwargs):
    raise Http404


def scale_export(request, *args, **kwargs):
    raise Http404


def scale_new_version(request, *args, **kwargs):
    raise Http404


def scale_apply(request, *args, **kwargs):
    raise Http404


def round_open(request, *args, **kwargs):
    raise Http404

