"""Settings of the worker that tests/test_faults.py starts and kills: the portal's own, with a
short Redis visibility timeout (an unacknowledged message comes back in seconds, not an hour),
mail written to files the test counts, and the pause hooks of tests/faults_hooks.py."""

import os

from khoi_portal.settings import *  # noqa: F403
from khoi_portal.settings import STORAGES

# Long enough for the test to see the pause and kill the paused worker first (a message held
# longer than this by a live worker is handed out again), short enough for a quick test.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 8,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
MAILERS = {
    "default": {
        "BACKEND": "tests.faults_hooks.PausingFileEmailBackend",
        "OPTIONS": {"file_path": os.environ["KHOI_FAULTS_MAIL_DIR"]},
    }
}
STORAGES = {**STORAGES, "default": {"BACKEND": "tests.faults_hooks.PausingStorage"}}
