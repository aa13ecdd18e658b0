"""Database glue: the Vietnamese collation on SQLite; names for hand-written SQL."""

from __future__ import annotations

from django.db import connection
from django.db.backends.signals import connection_created

from khoi_portal.fields import VI_COLLATION_NAME
from khoi_portal.lib.vietnamese import collate


def _register_sqlite_collation(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(VI_COLLATION_NAME, collate)


def connect() -> None:
    connection_created.connect(_register_sqlite_collation, dispatch_uid="khoi_portal_vi_collation")


def table(model) -> str:
    """*model*'s table, quoted: for the few hand-written statements of the busiest requests."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field: str) -> str:
    """``"table"."column"`` of *model*'s *field* (its database column), quoted."""
    return f"{table(model)}.{connection.ops.quote_name(model._meta.get_field(field).column)}"
