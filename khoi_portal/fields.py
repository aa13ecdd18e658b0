"""Model fields that keep Vietnamese text right whatever path a value takes to the database."""

from __future__ import annotations

from django.db import models

from khoi_portal.lib.vietnamese import nfc

# PostgreSQL's ICU collation sorts Vietnamese correctly; on SQLite the same name is
# registered as a Python collation (khoi_portal.db), so one field definition serves both.
# Quoted here because Django's SQLite schema editor writes the collation name unquoted and
# "vi-x-icu" is not a bare SQL identifier; both backends leave an already-quoted name alone.
VI_COLLATION_NAME = "vi-x-icu"
VI_COLLATION = f'"{VI_COLLATION_NAME}"'


class _NFCMixin:
    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # type: ignore[misc]
        return nfc(value) if isinstance(value, str) else value

    def to_python(self, value):
        value = super().to_python(value)  # type: ignore[misc]
        return nfc(value) if isinstance(value, str) else value


class NFCCharField(_NFCMixin, models.CharField):
    """A CharField stored in NFC (pasted text is often NFD and compares unequal)."""


class NFCTextField(_NFCMixin, models.TextField):
    """A TextField stored in NFC."""


class VietnameseNameField(NFCCharField):
    """A name in NFC, sorted in Vietnamese alphabetical order by the database."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("db_collation", VI_COLLATION)
        super().__init__(*args, **kwargs)
