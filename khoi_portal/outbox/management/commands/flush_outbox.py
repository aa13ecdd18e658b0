import datetime as dt

from django.core.management.base import BaseCommand

from khoi_portal.outbox.services import FLUSH_MIN_AGE, outbox_flush, outbox_pending_count


class Command(BaseCommand):
    help = (
        "Publish the background tasks that are still pending in the outbox (the broker was down "
        "when they were asked for). Run by each worker when it starts; Celery beat runs it too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=float,
            default=FLUSH_MIN_AGE.total_seconds(),
            help="Only rows older than this many seconds (default: %(default)s).",
        )

    def handle(self, *args, min_age: float, **options):
        published = outbox_flush(min_age=dt.timedelta(seconds=min_age))
        left = outbox_pending_count()
        self.stdout.write(f"published {published}, still pending {left}")
