"""Lets ``enqueue`` tell the person when the broker is down, without every view checking."""

from __future__ import annotations

from khoi_portal.outbox.services import queue_state_begin, queue_state_end


class QueueStatusMiddleware:
    """Marks the request being served, so a failed publish adds one warning message to it (and
    later publishes in the same request do not wait on the dead broker again). After
    ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = queue_state_begin(request)
        try:
            return self.get_response(request)
        finally:
            queue_state_end(token)
