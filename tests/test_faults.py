"""Faults survived, nothing lost (issue #8).

1. A real Celery worker killed (SIGKILL) in the middle of rendering a document or mailing it:
   after a new worker starts, the PDF exists once (one file, one hash) and the mail went out
   once. Late acknowledgement brings the message back (a short Redis visibility timeout, set by
   the worker's test-only settings, makes that seconds instead of an hour); the tasks'
   conditional claims make the second run finish the work instead of repeating it.
2. The guarantees the database holds by itself, whatever the code above it does: one signature
   per unit and covenant version, one ballot per token, one document per number of a series, no
   score above its maximum.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from documents import services
from documents.models import Delivery, Document, DocumentType
from tests.celery_support import require_redis, start_worker
from tests.test_infrastructure import clean_env

ROOT = Path(__file__).resolve().parent.parent
# Seconds for any one step (a worker boots in a few seconds, but in ~40 on a loaded machine).
WAIT = 120


# --- the worker the test starts and kills -----------------------------------------------------


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    require_redis(url)
    return url


def _database_url() -> str:
    """The test database this test runs in, for the worker to use the same one."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Starts `celery worker` subprocesses on one private queue; kills what it started."""

    def __init__(self, tmp_path: Path, redis_url: str):
        self.tmp = tmp_path
        self.redis_url = redis_url
        self.queue = f"khoi-faults-{uuid.uuid4().hex}"
        self.marks = tmp_path / "marks"
        self.mail = tmp_path / "mail"
        self.marks.mkdir()
        self.mail.mkdir()
        self.started: list[tuple[subprocess.Popen, Path]] = []
        from celery import Celery

        self.client = Celery("khoi-faults-test", broker=redis_url, set_as_current=False)
        self.client.conf.update(task_serializer="json", accept_content=["json"])

    def start_two(self, *, pause_at: str) -> None:
        """Two workers booting side by side: the first to reach *pause_at* stops there, and the
        other (already up) takes the message back once the first is killed."""
        (self.marks / f"armed-{pause_at}").touch()
        self.start()
        self.start()

    def start(self) -> subprocess.Popen:
        log_path = self.tmp / f"worker-{len(self.started)}.log"
        env = clean_env(
            DJANGO_SETTINGS_MODULE="tests.faults_worker_settings",
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=self.redis_url,
            CELERY_RESULT_BACKEND=self.redis_url,
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            KHOI_FAULTS_MAIL_DIR=str(self.mail),
            KHOI_FAULTS_MARK_DIR=str(self.marks),
        )
        worker = start_worker(
            queue=self.queue, name=f"{self.queue}-{len(self.started)}", env=env, log_path=log_path
        )
        self.started.append((worker, log_path))
        return worker

    def send(self, task: str, *args) -> None:
        self.client.send_task(task, args=list(args), queue=self.queue, ignore_result=True)

    def wait_for(self, what: str, check) -> None:
        deadline = time.monotonic() + WAIT
        while not check():
            alive = [worker for worker, _ in self.started if worker.poll() is None]
            if not alive or time.monotonic() > deadline:
                logs = "\n".join(
                    f"--- {log_path.name} (exit {worker.poll()}):\n"
                    + log_path.read_text(encoding="utf-8")
                    for worker, log_path in self.started
                )
                pytest.fail(f"{what}: not within {WAIT} s; the workers' logs:\n{logs}")
            time.sleep(0.2)

    def kill_when_paused(self, point: str) -> None:
        mark = self.marks / f"paused-{point}"
        self.wait_for(f"a worker pausing at {point}", lambda: mark.exists() and mark.read_text())
        pid = int(mark.read_text())
        os.kill(pid, signal.SIGKILL)  # no warm shutdown: the message stays unacknowledged
        worker = next(worker for worker, _ in self.started if worker.pid == pid)
        worker.wait(timeout=10)

    def pinged(self) -> bool:
        """The live worker ran a ping: everything it was sent before is done."""
        for worker, log_path in self.started:
            if worker.poll() is None:
                log = log_path.read_text(encoding="utf-8").splitlines()
                if any("khoi_portal.ping[" in line and "succeeded" in line for line in log):
                    return True
        return False

    def mails_with(self, text: str) -> int:
        return sum(path.read_text(encoding="utf-8").count(text) for path in self.mail.iterdir())

    def close(self) -> None:
        import redis

        for worker, _ in self.started:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=10)
        self.client.close()
        client = redis.Redis.from_url(self.redis_url)
        client.delete(self.queue, *client.scan_iter(match=f"_kombu.*{self.queue}*"))
        client.close()


