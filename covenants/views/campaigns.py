"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def campaign_list(request, *args, **kwargs):
    raise Http404


def campaign_create(request, *args, **kwargs):
    raise Http404


def campaign_detail(request, *args, **kwargs):
    raise Http404


def phase_edit(request, *args, **kwargs):
    raise Http404


def phase_review(request, *args, **kwargs):
    raise Http404


def campaign_launch_document(request, *args, **kwargs):
    raise Http404


def bloc_documents(request, *args, **kwargs):
    raise Http404


def bloc_document_create(request, *args, **kwargs):
    raise Http404


def bloc_document_detail(request, *args, **kwargs):
    raise Http404

