"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def round_results(request, *args, **kwargs):
    raise Http404


def minutes_issue(request, *args, **kwargs):
    raise Http404


def submission_issue(request, *args, **kwargs):
    raise Http404


def dossier_zip(request, *args, **kwargs):
    raise Http404


def ministry_overview(request, *args, **kwargs):
    raise Http404

