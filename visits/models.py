"""The booking domain's data: visits, their visitors, preferences, flags, events, and the outbox of messages.

State changes happen only in ``visits.services``; each leaves a ``VisitEvent``.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from prisons.models import Prison, VisitSession

HOLD_MINUTES = 10
# How long a place offered from a session's waiting list is kept for the person it was offered to.
OFFER_MINUTES = 30


class VisitState(models.TextChoices):
    RESERVED = "reserved", gettext_noop("Reserved")  # a 10-minute hold while the visitor finishes the journey
    BOOKED = "booked", gettext_noop("Booked")
    REQUESTED = "requested", gettext_noop("Requested")  # needs staff review
    REJECTED = "rejected", gettext_noop("Rejected")
    WITHDRAWN = "withdrawn", gettext_noop("Withdrawn")
    CANCELLED = "cancelled", gettext_noop("Cancelled")
    ATTENDED = "attended", gettext_noop("Attended")
    NO_SHOW = "no_show", gettext_noop("Did not attend")
    EXPIRED = "expired", gettext_noop("Hold expired")


# States that take a place in their session (a reserved hold only until it expires).
PLACE_TAKING_STATES = (VisitState.RESERVED, VisitState.BOOKED, VisitState.REQUESTED)
# States of a visit that is still going to happen (or may): for double-booking and non-association checks.
ACTIVE_STATES = PLACE_TAKING_STATES


class SupportNeed(models.TextChoices):
    """Help or support someone on the visit needs, as the visitor chose it."""

    WHEELCHAIR = "wheelchair", gettext_noop("Wheelchair access")
    STEP_FREE = "step_free", gettext_noop("Step-free access")
    HEARING_LOOP = "hearing_loop", gettext_noop("A hearing loop")
    BSL = "bsl", gettext_noop("A British Sign Language (BSL) interpreter")
    SEATING = "seating", gettext_noop("Somewhere to sit while waiting")
    OTHER = "other", gettext_noop("Something else")


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    PRISONER = "prisoner", "By the prisoner"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    WELSH = "cy", "Cymraeg"


class Visit(models.Model):
    """One visit: a session, a prisoner, a party of visitors, a main contact, and its state."""

    reference = models.CharField(max_length=11, unique=True)
    prison = models.ForeignKey(Prison, on_delete=models.PROTECT, related_name="visits")
    session = models.ForeignKey(VisitSession, on_delete=models.PROTECT, related_name="visits")
    closed = models.BooleanField(default=False, help_text="A closed visit (behind a screen).")
    state = models.CharField(max_length=10, choices=VisitState.choices, default=VisitState.RESERVED)
    hold_expires_at = models.DateTimeField(null=True, blank=True)

    prisoner_number = models.CharField(max_length=7)
    prisoner_first_name = models.CharField(max_length=100)
    prisoner_last_name = models.CharField(max_length=100)
    prisoner_date_of_birth = models.DateField(null=True, blank=True)
    prisoner_location = models.CharField(max_length=40, blank=True)

    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True, help_text="A UK mobile in E.164, e.g. +447700900123.")
    wants_email = models.BooleanField(default=True)
    wants_sms = models.BooleanField(default=False)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    support_needs = models.JSONField(default=list, blank=True)
    support_details = models.CharField(max_length=200, blank=True)

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits_booked"
    )
    overbooked = models.BooleanField(default=False, help_text="Booked by staff beyond the session's capacity.")
    rejection_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # NOMIS: set when a change must reach NOMIS; cleared by nomis_sync.sync once NOMIS matches the visit.
    nomis_sync_needed = models.BooleanField(default=False)
    nomis_visit_id = models.CharField(max_length=40, blank=True)
    nomis_key = models.CharField(max_length=40, blank=True, help_text="What NOMIS recorded the booking under.")
    nomis_synced_at = models.DateTimeField(null=True, blank=True)
    nomis_sync_attempts = models.PositiveIntegerField(default=0)
    nomis_sync_error = models.CharField(max_length=300, blank=True)
    # A visitor's cancellation, seen by the prison's staff (it is shown in the console until then).
    cancellation_seen_at = models.DateTimeField(null=True, blank=True)
    # The session date the reminder was sent for: a visit moved to another day gets a reminder for its new date.
    reminder_sent_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["session__date", "session__start_time", "id"]
        constraints = [
            # Never the same prisoner twice in one session: the database refuses it whatever the code does. An
            # anonymised visit has no prisoner any more, so it is not counted (two old visits of one session left
            # booked would otherwise both become the same blank prisoner).
            models.UniqueConstraint(
                fields=["session", "prisoner_number"],
                condition=Q(state__in=[s.value for s in ACTIVE_STATES], anonymised_at__isnull=True),
                name="one_active_visit_per_prisoner_per_session",
            ),
            models.CheckConstraint(
                condition=~Q(state=VisitState.RESERVED) | Q(hold_expires_at__isnull=False),
                name="reserved_visit_has_hold_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "state"], name="visit_session_state"),
            models.Index(fields=["prisoner_number", "state"], name="visit_prisoner_state"),
            models.Index(fields=["prison", "state"], name="visit_prison_state"),
            models.Index(fields=["updated_at"], condition=Q(nomis_sync_needed=True), name="visit_nomis_unsynced"),
            # The date picker's places taken: the visits that take a place, by session (a small part of the table,
            # which holds every past visit too): docs/benchmarks.md shows the plan at national size.
            models.Index(
                fields=["session", "closed"],
                condition=Q(state__in=[s.value for s in PLACE_TAKING_STATES]),
                name="visit_places_taken",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def support_summary(self) -> str:
        """The support needs in words, then the visitor's own details: for staff pages and the visit sheet."""
        labels = dict(SupportNeed.choices)
        parts = [str(labels.get(need, need)) for need in self.support_needs if need != SupportNeed.OTHER]
        if self.support_details:
            parts.append(self.support_details)
        return "; ".join(parts)


