"""Messages through a real Celery worker on Redis to a fake Notify HTTP server, and what happens when things fail:
Notify answering 500 and 429, answers lost to timeouts, a worker killed mid-send, Redis down when a booking
commits, and Notify refusing a message. Every message arrives exactly once, or is failed and its visit flagged."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.sending import outbox_sweep
from tests.factories import make_prison
from tests.notifications.conftest import ROOT, TEMPLATE_IDS, Worker, process_env, wait_until
from tests.notifications.fake_notify import FakeNotify
from tests.notifications.flows import CONTACT, WELSH_CONTACT, book, every_kind_of_message, session_on
from visits.models import FlagReason, MessageStatus, OutboxMessage, Visit, VisitFlag, VisitState
from visits.services import ContactDetails

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def wait_until_sent(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while OutboxMessage.objects.filter(status=MessageStatus.PENDING).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def all_sent(timeout: float = 60) -> list[OutboxMessage]:
    assert wait_until_sent(timeout), f"messages still unsent after {timeout:g} s"
    return list(OutboxMessage.objects.order_by("id"))


def assert_exactly_once(fake: FakeNotify, messages: list[OutboxMessage]) -> None:
    arrived = fake.per_reference()
    assert {m.reference: arrived[m.reference] for m in messages} == {m.reference: 1 for m in messages}
    assert sum(arrived.values()) == len(messages)
    by_reference = {n["reference"]: n for n in fake.sent()}
    for message in messages:
        assert message.status == MessageStatus.SENT, (message.reference, message.last_error)
        assert message.notify_id == by_reference[message.reference]["id"]


def test_every_kind_of_message_goes_through_the_broker_to_notify(worker: Worker, fake_notify: FakeNotify) -> None:
    mailbox = "socialvisits@rochester.example"
    prison = make_prison(name_cy="Carchar Rochester", phone="0300 060 6603", visits_mailbox=mailbox)
    every_kind_of_message(prison)
    book(prison, timezone.localdate() + timedelta(days=14), WELSH_CONTACT)  # in Welsh
    messages = all_sent()

    assert_exactly_once(fake_notify, messages)
    kinds = Counter((m.kind, m.channel) for m in messages)
    for kind in ("booked", "requested", "approved", "rejected", "cancelled_by_visitor", "cancelled_by_prison"):
        assert kinds[(kind, "email")] >= 1 and kinds[(kind, "sms")] >= 1, kind
    assert kinds[("changed", "email")] == kinds[("reminder", "email")] == 1
    # The prison's mailbox: one email per request (3 made) and one for the visitor's cancellation.
    assert kinds[("prison_new_request", "email")] == 3 and kinds[("prison_visitor_cancelled", "email")] == 1
    for notification in fake_notify.sent():
        message = next(m for m in messages if m.reference == notification["reference"])
        language = "cy" if message.recipient in (WELSH_CONTACT.email, "07700 900456") else "en"
        name = f"{message.kind}.{message.channel}.{language}"
        assert notification["template"]["id"] == TEMPLATE_IDS[name]
        assert notification["personalisation"] == message.personalisation
        recipient = notification.get("email_address") or notification.get("phone_number")
        assert recipient == message.recipient
        if message.kind.startswith("prison_"):
            assert message.recipient == mailbox and message.personalisation["console_link"] in notification["body"]
            continue
        assert message.personalisation["manage_link"] in notification["body"]  # every message links to the visit
    rejected = next(n for n in fake_notify.sent() if n["template_name"] == "rejected.email.en")
    assert "* The visits hall is closed for repairs" in rejected["body"]
    assert "renews on" in rejected["body"]
    welsh = next(n for n in fake_notify.sent() if n["template_name"] == "booked.email.cy")
    assert welsh["subject"].startswith("Ymweliad wedi'i drefnu: Dydd")
    assert "Carchar Rochester" in welsh["body"]


def test_500s_429s_and_lost_answers_then_recovery_deliver_each_message_exactly_once(
    worker: Worker, fake_notify: FakeNotify
) -> None:
    fake_notify.fail_next(3, 500)
    fake_notify.fail_next(2, 500, after_recording=True)  # Notify kept the message, but the answer was an error
    fake_notify.fail_next(4, 429)
    fake_notify.fail_next(2, 503, "Exception", "Service unavailable", after_recording=True)
    fake_notify.delay_next(2, 2.0)  # kept, then answered after the client's 1.5-second timeout
    prison = make_prison()
    for n in range(5):
        book(prison, timezone.localdate() + timedelta(days=3 + n))
    messages = all_sent(timeout=60)

    assert len(messages) == 10
    assert_exactly_once(fake_notify, messages)
    assert sum(m.attempts for m in messages) > len(messages)  # there were retries...
    posts = Counter(status for method, _, status in fake_notify.requests if method == "POST")
    assert posts == {500: 5, 429: 4, 503: 2, 201: 6}
    # ...and the 6 messages Notify kept though their answers were lost (4 errors, 2 timeouts) were found by their
    # reference on the next try, not sent again.
    assert sum(1 for method, _, status in fake_notify.requests if method == "GET" and status == 200) >= 6


def test_a_worker_killed_mid_send_loses_and_duplicates_nothing(
    worker: Worker, start_worker, fake_notify: FakeNotify
) -> None:
    worker.consume(False)  # the shared worker steps aside: this one gets the task
    doomed = start_worker(NOTIFY_TIMEOUT_SECONDS="20")
    fake_notify.delay_next(1, 30)  # Notify keeps the message, and the worker waits for the answer...
    visit = book(make_prison(), timezone.localdate() + timedelta(days=4))
    assert fake_notify.received.wait(timeout=30)
    doomed.kill()  # ...and is killed while it waits
    messages = list(OutboxMessage.objects.filter(visit=visit).order_by("id"))
    assert [m.status for m in messages] == [MessageStatus.PENDING] * 2
    assert messages[0].claimed_at is not None and fake_notify.per_reference()[messages[0].reference] == 1

    worker.consume(True)  # another worker; the killed one's task is not redelivered for an hour (visibility timeout)
    lease = timedelta(seconds=float(worker.env["NOTIFY_CLAIM_LEASE_SECONDS"]))
    wait_until(lambda: timezone.now() > messages[0].claimed_at + lease, timeout=30, what="the claim to run out")

    def swept() -> bool:  # the beat's sweep, each minute (every few seconds here)
        outbox_sweep(now=timezone.now() + timedelta(minutes=5))
        return wait_until_sent(timeout=5)

    wait_until(swept, timeout=60, interval=0, what="the sweep to send the stuck messages")
    messages = list(OutboxMessage.objects.filter(visit=visit).order_by("id"))
    assert_exactly_once(fake_notify, messages)
    assert messages[0].attempts == 2  # the second try asked Notify by reference and found the first had got there


def test_redis_down_when_the_booking_commits_then_the_sweep_sends_it_once(
    worker: Worker, fake_notify: FakeNotify
) -> None:
    session = session_on(make_prison(), timezone.localdate() + timedelta(days=5))
    booking = subprocess.run(
        [sys.executable, "-m", "tests.notifications.book_elsewhere", str(session.id)],
        cwd=ROOT,
        env=process_env(REDIS_URL="redis://127.0.0.1:9/0"),  # nothing listens on port 9
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert booking.returncode == 0, booking.stderr
    assert Visit.objects.get(reference=booking.stdout.strip()).state == VisitState.BOOKED  # the booking committed
    messages = list(OutboxMessage.objects.order_by("id"))
    assert len(messages) == 2 and all(m.status == MessageStatus.PENDING and m.attempts == 0 for m in messages)

    later = timezone.now() + timedelta(minutes=5)
    worker.consume(False)
    assert outbox_sweep(now=later)["queued"] == 2
    assert outbox_sweep(now=later)["queued"] == 2  # two beats at once: each message is queued twice...
    worker.consume(True)
    messages = all_sent()  # ...and sent once
    assert_exactly_once(fake_notify, messages)


def test_a_400_fails_the_message_flags_the_visit_and_is_not_retried(worker: Worker, fake_notify: FakeNotify) -> None:
    fake_notify.fail_next(1, 400, "ValidationError", "email_address Not a valid email address")
    visit = book(make_prison(), timezone.localdate() + timedelta(days=4), ContactDetails(email=CONTACT.email))
    message = wait_until(
        lambda: OutboxMessage.objects.filter(visit=visit, status=MessageStatus.FAILED).first(), what="the failure"
    )
    assert message.attempts == 1 and "Not a valid email address" in message.last_error
    flag = VisitFlag.objects.get(visit=visit)
    assert flag.reason == FlagReason.MESSAGE_FAILED and CONTACT.email in flag.detail
    assert outbox_sweep(now=timezone.now() + timedelta(minutes=5))["queued"] == 0
    assert fake_notify.requests_for(message.reference) == [("POST", message.reference, 400)]
    assert fake_notify.sent() == []
