"""Test-only hooks for the workers that tests/test_faults.py starts and kills (never used by the
portal itself): a storage and a mail backend that stop at a known point of a task, so the test
can kill the worker exactly there.

While ``<KHOI_FAULTS_MARK_DIR>/armed-<point>`` exists, the first worker to reach that point
("render": a rendered PDF about to be stored; "mail": a document e-mail about to be handed to
the mail server) writes its process id to ``paused-<point>`` and waits to be killed. Without the
file they behave like the plain file system storage and file mail backend.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.core.mail.backends.filebased import EmailBackend


def pause_here(point: str) -> None:
    marks = Path(os.environ["KHOI_FAULTS_MARK_DIR"])
    try:
        (marks / f"armed-{point}").unlink()  # atomic: only one worker pauses
    except FileNotFoundError:
        return
    (marks / f"paused-{point}").write_text(str(os.getpid()))
    time.sleep(300)  # the test kills this process long before
    raise RuntimeError(f"the worker paused at {point!r} was never killed")


class PausingStorage(FileSystemStorage):
    def _save(self, name, content):
        if name.endswith(".pdf"):
            pause_here("render")
        return super()._save(name, content)


class PausingFileEmailBackend(EmailBackend):
    def send_messages(self, email_messages):
        pause_here("mail")
        return super().send_messages(email_messages)
