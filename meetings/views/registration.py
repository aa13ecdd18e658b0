"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def register(request, *args, **kwargs):
    raise Http404


def delegates(request, *args, **kwargs):
    raise Http404


def delegates_xlsx(request, *args, **kwargs):
    raise Http404


def delegates_pdf(request, *args, **kwargs):
    raise Http404


def substitute(request, *args, **kwargs):
    raise Http404


def remind(request, *args, **kwargs):
    raise Http404


def send_qr(request, *args, **kwargs):
    raise Http404


def check_in(request, *args, **kwargs):
    raise Http404


def delegate_qr(request, *args, **kwargs):
    raise Http404

