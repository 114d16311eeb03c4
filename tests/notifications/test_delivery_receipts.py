"""Notify's delivery receipts at the callback URL (bearer token), and the fake Notify's outbox page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from accounts.models import PrisonAccess
from accounts.roles import BOOKING_CLERK, VISITS_ADMIN
from notifications.sending import message_send
from tests.factories import make_prison
from tests.notifications.flows import book
from visits.models import FakeNotifyMessage, FlagReason, MessageStatus, OutboxMessage, VisitFlag
from visits.services import ContactDetails

pytestmark = pytest.mark.django_db
TOKEN = "a-long-random-callback-token-0123456789"
URL = "/notify/delivery-receipts"


@pytest.fixture(autouse=True)
def callback_token(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN


@pytest.fixture
def sent() -> OutboxMessage:
    visit = book(make_prison(), timezone.localdate() + timedelta(days=4), ContactDetails(email="mary@example.com"))
    message = OutboxMessage.objects.get(visit=visit)
    message_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def receipt(client: Client, body: Any, token: str | None = TOKEN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def notify_receipt(message: OutboxMessage, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": message.notify_id,
        "reference": message.reference,
        "to": message.recipient,
        "status": status,
        "created_at": "2026-11-23T10:00:00.000000Z",
        "completed_at": "2026-11-23T10:00:05.000000Z",
        "sent_at": "2026-11-23T10:00:01.000000Z",
        "notification_type": message.channel,
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 1,
        **fields,
    }


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_receipts_without_the_bearer_token_are_refused(client: Client, sent: OutboxMessage, token: Any) -> None:
    response = receipt(client, notify_receipt(sent, "delivered"), token=token)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_no_token_configured_refuses_everything(client: Client, sent: OutboxMessage, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert receipt(client, notify_receipt(sent, "delivered"), token="").status_code == 401
    assert client.get(URL).status_code == 405


def test_delivered(client: Client, sent: OutboxMessage) -> None:
    response = receipt(client, notify_receipt(sent, "delivered"))
    assert response.status_code == 200 and response.json() == {"status": "recorded"}
    sent.refresh_from_db()
    assert (sent.status, sent.notify_status) == (MessageStatus.DELIVERED, "delivered")


def test_a_permanent_failure_flags_the_visit_once(client: Client, sent: OutboxMessage) -> None:
    for _ in range(2):  # Notify retries a callback it thinks failed
        assert receipt(client, notify_receipt(sent, "permanent-failure")).status_code == 200
    sent.refresh_from_db()
    assert (sent.status, sent.notify_status) == (MessageStatus.FAILED, "permanent-failure")
    flag = VisitFlag.objects.get(visit=sent.visit_id)
    assert flag.reason == FlagReason.MESSAGE_FAILED
    assert "mary@example.com" in flag.detail and "wrong" in flag.detail
    assert message_send(message_id=sent.pk) == "skipped"  # never retried


def test_a_receipt_for_a_message_whose_sender_died_is_matched_by_reference(client: Client) -> None:
    visit = book(make_prison(), timezone.localdate() + timedelta(days=4), ContactDetails(email="mary@example.com"))
    message = OutboxMessage.objects.get(visit=visit)  # Notify has it, but its id never reached us
    body = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": message.reference, "status": "delivered"}
    assert receipt(client, body).json() == {"status": "recorded"}
    message.refresh_from_db()
    assert (message.status, message.notify_id) == (MessageStatus.DELIVERED, body["id"])
    assert message_send(message_id=message.pk) == "skipped"  # so the sweep will not send it again


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "9d0c8a1e-0000-4000-8000-00000000\x000000"},
        {"id": "", "reference": "outbox-1\x00"},
        {"status": "delivered\x00"},
        {"id": "not-a-uuid"},
    ],
    ids=["NUL in id", "NUL in reference", "NUL in status", "id not a UUID"],
)
def test_receipts_with_hostile_fields_are_refused_not_a_server_error(
    client: Client, sent: OutboxMessage, fields: dict[str, str]
) -> None:
    body = {**notify_receipt(sent, "delivered"), **fields}
    response = receipt(client, body)
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_bad_and_unknown_receipts(client: Client, sent: OutboxMessage) -> None:
    assert receipt(client, "not json").status_code == 400
    assert receipt(client, ["a", "list"]).status_code == 400
    assert receipt(client, {"id": sent.notify_id}).status_code == 400
    unknown = {"id": "9d0c8a1e-0000-4000-8000-000000000000", "reference": "someone-else", "status": "delivered"}
    response = receipt(client, unknown)
    assert response.status_code == 200 and response.json() == {"status": "unknown message"}


# The fake Notify's outbox page ---------------------------------------------------------------------------------


FAKE_OUTBOX = "/notify/fake-outbox"


def test_the_fake_outbox_shows_what_was_sent_in_development(client: Client, sent: OutboxMessage, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    page = client.get(FAKE_OUTBOX).content.decode()
    fake = FakeNotifyMessage.objects.get()
    assert "Messages the fake GOV.UK Notify has sent" in page
    assert fake.subject in page and sent.reference in page and "mary@example.com" in page
    assert f"Reference: {sent.visit.reference}" in page


def test_the_fake_outbox_is_for_visits_admins_only_in_production(client: Client, sent: OutboxMessage) -> None:
    response = client.get(FAKE_OUTBOX)
    assert response.status_code == 302 and "/staff/sign-in" in response["Location"]
    clerk = User.objects.create_user("clerk")
    clerk.groups.add(Group.objects.get_or_create(name=BOOKING_CLERK)[0])
    client.force_login(clerk)
    assert client.get(FAKE_OUTBOX).status_code == 403
    admin = User.objects.create_user("admin")
    admin.groups.add(Group.objects.get_or_create(name=VISITS_ADMIN)[0])
    PrisonAccess.objects.create(user=admin, prison=sent.visit.prison)
    client.force_login(admin)
    page = client.get(FAKE_OUTBOX)
    assert page.status_code == 200 and sent.reference in page.content.decode()


def test_the_fake_outbox_shows_a_staff_user_only_the_prisons_they_cover(client: Client, sent: OutboxMessage) -> None:
    elsewhere = book(
        make_prison("cardiff", "CFI"),
        timezone.localdate() + timedelta(days=4),
        ContactDetails(email="owen@example.com"),
    )
    message_send(message_id=OutboxMessage.objects.get(visit=elsewhere).pk)
    admin = User.objects.create_user("admin")
    admin.groups.add(Group.objects.get_or_create(name=VISITS_ADMIN)[0])
    PrisonAccess.objects.create(user=admin, prison=sent.visit.prison)
    client.force_login(admin)
    page = client.get(FAKE_OUTBOX).content.decode()
    assert "mary@example.com" in page and sent.reference in page
    assert "owen@example.com" not in page and elsewhere.reference not in page
    assert "1 message." in page
    everyone = User.objects.create_superuser("root")
    client.force_login(everyone)
    page = client.get(FAKE_OUTBOX).content.decode()
    assert "mary@example.com" in page and "owen@example.com" in page


def test_there_is_no_fake_outbox_when_notify_is_real(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG, settings.NOTIFY_API_KEY = True, "live-key-00000000-0000-0000-0000-000000000000-11111111-1111"
    assert client.get(FAKE_OUTBOX).status_code == 404
