"""The transactional outbox: background work is written down in the same transaction as the data
it is about, then handed to the Celery broker once that transaction commits.

Why an app of its own (``khoi_portal.outbox``, label ``outbox``) rather than a model in
``documents``: every app queues work through it (invitations in ``blocs``, notices in
``covenants`` and ``scoring``, QR codes in ``meetings``, PDFs and mail in ``documents``), so it
belongs to none of them and must not make them depend on one another. It holds one table and no
domain knowledge: a task name and its JSON arguments.

Why an outbox at all: ``transaction.on_commit(lambda: task.delay(...))`` loses the work when the
broker (Redis) is down at that moment: the data is saved, the e-mail or PDF never comes. Here
the row stays pending, the person is told that the work will run when the queue is back, and a
periodic job (Celery beat, and ``manage.py flush_outbox`` at worker start) publishes it again.
Tasks are idempotent, so the rare duplicate publish (a crash between publishing and marking the
row) does no harm.
"""
