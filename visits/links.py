"""Signed links to manage a visit: unguessable, tied to one visit, and no good after the visit, or once the visitor
has cancelled it or withdrawn it."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from visits.models import Visit, VisitState, ended_by_the_visitor

SALT = "visits.manage-link"


def manage_token(visit: Visit) -> str:
    return signing.dumps({"ref": visit.reference}, salt=SALT, compress=True)


def manage_url(visit: Visit) -> str:
    """The absolute link to manage this visit, for messages."""
    return settings.SERVICE_BASE_URL.rstrip("/") + reverse("visits:manage-link", args=[manage_token(visit)])


def ended_by_the_visitor_for_token(token: str) -> Visit | None:
    """The visit of a good link that its visitor has cancelled or withdrawn (the link ended with it), else None:
    for saying "already cancelled" to a form sent again, not for showing the visit."""
    try:
        reference = signing.loads(token, salt=SALT)["ref"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    return Visit.objects.filter(ended_by_the_visitor(), reference=reference).first()


def visit_for_token(token: str, *, now: datetime | None = None) -> Visit | None:
    """The visit a manage link is for, or None if the link is bad or the visit has happened."""
    try:
        reference = signing.loads(token, salt=SALT)["ref"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    visit = Visit.objects.select_related("session", "prison").filter(reference=reference).first()
    if visit is None:
        return None
    now = now or timezone.now()
    ends = timezone.make_aware(datetime.combine(visit.session.date, visit.session.end_time))
    if now >= ends:
        return None
    if visit.state in (VisitState.CANCELLED, VisitState.WITHDRAWN) and (
        Visit.objects.filter(ended_by_the_visitor(), pk=visit.pk).exists()
    ):
        return None  # the visitor ended it: the link ends with it
    return visit
