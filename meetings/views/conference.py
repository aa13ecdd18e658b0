"""PLACEHOLDER: being written; every view answers 404 until then."""
from django.http import Http404

def py(request, *args, **kwargs):
    raise Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def agenda_edit(request, *args, **kwargs):
    raise Http404


def invitation_draft(request, *args, **kwargs):
    raise Http404


def minutes_draft(request, *args, **kwargs):
    raise Http404


def year_report(request, *args, **kwargs):
    raise Http404


def live_board(request, *args, **kwargs):
    raise Http404


def live_board_counts(request, *args, **kwargs):
    raise Http404


def announcements(request, *args, **kwargs):
    raise Http404

