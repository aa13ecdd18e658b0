"""Database glue: the Vietnamese collation on SQLite."""

from __future__ import annotations

from django.db.backends.signals import connection_created

from khoi_portal.fields import VI_COLLATION_NAME
from khoi_portal.lib.vietnamese import collate


def _register_sqlite_collation(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(VI_COLLATION_NAME, collate)


def connect() -> None:
    connection_created.connect(_register_sqlite_collation, dispatch_uid="khoi_portal_vi_collation")
