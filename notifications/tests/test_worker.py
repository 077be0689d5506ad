"""The beat's task through a real Celery worker process on Redis and a real SMTP server: a task
queued twice (two beats, a retry) sends each digest once."""

from __future__ import annotations

import os

import pytest

from conftest import start_worker, stop_worker, subprocess_env, wait_for
from notifications.models import Delivery
from notifications.tasks import retry_pending_notifications, send_due_notifications
from tests.worlds import BEL_AIR

from .helpers import returned, submitted_work, with_address

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MAIL_QUEUE = "mail-tests"


@pytest.fixture
def mail_worker(smtp_server, django_db_blocker, settings):
    """A worker of this test run whose mail goes to the test's SMTP server."""
    from haiti_esc.celery import app

    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: run the suite with `make test` (Redis on 127.0.0.1).")
    with django_db_blocker.unblock():
        env = subprocess_env(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_server.port),
        )
    app.connection_for_write().default_channel.client.flushdb()
    # A queue of its own: the suite's shared worker (progress tests) must not take these tasks.
    process = start_worker(env, "mail", queues=MAIL_QUEUE)
    yield process
    stop_worker(process)


SEND, RETRY = send_due_notifications.name, retry_pending_notifications.name


def tasks_done() -> dict[str, int]:
    """The tasks the test's mail worker has finished, by name (its own count, `celery inspect stats`)."""
    from haiti_esc.celery import app

    worker = f"mail-{os.getpid()}@{os.uname().nodename}"
    stats = app.control.inspect(destination=[worker], timeout=1).stats() or {}
    return stats.get(worker, {}).get("total", {})


def test_the_task_queued_twice_sends_each_digest_once(two_hoods, smtp_server, mail_worker):
    with_address(two_hoods["manager"], two_hoods["admin"], two_hoods[BEL_AIR].staff)
    record = submitted_work(two_hoods[BEL_AIR])
    submitted_work(two_hoods[BEL_AIR])
    returned(record, by=two_hoods["manager"])

    send_due_notifications.apply_async(queue=MAIL_QUEUE)
    send_due_notifications.apply_async(queue=MAIL_QUEUE)
    retry_pending_notifications.apply_async(queue=MAIL_QUEUE)

    # Every run has had its turn: the worker itself counts the tasks it finished.
    wait_for(lambda: tasks_done() == {SEND: 2, RETRY: 1}, timeout=30)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    assert sorted(m["To"] for m in smtp_server.messages()) == sorted(
        [two_hoods["manager"].email, two_hoods["admin"].email, two_hoods[BEL_AIR].staff.email]
    )
    assert "1 record waits for review" in smtp_server.to(two_hoods["manager"].email)[0]["Subject"]


def test_the_catch_up_task_sends_what_the_mail_server_refused_once_it_is_back(
    two_hoods, smtp_server, mail_worker
):
    with_address(two_hoods["manager"])
    submitted_work(two_hoods[BEL_AIR])
    smtp_server.stop()
    send_due_notifications.apply_async(queue=MAIL_QUEUE)
    wait_for(lambda: Delivery.objects.filter(attempts__gte=1).exists(), timeout=20)
    assert smtp_server.messages() == []
    assert Delivery.objects.get().status == Delivery.Status.PENDING

    smtp_server.start()
    retry_pending_notifications.apply_async(queue=MAIL_QUEUE)

    wait_for(lambda: len(smtp_server.messages()) == 1, timeout=20)
    wait_for(lambda: Delivery.objects.get().status == Delivery.Status.SENT, timeout=10)
