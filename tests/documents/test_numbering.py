"""The register of outgoing documents: one series per issuing body per calendar year.

Decree 30/2020/NĐ-CP Appendix I: numbers run 01, 02, … through the calendar year for each
issuing body, shared by every document type, and restart on 1 January. A number is given
once, when the document is issued, and never again.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from documents.models import Document, DocumentType, NumberSeries
from documents.services import document_create_draft, document_issue
from tests.factories import BlocFactory, UserFactory


def draft(bloc, code="TM", subject="tổ chức Hội nghị tổng kết", *, by, **fields) -> Document:
    fields = {"place": "Sóc Trăng", "signer_name": "Nguyễn Văn Kiệt", **fields}
    return document_create_draft(
        doc_type=DocumentType.objects.get(code=code),
        subject=subject,
        created_by=by,
        bloc=bloc,
        **fields,
    )


def issue(document: Document, on: dt.date, by) -> Document:
    return document_issue(document=document, issued_on=on, issued_by=by, render=False)


def test_numbers_run_in_one_series_shared_by_every_type(world):
    by = world.secretariat
    issued = [
        issue(draft(world.bloc, code, by=by), dt.date(2021, 1, 11), by)
        for code in ("TM", "BC", "QĐ", "TM")
    ]

    assert [d.number for d in issued] == [1, 2, 3, 4]
    assert [d.number_text for d in issued] == [
        "01/TM-KTĐA",
        "02/BC-KTĐA",
        "03/QĐ-KTĐA",
        "04/TM-KTĐA",
    ]
    assert {d.number_year for d in issued} == {2021}
    assert all(d.status == Document.Status.ISSUED and d.verification_code for d in issued)
    assert NumberSeries.objects.get(issuer_symbol="KTĐA", year=2021).last_number == 4


def test_leading_zero_only_below_ten(world):
    by = world.secretariat
    numbers = [
        issue(draft(world.bloc, by=by), dt.date(2021, 3, 1), by).number_text for _ in range(10)
    ]

    assert numbers[0] == "01/TM-KTĐA"
    assert numbers[8] == "09/TM-KTĐA"
    assert numbers[9] == "10/TM-KTĐA"


def test_a_new_calendar_year_restarts_at_01(world):
    by = world.secretariat
    first = issue(draft(world.bloc, by=by), dt.date(2021, 12, 30), by)
    second = issue(draft(world.bloc, by=by), dt.date(2021, 12, 31), by)
    new_year = issue(draft(world.bloc, by=by), dt.date(2022, 1, 1), by)
    # A document dated back into 2021 continues the 2021 series, not the 2022 one.
    late = issue(draft(world.bloc, by=by), dt.date(2021, 12, 31), by)

    assert (first.number, second.number, late.number) == (1, 2, 3)
    assert (new_year.number, new_year.number_year, new_year.number_text) == (1, 2022, "01/TM-KTĐA")


def test_each_issuing_body_has_its_own_series(world):
    by = world.secretariat
    a1 = issue(draft(world.bloc, by=by), dt.date(2021, 1, 11), by)
    b1 = issue(draft(world.other_bloc, by=by), dt.date(2021, 1, 11), by)
    a2 = issue(draft(world.bloc, by=by), dt.date(2021, 1, 12), by)
    # The series follows the symbol printed in the header, not the bloc row: a bloc that
    # issues under another symbol (seed 000: KTĐMTNB) starts that symbol's series.
    own = issue(draft(world.bloc, issuer_symbol="KTĐMTNB", by=by), dt.date(2021, 1, 12), by)

    assert (a1.number_text, a2.number_text) == ("01/TM-KTĐA", "02/TM-KTĐA")
    assert b1.number_text == "01/TM-KTĐB"
    assert own.number_text == "01/TM-KTĐMTNB"


def test_an_issued_document_cannot_be_issued_again(world):
    by = world.secretariat
    document = issue(draft(world.bloc, by=by), dt.date(2021, 1, 11), by)

    with pytest.raises(ValidationError) as excinfo:
        issue(document, dt.date(2021, 2, 1), by)

    assert excinfo.value.messages == ["Văn bản này đã được phát hành."]
    document.refresh_from_db()
    assert (document.number, document.issued_on) == (1, dt.date(2021, 1, 11))
    assert NumberSeries.objects.get(issuer_symbol="KTĐA", year=2021).last_number == 1
    assert issue(draft(world.bloc, by=by), dt.date(2021, 2, 1), by).number == 2


def test_a_refused_issue_takes_no_number(world):
    by = world.secretariat
    unsigned = draft(world.bloc, signer_name="", by=by)

    with pytest.raises(ValidationError) as excinfo:
        issue(unsigned, dt.date(2021, 1, 11), by)

    assert excinfo.value.messages == ["Hãy ghi họ tên người ký trước khi phát hành."]
    unsigned.refresh_from_db()
    assert unsigned.status == Document.Status.DRAFT
    assert unsigned.number is None
    assert issue(draft(world.bloc, by=by), dt.date(2021, 1, 11), by).number == 1


def test_a_letter_without_type_code_is_numbered_with_the_symbol_only(world):
    # Decree 30/2020: a công văn has no type code: "Số: 01/KTĐA".
    by = world.secretariat
    letter = issue(draft(world.bloc, code="", by=by), dt.date(2021, 1, 11), by)
    assert letter.number_text == "01/KTĐA"


# --- concurrency (PostgreSQL: row locks; CI runs a PostgreSQL pass) ---------------------

THREADS = 8
DOCUMENTS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("series_exists", [False, True], ids=["new-series", "existing-series"])
def test_concurrent_issues_get_gap_free_unique_numbers(series_exists):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL (CI's PostgreSQL pass)")
    bloc = BlocFactory(name="Khối thi đua Đồng thời", symbol="KTĐĐT")
    user = UserFactory(full_name="Đỗ Thanh Thư")
    drafts = [draft(bloc, subject=f"văn bản thứ {i}", by=user) for i in range(DOCUMENTS)]
    if series_exists:
        NumberSeries.objects.create(issuer_symbol="KTĐĐT", year=2021)
    work: queue.Queue[Document] = queue.Queue()
    for document in drafts:
        work.put(document)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    connections_used: set[int] = set()
    lock = threading.Lock()

    def worker() -> None:
        try:
            connection.ensure_connection()
            with lock:
                connections_used.add(id(connection.connection))
            barrier.wait(timeout=30)  # every thread holds its connection, then all start at once
            while True:
                try:
                    document = work.get_nowait()
                except queue.Empty:
                    return
                issue(document, dt.date(2021, 6, 15), user)
        except BaseException as exc:  # reported below, in the test's own thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"issuer-{i}") for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "an issuing thread hung"
    assert errors == []
    assert len(connections_used) == THREADS  # really eight sessions, not one shared connection
    numbers = sorted(Document.objects.filter(bloc=bloc).values_list("number", flat=True))
    assert numbers == list(range(1, DOCUMENTS + 1))
    assert set(Document.objects.filter(bloc=bloc).values_list("status", flat=True)) == {"issued"}
    assert NumberSeries.objects.get(issuer_symbol="KTĐĐT", year=2021).last_number == DOCUMENTS
