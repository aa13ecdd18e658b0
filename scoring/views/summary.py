"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def summary(request, *args, **kwargs):
    raise Http404


def summary_xlsx(request, *args, **kwargs):
    raise Http404


def summary_issue(request, *args, **kwargs):
    raise Http404


def round_publish(request, *args, **kwargs):
    raise Http404


def unit_chart(request, *args, **kwargs):
    raise Http404


def audit_log(request, *args, **kwargs):
    raise Http404

