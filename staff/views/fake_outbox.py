"""The fake Notify's outbox page: what the fake Notify "sent" (no NOTIFY_API_KEY), for development and demos.

Routed only with NOTIFY_FAKE on (config/urls.py). With DEBUG off only visits admins see it, each the messages of the
prisons they cover."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.roles import VISITS_ADMIN
from notifications.gateway import using_fake
from visits.models import FakeNotifyMessage, OutboxMessage

FAKE_OUTBOX_SHOWS = 100


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
        "staff/fake-outbox.html",
        {"sent_messages": messages, "total": shown.count(), "shows": FAKE_OUTBOX_SHOWS},
    )
