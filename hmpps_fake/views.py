"""The fake server's endpoints: HMPPS Auth's token, each HMPPS API the service calls (paths, methods, statuses and
error bodies as the real ones have them; prisons/nomis/contract/README.md), and the admin endpoint for faults."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmpps_fake import faults, shapes, tokens
from prisons.nomis.hmpps import codes
from prisons.nomis.interface import EventType, RestrictionType
from prisons.nomis.stub import models as stub
from prisons.nomis.stub.services import StubDataError, event_fire

View = Callable[..., HttpResponse]
CANCEL_OUTCOMES = frozenset({"ADMIN", "HMP", "NO_ID", "NO_VO", "NSHOW", "OFFCANC", "REFUSED", "VISCANC", "VO_CANCEL"})


def error(status: int, message: str, *, more_info: Any = None, nulls: bool = True) -> JsonResponse:
    """The HMPPS ErrorResponse; prison-api and the contact registry leave its null fields out (``nulls=False``)."""
    body = {"status": status, "errorCode": None, "userMessage": message, "developerMessage": message}
    body["moreInfo"] = more_info
    if not nulls:
        body = {key: value for key, value in body.items() if value is not None}
    return JsonResponse(body, status=status)


def _fault(now: faults.Faults) -> HttpResponse | None:
    """The answer a fault in force gives instead of the real one, if any."""
    faults.api_called()
    if now.latency_ms:
        time.sleep(now.latency_ms / 1000)
    if now.down or faults.chance(now.error_share):
        return error(503, "Service unavailable")
    if faults.chance(now.throttle_share):
        response = error(429, "Too many requests")
        response["Retry-After"] = "1"
        return response
    return None


def api(view: View) -> View:
    """An HMPPS API endpoint: a valid bearer token from the token endpoint, and the faults in force."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        started = time.perf_counter()
        try:
            return answer(request, *args, **kwargs)
        finally:
            faults.api_answered(time.perf_counter() - started)

    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        now = faults.faults_now()
        failed = _fault(now)
        if failed is not None:
            return failed
        if not tokens.token_valid(request.headers.get("Authorization", "")):
            return JsonResponse({"error": "invalid_token", "error_description": "Access token expired"}, status=401)
        if faults.chance(now.malformed_share):
            return HttpResponse('{"prisonerNumber": "A1', content_type="application/json")
        return view(request, *args, **kwargs)

    return wrapped


def _prisoner(number: str) -> stub.Prisoner | None:
    return stub.Prisoner.objects.filter(number=number).first()


def _day(request: HttpRequest, name: str, default: date) -> date | None:
    value = request.GET.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# --- HMPPS Auth -----------------------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    if faults.faults_now().auth_down:
        return error(503, "Service unavailable")
    grant = request.GET.get("grant_type") or request.POST.get("grant_type")
    if grant != "client_credentials":
        return JsonResponse(
            {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}, status=400
        )
    client_id = tokens.client_from_basic(request.headers.get("Authorization", ""))
    if client_id is None:
        return JsonResponse({"error": "unauthorized", "error_description": "Bad client credentials"}, status=401)
    return JsonResponse(tokens.token_issue(client_id))


# --- Prisoner search, prison-api, alerts, contacts, non-associations, allocation, whereabouts -------------------------


@api
@require_GET
def prisoner(request: HttpRequest, number: str) -> HttpResponse:
    found = _prisoner(number)
    if found is None:
        return JsonResponse({"status": 404, "developerMessage": f"{number} not found"}, status=404)
    return JsonResponse(shapes.prisoner(found))


@api
@require_GET
def offender_restrictions(request: HttpRequest, number: str) -> HttpResponse:
    found = _prisoner(number)
    if found is None:
        return error(404, f"No bookings found for offender {number}", nulls=False)
    return JsonResponse(shapes.offender_restrictions(found, timezone.localdate()))


@api
@require_GET
def alerts(request: HttpRequest, number: str) -> HttpResponse:
    return JsonResponse(shapes.alerts_page(_prisoner(number)))  # an unknown prisoner: an empty page