class Visitor(models.Model):
    """One member of the party; position 0 is the lead visitor."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="visitors")
    position = models.PositiveSmallIntegerField()
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    nomis_contact_id = models.BigIntegerField(null=True, blank=True, help_text="The approved-list contact matched.")
    refused = models.BooleanField(default=False, help_text="Refused by staff; the rest of the visit stands.")
    approved_for_visit = models.BooleanField(
        default=False, help_text="Not on the approved list, but approved by staff for this visit."
    )
    refusal_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["visit", "position"]
        constraints = [models.UniqueConstraint(fields=["visit", "position"], name="one_visitor_per_position")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_lead(self) -> bool:
        return self.position == 0

    @property
    def needs_decision(self) -> bool:
        """Not on the prisoner's approved list, and not yet approved for this visit or refused by staff."""
        return self.nomis_contact_id is None and not self.approved_for_visit and not self.refused


class VisitPreference(models.Model):
    """A session a visitor asked for, in order, when the visit is a request (up to 3)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField()
    session = models.ForeignKey(VisitSession, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["visit", "rank"]
        constraints = [models.UniqueConstraint(fields=["visit", "rank"], name="one_preference_per_rank")]

    def __str__(self) -> str:
        return f"{self.visit_id} preference {self.rank}"


class FlagReason(models.TextChoices):
    PRISONER_MOVED = "prisoner_moved", "Prisoner moved"
    PRISONER_RELEASED = "prisoner_released", "Prisoner released"
    RESTRICTION = "restriction", "New restriction"
    VISITOR_BANNED = "visitor_banned", "Visitor banned"
    DATE_BLOCKED = "date_blocked", "Date blocked"
    SESSION_CHANGED = "session_changed", "Session changed"
    MESSAGE_FAILED = "message_failed", "Message could not be delivered"


class VisitFlag(models.Model):
    """Something changed after booking that staff must look at; cleared by changing, cancelling or keeping."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["visit"], condition=Q(cleared_at__isnull=True), name="open_flags")]

    def __str__(self) -> str:
        return self.get_reason_display()


