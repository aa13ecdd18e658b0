"""Role matrix of the audit log: the ministry office and the secretariats (the outsider is the
secretariat of bloc B, so it gets the page, with B's events only: tests/audit/test_log.py)."""

from __future__ import annotations

from tests.matrix_support import Entry

READERS = {"ministry", "secretariat", "outsider"}

ENTRIES = {
    "audit_log": Entry(READERS),
    "audit_export": Entry(READERS),
}
