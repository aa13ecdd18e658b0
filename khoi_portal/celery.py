"""The Celery app. Without CELERY_BROKER_URL tasks run in-process (eager); with it, on Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoi_portal.settings")

app = Celery("khoi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="khoi_portal.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by the health test: a worker echoes what it was given."""
    return value
