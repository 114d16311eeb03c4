"""Notify's delivery receipts (a callback protected by a bearer token), and the fake Notify's outbox page."""

from __future__ import annotations

import hmac
import json
import logging
import re
import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from staff.roles import VISITS_ADMIN
from visits.models import FakeNotifyMessage, OutboxMessage
from visits.notifications import message_record_delivery
from visits.notify import using_fake

logger = logging.getLogger(__name__)
FAKE_OUTBOX_SHOWS = 100


def _bearer_token_ok(request: HttpRequest) -> bool:
    expected = settings.NOTIFY_CALLBACK_TOKEN
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode())


RECEIPT_REFERENCE = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII: what we send as references
RECEIPT_STATUS = re.compile(r"[a-z][a-z-]{0,29}")


def _receipt_fields_ok(notify_id: str, reference: str, status: str) -> bool:
    """Notify's ids are UUIDs, our references and its statuses plain words: anything else (a NUL byte, which
    PostgreSQL cannot store or compare) is not a receipt of ours."""
    if notify_id:
        try:
            uuid.UUID(notify_id)
        except ValueError:
            return False
    if reference and not RECEIPT_REFERENCE.fullmatch(reference):
        return False
    return bool(RECEIPT_STATUS.fullmatch(status))


@csrf_exempt
@require_POST
def delivery_receipt(request: HttpRequest) -> HttpResponse:
    """Notify's receipt for one message: delivered, or a failure that flags the visit for staff."""
    if not _bearer_token_ok(request):
        response = JsonResponse({"error": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        receipt = json.loads(request.body)
        notify_id, reference, status = (str(receipt.get(k) or "") for k in ("id", "reference", "status"))
    except (ValueError, AttributeError):
        return JsonResponse({"error": "Expected a JSON object"}, status=400)
    if not status or not (notify_id or reference):
        return JsonResponse({"error": "Expected id or reference, and status"}, status=400)
    if not _receipt_fields_ok(notify_id, reference, status):
        return JsonResponse({"error": "Expected a UUID id, a printable reference and a status"}, status=400)
    message = message_record_delivery(notify_id=notify_id, reference=reference, status=status)
    if message is None:  # deleted since (anonymised), or not ours: nothing to do, and nothing for Notify to retry
        logger.info("Delivery receipt for an unknown message: id %s, reference %s", notify_id, reference)
    return JsonResponse({"status": "recorded" if message else "unknown message"})


@require_safe
def fake_outbox(request: HttpRequest) -> HttpResponse:
    """What the fake Notify 'sent', newest first: for development and demos (routed only with NOTIFY_FAKE on).

    With DEBUG off only visits admins see it, and a staff user sees only the messages of visits at the prisons they
    cover (a superuser sees all); with DEBUG on, a visitor who is not signed in sees every message (local
    development)."""
    if not using_fake():
        raise Http404("Messages go to GOV.UK Notify: see them there")
    user = request.user
    if not settings.DEBUG:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_superuser or user.groups.filter(name=VISITS_ADMIN).exists()):
            raise PermissionDenied
    shown = FakeNotifyMessage.objects.all()
    if user.is_authenticated and not user.is_superuser:
        covered = (
            OutboxMessage.objects.filter(
                Q(visit__prison__staff_access__user=user)
                | Q(waiting__prison__staff_access__user=user)
                | Q(prison__staff_access__user=user)
            )
            .annotate(notify_reference=Concat(Value("outbox-"), Cast("pk", CharField())))
            .values("notify_reference")
        )
        shown = shown.filter(reference__in=covered)
    messages = list(shown.order_by("-created_at")[:FAKE_OUTBOX_SHOWS])
    for message in messages:
        message.sent_display = f"{timezone.localtime(message.created_at):%-d %B %Y, %H:%M:%S}"  # type: ignore[attr-defined]
    # Not "messages": the messages context processor would overwrite it.
    return render(
        request,
        "visits/notify/fake-outbox.html",
        {"sent_messages": messages, "total": shown.count(), "shows": FAKE_OUTBOX_SHOWS},
    )