@pytest.fixture
def workers(tmp_path, transactional_db, monkeypatch):
    # Celery lets these variables override the broker given to the client below (CI's
    # PostgreSQL pass sets CELERY_BROKER_URL): without them, the client talks to the workers' Redis.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    pool = Workers(tmp_path, _redis_url())
    yield pool
    pool.close()


def _issued(world) -> Document:
    draft = services.document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="GM"),
        created_by=world.secretariat,
        subject="Họp thường trực Khối",
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        body="Kính mời các đơn vị dự họp.",
    )
    return services.document_issue(
        document=draft, issued_on=dt.date(2022, 3, 2), issued_by=world.secretariat, render=False
    )


def _pdfs() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_while_rendering_leaves_one_pdf(world, workers):
    document = _issued(world)
    workers.start_two(pause_at="render")
    workers.send("documents.tasks.render_document", document.pk)
    workers.kill_when_paused("render")
    document.refresh_from_db()
    assert not document.is_pdf_ready
    assert _pdfs() == []

    # The other worker gets the killed one's message back after the visibility timeout.
    workers.wait_for("the PDF", lambda: Document.objects.filter(pk=document.pk, sha256__gt=""))
    document.refresh_from_db()
    files = _pdfs()
    assert len(files) == 1
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == document.sha256
    assert files[0].name == Path(document.pdf.name).name


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_while_mailing_sends_the_mail_once(world, workers):
    document = services.document_freeze_pdf(document_id=_issued(world).pk)
    delivery = Delivery.objects.create(
        document=document, name="Bình Định", email="bd@khoiportal.test", unit=world.member
    )
    message_id = f"<van-ban-{document.uid}-{delivery.pk}@khoi-portal>"
    workers.start_two(pause_at="mail")
    workers.send("documents.tasks.send_delivery", delivery.pk)
    workers.kill_when_paused("mail")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING  # claimed, then the worker died
    assert workers.mails_with(message_id) == 0

    workers.wait_for(
        "the delivery", lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").exists()
    )
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert workers.mails_with(message_id) == 1
    # A copy of the message published twice (the outbox's at-least-once) is skipped.
    workers.send("documents.tasks.send_delivery", delivery.pk)
    workers.send("khoi_portal.ping", "done")
    workers.wait_for("the duplicate and a ping after it", workers.pinged)
    assert workers.mails_with(message_id) == 1
    assert _pdfs() == [Path(settings.MEDIA_ROOT) / document.pdf.name]


# --- guarantees held by the database itself --------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_second_signature_of_a_unit(world):
    from covenants.models import Signature
    from tests.covenants.matrix_covenants import paper_signature

    signature = paper_signature(world)
    signature.pk = None
    signature._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        signature.save()
    assert Signature.objects.filter(unit=world.member).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_ballot_for_one_token(world):
    from awards.models import Ballot
    from tests.awards.conftest import flag_round

    ballot_round = flag_round(world)
    token_hash = hashlib.sha256(b"one token").hexdigest()
    Ballot.objects.create(round=ballot_round, token_hash=token_hash, receipt="receipt-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(round=ballot_round, token_hash=token_hash, receipt="receipt-2")
    assert Ballot.objects.filter(round=ballot_round).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_token_of_a_unit_in_a_round(world):
    """The unit's one vote in a round: one token row (a cast creates it used, or flips it)."""
    from awards.models import VoterToken
    from tests.awards.conftest import flag_round

    ballot_round = flag_round(world)
    VoterToken.objects.create(round=ballot_round, unit=world.member, proof="a" * 64, used=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoterToken.objects.create(round=ballot_round, unit=world.member, proof="b" * 64)
    assert VoterToken.objects.filter(round=ballot_round).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_document_number_twice_in_a_series(world):
    first, second = _issued(world), _issued(world)
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=second.pk).update(number=first.number)
    second.refresh_from_db()
    assert second.number == 2


@pytest.mark.django_db
def test_the_database_refuses_a_score_above_its_maximum(world):
    from scoring.models import Entry
    from tests.scoring.matrix_sheets import member_sheet

    entry = member_sheet(world).entries.order_by("pk").first()
    Entry.objects.filter(pk=entry.pk).update(self_score=entry.max_points)  # the maximum is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(self_score=entry.max_points + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(verified_score=entry.max_points + 1)
    entry.refresh_from_db()
    assert entry.self_score == entry.max_points
    assert entry.verified_score is None
