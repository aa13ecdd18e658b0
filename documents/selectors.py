"""Reads of the documents app, already scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from blocs.models import Bloc, User
from blocs.permissions import is_bloc_secretariat
from documents.models import Document


def register_documents(*, bloc: Bloc, user: User, year: int | None = None) -> QuerySet[Document]:
    """The bloc's register: issued documents for members, drafts too for the secretariat."""
    documents = Document.objects.filter(bloc=bloc).select_related("doc_type", "supersedes")
    if not (user.is_ministry_office or is_bloc_secretariat(user, bloc)):
        documents = documents.exclude(status=Document.Status.DRAFT)
    if year is not None:
        documents = documents.filter(
            Q(number_year=year) | Q(number_year__isnull=True, created_at__year=year)
        )
    return documents.order_by("-number_year", "-number", "-created_at")


def register_years(*, bloc: Bloc) -> list[int]:
    return sorted(
        {
            y
            for y in Document.objects.filter(bloc=bloc, number_year__isnull=False)
            .values_list("number_year", flat=True)
            .distinct()
        },
        reverse=True,
    )


def document_by_code(code: str) -> Document | None:
    return (
        Document.objects.filter(verification_code=code.strip().upper())
        .exclude(status=Document.Status.DRAFT)
        .select_related("doc_type", "bloc", "unit")
        .first()
    )
