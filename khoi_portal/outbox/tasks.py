"""The periodic job that publishes what the broker could not take when it was asked."""

from __future__ import annotations

from celery import shared_task

from khoi_portal.outbox.services import outbox_flush


@shared_task(name="khoi_portal.outbox.tasks.flush_outbox", ignore_result=True)
def flush_outbox() -> int:
    return outbox_flush()