class EventType(models.TextChoices):
    RESERVED = "reserved", "Reserved"
    BOOKED = "booked", "Booked"
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Request approved"
    REJECTED = "rejected", "Request rejected"
    WITHDRAWN = "withdrawn", "Request withdrawn"
    CANCELLED = "cancelled", "Cancelled"
    CHANGED = "changed", "Changed"
    VISITOR_REFUSED = "visitor_refused", "Visitor refused"
    VISITOR_APPROVED = "visitor_approved", "Visitor approved for this visit"
    CANCELLATION_SEEN = "cancellation_seen", "Cancellation seen by staff"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not attend"
    EXPIRED = "expired", "Hold expired"
    FLAGGED = "flagged", "Flagged for review"
    FLAG_CLEARED = "flag_cleared", "Flag cleared"
    OVERRIDE = "override", "Rule overridden by staff"


def ended_by_the_visitor() -> Q:
    """Visits whose visitor cancelled or withdrew them (not staff, not the system): a filter on Visit."""
    return Q(
        events__type__in=[EventType.CANCELLED, EventType.WITHDRAWN],
        events__actor__isnull=True,
        events__actor_label="visitor",
    )


class VisitEvent(models.Model):
    """One thing that happened to a visit: what, who, when, why and through which channel."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, help_text="'visitor', 'system', or the staff user's name.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} by {self.actor_label}"


class MessageKind(models.TextChoices):
    BOOKED = "booked", "Visit booked"
    REQUESTED = "requested", "Visit requested"
    APPROVED = "approved", "Request approved"
    REJECTED = "rejected", "Request rejected"
    CANCELLED_BY_VISITOR = "cancelled_by_visitor", "Visit cancelled by you"
    CANCELLED_BY_PRISON = "cancelled_by_prison", "Visit cancelled by the prison"
    CHANGED = "changed", "Visit changed"
    REMINDER = "reminder", "Reminder"
    # From a session's waiting list (WaitingListEntry): joining it, and a place offered.
    WAITING_JOINED = "waiting_joined", "On the waiting list"
    PLACE_OFFERED = "place_offered", "A place has come up"
    # To the prison's visits mailbox (Prison.visits_mailbox), never the visitor: settings.NOTIFY_MAILBOX_MESSAGE_KINDS
    PRISON_NEW_REQUEST = "prison_new_request", "New request (to the prison's mailbox)"
    PRISON_VISITOR_CANCELLED = "prison_visitor_cancelled", "Visitor's cancellation (to the prison's mailbox)"
    PRISON_MAILBOX_CHANGED = "prison_mailbox_changed", "Mailbox changed (to the prison's old mailbox)"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent to Notify"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed permanently"


class OutboxMessage(models.Model):
    """A message to send, written in the same transaction as the change that causes it: about a visit, to someone
    on a session's waiting list, or about a prison to its visits mailbox."""

    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    waiting = models.ForeignKey(
        "WaitingListEntry", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # A message about the prison itself, to its visits mailbox (the mailbox changed).
    prison = models.ForeignKey(Prison, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=MessageKind.choices)
    channel = models.CharField(max_length=5, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254)
    personalisation = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    notify_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set by the sender that holds this row while it talks to Notify; another sender may take it over only once the
    # lease has run out (the first one died). See docs/notifications.md.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Notify's own status from its delivery receipt: delivered, permanent-failure, temporary-failure, ...
    notify_status = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False) | Q(waiting__isnull=False) | Q(prison__isnull=False),
                name="outbox_message_is_about_something",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"

    @property
    def reference(self) -> str:
        """The reference Notify keeps with the message: how a sender finds out whether an earlier try got through."""
        return f"outbox-{self.pk}"


class FakeNotifyMessage(models.Model):
    """What the fake Notify gateway 'sent' (no NOTIFY_API_KEY): the rendered text, for development and demos."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=100, db_index=True)
    notification_type = models.CharField(max_length=5, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254)
    template_id = models.CharField(max_length=64)
    template_name = models.CharField(max_length=60, help_text="e.g. booked.email.en")
    personalisation = models.JSONField(default=dict)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.template_name} to {self.recipient}"


class NomisEventCursor(models.Model):
    """Where the service has read NOMIS's prisoner events feed up to."""

    name = models.CharField(max_length=40, primary_key=True)
    cursor = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # While NOMIS cannot be read: since when, and the last reason (the kind of error, never its text). Cleared by
    # the first poll that reads the feed again. The health check /healthz/nomis reports it.
    failing_since = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.cursor or 'the start'}"