@api
@require_GET
def approved_contacts(request: HttpRequest, number: str) -> HttpResponse:
    found = _prisoner(number)
    if found is None:
        return error(404, f"Contacts not found for - {number}", nulls=False)
    return JsonResponse(shapes.approved_contacts(found, timezone.localdate()), safe=False)


@api
@require_GET
def non_associations(request: HttpRequest, number: str) -> HttpResponse:
    found = _prisoner(number)
    if found is None:
        return error(404, f"Could not find the following prisoners: [{number}]")
    return JsonResponse(shapes.non_associations(found))


@api
@require_GET
def balance(request: HttpRequest, number: str) -> HttpResponse:
    found = stub.VisitBalance.objects.filter(prisoner_id=number).first()
    if found is None:
        return error(404, f"Prisoner balance not found for prisoner {number}")
    return JsonResponse(shapes.balance(found))


@api
@require_GET
def scheduled_transfers(request: HttpRequest, number: str) -> HttpResponse:
    found = _prisoner(number)
    if found is None:
        return error(404, f"No bookings found for offender {number}", nulls=False)
    return JsonResponse(shapes.scheduled_transfers(found), safe=False)


@api
@require_GET
def appointments(request: HttpRequest, number: str) -> HttpResponse:
    found = _prisoner(number)
    today = timezone.localdate()
    start, end = _day(request, "fromDate", today), _day(request, "toDate", today)
    if start is None or end is None:
        return error(400, "fromDate and toDate must be dates")
    return JsonResponse([] if found is None else shapes.appointments(found, start, end), safe=False)


@api
@require_GET
def court_hearings(request: HttpRequest, booking: int) -> HttpResponse:
    number = shapes.number_of_booking(booking)
    found = _prisoner(number) if number else None
    if found is None:
        return error(404, f"Resource with id [{booking}] not found.", nulls=False)
    today = timezone.localdate()
    start, end = _day(request, "fromDate", today), _day(request, "toDate", today + timedelta(days=365))
    if start is None or end is None:
        return error(400, "fromDate and toDate must be dates")
    return JsonResponse(shapes.court_hearings(found, start, end))


# --- The NOMIS prisoner API: visits ---------------------------------------------------------------------------------


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _new_visit(body: dict[str, Any]) -> dict[str, Any] | str:
    """The fields of a CreateVisitRequest, or what is wrong with it."""
    try:
        start = datetime.fromisoformat(str(body["startDateTime"]))
        hours, minutes = (int(part) for part in str(body["endTime"]).split(":"))
        end = start.replace(hour=hours, minute=minutes)
        people = body["visitorPersonIds"]
        if not isinstance(people, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in people):
            return "visitorPersonIds must be a list of person ids"
        prison, room, comment = str(body["prisonId"]), str(body["room"]), str(body.get("visitComment") or "")
        status = body["openClosedStatus"]
    except (KeyError, ValueError, TypeError):
        return "startDateTime, endTime, prisonId, visitorPersonIds, room and openClosedStatus are required"
    if status not in (codes.OPEN, codes.CLOSED) or body.get("visitType", codes.SOCIAL_VISIT) != codes.SOCIAL_VISIT:
        return "openClosedStatus must be OPEN or CLOSED, and visitType SCON"
    if not 1 <= len(comment) <= 200 or not room or len(prison) != 3:
        return "visitComment, room and prisonId are required"
    if timezone.is_naive(start):
        start, end = timezone.make_aware(start), timezone.make_aware(end)
    return {"start": start, "end": end, "people": people, "prison": prison, "comment": comment, "status": status}


