"""The Celery app. Without CELERY_BROKER_URL tasks run in-process (eager); with it, on Redis."""

import io
import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoi_portal.settings")

app = Celery("khoi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="khoi_portal.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by the health test: a worker echoes what it was given."""
    return value


@worker_ready.connect
def _flush_outbox_at_start(sender=None, **kwargs) -> None:
    """Work queued while the broker was down is published as soon as a worker is up again
    (beat's periodic flush does the same every minute)."""
    from django.core.management import call_command
    from django.db import connections

    out = io.StringIO()
    try:
        call_command("flush_outbox", stdout=out)
        logging.getLogger(__name__).info("outbox at worker start: %s", out.getvalue().strip())
    except Exception:  # the worker must start even if the flush cannot run now
        logging.getLogger(__name__).exception("flush_outbox at worker start failed")
    finally:
        connections.close_all()  # the main process keeps no connection its children could share