class ProcessedNomisEvent(models.Model):
    """A NOMIS event already acted on: stored in the same transaction as its effects, so never acted on twice."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=30)
    processed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class JourneyCount(models.Model):
    """How many booking journeys were started at a prison on a day, and how many of those ended in a booking or a
    request: counted from the visitor's session (journey.counting), for the completion rate. No personal data."""

    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The day the journeys started (a completion counts on its journey's day).")
    started = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "prison"]
        constraints = [models.UniqueConstraint(fields=["prison", "day"], name="one_journey_count_per_prison_day")]
        indexes = [models.Index(fields=["day"], name="journey_count_day")]

    def __str__(self) -> str:
        return f"{self.prison_id} {self.day}: {self.completed} of {self.started}"


class WaitingState(models.TextChoices):
    WAITING = "waiting", gettext_noop("Waiting")
    OFFERED = "offered", gettext_noop("Place offered")  # a place held for them for OFFER_MINUTES
    BOOKED = "booked", gettext_noop("Booked")  # the offered place became their visit (booked or requested)
    LAPSED = "lapsed", gettext_noop("Offer not taken")  # the offer ran out, and went to the next person
    LEFT = "left", gettext_noop("Left the list")
    ENDED = "ended", gettext_noop("List ended")  # the session can no longer be booked, or could not take them


# The entries still on a list: waiting for a place, or holding one offered to them.
LIVE_WAITING_STATES = (WaitingState.WAITING, WaitingState.OFFERED)


def new_waiting_key() -> str:
    return secrets.token_urlsafe(16)


class WaitingListEntry(models.Model):
    """Someone waiting for a place in a full session, for one prisoner and party (waiting_list.services). Places are
    offered in the order people joined, one at a time; an offer is a hold (``offer``) kept for OFFER_MINUTES."""

    # What its links carry (waiting_list.services.waiting_token), signed: random, so a link says nothing of how many
    # people joined before, and no link can be made from a guessed id.
    key = models.CharField(max_length=32, unique=True, default=new_waiting_key, editable=False)
    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(VisitSession, on_delete=models.CASCADE, related_name="waiting_list")
    closed = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=WaitingState.choices, default=WaitingState.WAITING)
    joined_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer = models.OneToOneField(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="offered_to")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    prisoner_number = models.CharField(max_length=7)
    prisoner_first_name = models.CharField(max_length=100)
    prisoner_last_name = models.CharField(max_length=100)
    prisoner_date_of_birth = models.DateField(null=True, blank=True)
    prisoner_location = models.CharField(max_length=40, blank=True)
    # The party as the journey had it: [{"first_name", "last_name", "date_of_birth"}], the lead visitor first, and
    # the approved-list contact each matched; the support they asked for; the prisoner's non-associations then.
    party = models.JSONField(default=list)
    visitor_contact_ids = models.JSONField(default=list, blank=True)
    support = models.JSONField(default=dict, blank=True)
    non_associations = models.JSONField(default=list, blank=True)

    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    wants_email = models.BooleanField(default=True)
    wants_sms = models.BooleanField(default=False)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)

    class Meta:
        ordering = ["session", "joined_at", "id"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "prisoner_number"],
                condition=Q(state__in=["waiting", "offered"]),
                name="one_live_waiting_entry_per_prisoner_per_session",
            ),
            models.CheckConstraint(
                condition=~Q(state="offered") | Q(offer__isnull=False), name="offered_entry_has_its_hold"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "joined_at"], condition=Q(state="waiting"), name="waiting_in_order"),
            models.Index(fields=["state"], condition=Q(state__in=["waiting", "offered"]), name="waiting_live"),
        ]

    def __str__(self) -> str:
        return f"{self.prisoner_number} waiting for session {self.session_id}"

    @property
    def lead_visitor(self) -> str:
        lead = self.party[0] if self.party else {}
        return f"{lead.get('first_name', '')} {lead.get('last_name', '')}".strip()