@api
@require_POST
def visit_create(request: HttpRequest, number: str) -> HttpResponse:
    body = _json_body(request)
    if body is None:
        return error(400, "The body must be a JSON object")
    fields = _new_visit(body)
    if isinstance(fields, str):
        return error(400, fields)
    if _prisoner(number) is None:
        return error(404, f"Prisoner with offenderNo {number} not found with any bookings")
    # NOMIS finds a duplicate by booking, times, comment, status and room, and names it in moreInfo.
    existing = stub.RecordedVisit.objects.filter(prisoner_number=number, reference=fields["comment"]).first()
    if existing is not None:
        return error(409, f"Visit already exists {existing.pk}", more_info=str(existing.pk))
    try:
        with transaction.atomic():
            visit = stub.RecordedVisit.objects.create(
                reference=fields["comment"],
                prisoner_number=number,
                prison_code=fields["prison"],
                start=fields["start"],
                end=fields["end"],
                closed=fields["status"] == codes.CLOSED,
                visitor_contact_ids=fields["people"],
                lead_visitor_name="",
            )
    except IntegrityError:  # the same request twice at once
        existing = stub.RecordedVisit.objects.get(prisoner_number=number, reference=fields["comment"])
        return error(409, f"Visit already exists {existing.pk}", more_info=str(existing.pk))
    return JsonResponse({"visitId": visit.pk}, status=201)


@api
@require_http_methods(["PUT"])
def visit_cancel(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    body = _json_body(request)
    outcome = body.get("outcome") if body else None
    if outcome not in CANCEL_OUTCOMES:
        return error(400, f"Invalid cancellation reason: {outcome}")
    visit = stub.RecordedVisit.objects.filter(pk=visit_id).first()
    if visit is None:
        return error(404, f"Nomis visit id {visit_id} not found")
    if visit.prisoner_number != number:
        return error(400, f"Visit's offenderNo = {visit.prisoner_number} does not match argument = {number}")
    cancelled = stub.RecordedVisit.objects.filter(pk=visit.pk, status=stub.RecordedVisit.Status.BOOKED).update(
        status=stub.RecordedVisit.Status.CANCELLED, cancellation_reason=outcome, cancelled_at=timezone.now()
    )
    if not cancelled:
        return error(409, f"Visit already cancelled, with Cancelled status, visit id {visit.pk}")
    return HttpResponse(status=200)


@api
@require_GET
def visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    found = stub.RecordedVisit.objects.filter(pk=visit_id).first()
    if found is None:
        return error(404, f"Nomis visit id {visit_id} not found")
    return JsonResponse(shapes.recorded_visit(found))


# --- The events queue: Amazon SQS's JSON protocol (ReceiveMessage, DeleteMessage, DeleteMessageBatch) -------------

QUEUE = "prisoner-events"
SQS_JSON = "application/x-amz-json-1.0"


def _sqs_error(kind: str, message: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"__type": f"com.amazonaws.sqs#{kind}", "message": message}, status=status)
    response["Content-Type"] = SQS_JSON
    return response


@csrf_exempt
@require_POST
def sqs(request: HttpRequest) -> HttpResponse:
    """The service's queue, subscribed to the domain events topic: one message per stub event, as SQS delivers them
    (received messages are hidden for the visibility timeout, and gone once deleted)."""
    failed = _fault(faults.faults_now())
    if failed is not None:
        return failed
    if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
        return _sqs_error("MissingAuthenticationToken", "Request must be signed (AWS Signature Version 4)", 403)
    body = _json_body(request)
    target = request.headers.get("X-Amz-Target", "")
    if body is None or not str(body.get("QueueUrl", "")).rstrip("/").endswith(f"/{QUEUE}"):
        return _sqs_error("QueueDoesNotExist", "The specified queue does not exist.")
    now = timezone.now()
    if target == "AmazonSQS.ReceiveMessage":
        wanted = body.get("MaxNumberOfMessages", 1)
        hidden = body.get("VisibilityTimeout", 30)
        if not isinstance(wanted, int) or not 1 <= wanted <= 10 or not isinstance(hidden, int) or hidden < 0:
            return _sqs_error("InvalidParameterValue", "MaxNumberOfMessages must be 1 to 10")
        with transaction.atomic():
            visible = stub.Event.objects.filter(queue_deleted=False).exclude(queue_visible_at__gt=now)
            chosen = list(visible.select_for_update().order_by("id")[:wanted])
            stub.Event.objects.filter(pk__in=[e.pk for e in chosen]).update(
                queue_visible_at=now + timedelta(seconds=hidden)
            )
        messages = []
        for event in chosen:
            text = shapes.sqs_body(event)
            messages.append(
                {
                    "MessageId": shapes.message_id(event),
                    "ReceiptHandle": f"{event.pk}.{secrets.token_urlsafe(12)}",
                    "MD5OfBody": hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
                    "Body": text,
                }
            )
        response = JsonResponse({"Messages": messages} if messages else {})
    elif target in ("AmazonSQS.DeleteMessage", "AmazonSQS.DeleteMessageBatch"):
        entries = body.get("Entries") if target.endswith("Batch") else [{"Id": "0", **body}]
        if not isinstance(entries, list):
            return _sqs_error("InvalidParameterValue", "Entries must be a list")
        handles = {str(entry.get("Id")): str(entry.get("ReceiptHandle", "")) for entry in entries}
        ids = {key: handle.split(".", 1)[0] for key, handle in handles.items()}
        if not all(value.isdigit() for value in ids.values()):
            return _sqs_error("ReceiptHandleIsInvalid", "The input receipt handle is invalid.")
        stub.Event.objects.filter(pk__in=[int(value) for value in ids.values()]).update(queue_deleted=True)
        response = JsonResponse(
            {"Successful": [{"Id": key} for key in handles], "Failed": []} if target.endswith("Batch") else {}
        )
    else:
        return _sqs_error("InvalidAction", f"The action {target or '(none)'} is not valid for this endpoint.")
    response["Content-Type"] = SQS_JSON
    return response


