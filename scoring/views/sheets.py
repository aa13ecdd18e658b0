"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def round_overview(request, *args, **kwargs):
    raise Http404


def sheet_detail(request, *args, **kwargs):
    raise Http404


def sheet_submit(request, *args, **kwargs):
    raise Http404


def sheet_confirm(request, *args, **kwargs):
    raise Http404


def sheet_reopen(request, *args, **kwargs):
    raise Http404


def sheet_verify(request, *args, **kwargs):
    raise Http404


def evidence_upload(request, *args, **kwargs):
    raise Http404


def entry_reply(request, *args, **kwargs):
    raise Http404


def evidence_download(request, *args, **kwargs):
    raise Http404


def evidence_delete(request, *args, **kwargs):
    raise Http404

