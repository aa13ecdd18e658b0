"""Freshness of the portal's data, for caching pages: one token per app, changed by every write.

Every INSERT, UPDATE or DELETE that reaches a table of one of the portal's apps (``blocs_*``,
``scoring_*``, …) is seen by a database execute wrapper (installed on every connection, so
views, Celery tasks, management commands and the admin are all covered, whatever ORM call or
raw SQL they use). After the transaction commits, the token of each app written to is replaced
by a new random value. A page cached under the tokens of the apps it reads is therefore never
served after a change to that data: its key no longer exists.

See :mod:`khoi_portal.pagecache` for the pages that use it.
"""