# --- Its own admin: the faults --------------------------------------------------------------------------------------


def _admin(request: HttpRequest) -> bool:
    key = getattr(settings, "HMPPS_FAKE_ADMIN_KEY", "")
    given = request.headers.get("X-Fake-Admin-Key", "")
    return bool(key) and hmac.compare_digest(key.encode(), given.encode())


@csrf_exempt
@require_http_methods(["GET", "PUT"])
def faults_view(request: HttpRequest) -> HttpResponse:
    if not _admin(request):
        return error(403, "The X-Fake-Admin-Key header is missing or wrong")
    if request.method == "PUT":
        body = _json_body(request)
        if body is None:
            return error(400, "The body must be a JSON object of faults")
        try:
            faults.faults_set(body)
        except ValueError as problem:
            return error(400, str(problem))
    counts = {"api_calls": faults.api_calls(), "api_seconds": round(faults.api_seconds(), 6)}
    return JsonResponse({**faults.faults_now().as_json(), **counts})


@csrf_exempt
@require_POST
def tokens_expire(request: HttpRequest) -> HttpResponse:
    if not _admin(request):
        return error(403, "The X-Fake-Admin-Key header is missing or wrong")
    faults.tokens_expire()
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def events_fire(request: HttpRequest) -> HttpResponse:
    """A change in NOMIS, and its event on the queue: ``{"type": "moved", "prisoner_number": "A1001AA",
    "to_prison": "CFI"}`` (the fields of ``prisons.nomis.stub.services.event_fire``)."""
    if not _admin(request):
        return error(403, "The X-Fake-Admin-Key header is missing or wrong")
    body = _json_body(request)
    if body is None:
        return error(400, "The body must be a JSON object")
    try:
        end_date = date.fromisoformat(body["end_date"]) if body.get("end_date") else None
        event = event_fire(
            event_type=EventType(body.get("type")),
            prisoner_number=str(body.get("prisoner_number", "")),
            to_prison=body.get("to_prison"),
            contact_id=int(body["contact_id"]) if body.get("contact_id") is not None else None,
            end_date=end_date,
            restriction=RestrictionType(body["restriction"]) if body.get("restriction") else None,
            visiting_orders=body.get("visiting_orders"),
            privileged_visiting_orders=body.get("privileged_visiting_orders"),
            comment=str(body.get("comment", ""))[:200],
        )
    except (StubDataError, ValueError, TypeError) as problem:
        return error(400, str(problem))
    return JsonResponse({"id": event.pk, "messageId": shapes.message_id(event)}, status=201)


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "UP", "prisoners": stub.Prisoner.objects.count()})
