"""Where the audit log's events come from: one Source per history table (or login table).

Design. The portal already writes its audit record: django-simple-history keeps a row, with
``history_user`` and ``history_change_reason``, for every save of every audited model, and
django-axes a row per login. The log reads those rows where they are instead of copying them
into an ``AuditEvent`` table written by signals, because

- nothing can drift: a copy written by ``post_create_historical_record`` would miss every row
  that ``bulk_history_create`` writes (it sends no signal) and everything recorded before the
  viewer existed, and every save in the portal would pay the copy's extra queries;
- each page costs a fixed number of queries whatever the number of events (tested): one
  UNION ALL over the sources gives the page's keys ``(id, time, source)`` already filtered,
  ordered and sliced in the database (plus one count for the paginator), then each source on
  the page loads its rows with their objects and their previous values in one query.

Each Source says which of its rows are events (a status that changed, a role that changed;
some saves are not events, such as a login touching ``last_login``), how to restrict them to
a set of bloc years (the viewer's scope and the bloc/year filters), how to filter by user,
and how to describe a row in Vietnamese.

Ballot secrecy: neither Ballot nor VoterToken has a history table and no Source reads them.
Ballot rounds appear only when they open and close; a vote never appears, not even "a vote
was cast", since its time next to a login would hint at the voter. Voting delegates appear
when a leader names one and when the delegation is revoked (who may vote for the unit, as the
secretariat's voters page shows), never whether or when anyone used it.

What is covered, by module: history.py (scores, sheets, scoring rounds opened, past their
deadline and published, covenant signatures with their method
and what a paper or digital one rests on, covenants opened and closed, ballot rounds, issued
documents, roles, memberships, chairs, accounts), scales.py (scale versions created and
locked, an item's maximum changed, evidence files added and removed), delegates.py (voting
delegates), standing.py (campaigns launched, their phases reviewed, the bloc's standing
documents published), logins.py (django-axes: sign-ins, failed passwords and failed
second-step codes).
"""

from __future__ import annotations

from django.apps import apps

from audit.sources.base import Change, Event, EventKind, Scope, Source
from audit.sources.delegates import VotingDelegateSource
from audit.sources.history import (
    AppointmentSource,
    BallotRoundSource,
    BlocYearSource,
    CovenantSource,
    DocumentSource,
    EntrySource,
    MembershipSource,
    ScoringRoundSource,
    SheetSource,
    SignatureSource,
    UserSource,
)
from audit.sources.logins import LoginFailureSource, LoginSource
from audit.sources.scales import CriterionSource, EvidenceSource, ScaleSource
from audit.sources.standing import BlocDocumentSource, CampaignPhaseSource, CampaignSource

__all__ = ["Change", "Event", "EventKind", "Scope", "Source", "all_sources"]

HISTORY_SOURCES: tuple[Source, ...] = (
    EntrySource(),
    SheetSource(),
    ScoringRoundSource(),
    EvidenceSource(),
    ScaleSource(),
    CriterionSource(),
    SignatureSource(),
    CovenantSource(),
    BallotRoundSource(),
    VotingDelegateSource(),
    DocumentSource(),
    BlocDocumentSource(),
    CampaignSource(),
    CampaignPhaseSource(),
    AppointmentSource(),
    MembershipSource(),
    BlocYearSource(),
    UserSource(),
)


def all_sources() -> tuple[Source, ...]:
    """Every source; the login tables only while django-axes is installed."""
    if apps.is_installed("axes"):
        return (*HISTORY_SOURCES, LoginSource(), LoginFailureSource())
    return HISTORY_SOURCES
