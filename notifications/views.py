"""Notify's delivery receipts: a callback protected by a bearer token. (The fake Notify's outbox page is the staff
console's: staff.views.fake_outbox.)"""

from __future__ import annotations

import hmac
import json
import logging
import re
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.sending import message_record_delivery

logger = logging.getLogger(__name__)


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
