"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def sign_online(request, *args, **kwargs):
    raise Http404


def ceremony(request, *args, **kwargs):
    raise Http404


def ceremony_sign(request, *args, **kwargs):
    raise Http404


def ceremony_tally(request, *args, **kwargs):
    raise Http404


def record_paper(request, *args, **kwargs):
    raise Http404


def upload_digital(request, *args, **kwargs):
    raise Http404


def covenant_close(request, *args, **kwargs):
    raise Http404


def signature_scan(request, *args, **kwargs):
    raise Http404

