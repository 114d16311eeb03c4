"""The stub's copy of NOMIS: seeded prisoners and their contacts, restrictions, allowances and dates, the visits
the service records, the event feed, and the fault-injection override the debug page sets.

Prisoner numbers are stored in upper case and are the primary key, so every question about one prisoner is a
single indexed lookup. Nothing here refers to the service's own tables (prisons, visits): NOMIS knows prisons
only by their codes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from prisons.nomis.interface import EventType, LegalStatus, RestrictionType, UnavailableReason


def _choices(enum_class: type) -> list[tuple[str, str]]:
    return [(member.value, member.name.replace("_", " ").capitalize()) for member in enum_class]


class Prisoner(models.Model):
    number = models.CharField(max_length=7, primary_key=True, help_text="Upper case, e.g. A1234BC.")
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField()
    prison_code = models.CharField(max_length=3, db_index=True, help_text='"OUT" once released.')
    location = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=2, blank=True)
    incentive_level = models.CharField(max_length=3)
    legal_status = models.CharField(max_length=10, choices=_choices(LegalStatus))
    alerts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.first_name} {self.last_name}"


class PrisonerRestriction(models.Model):
    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="restrictions")
    type = models.CharField(max_length=20, choices=_choices(RestrictionType))
    start_date = models.DateField(null=True, blank=True, help_text="NOMIS holds some with none.")
    end_date = models.DateField(null=True, blank=True)
    comment = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["prisoner", "start_date", "id"]

    def __str__(self) -> str:
        return f"{self.prisoner_id} {self.type} from {self.start_date}"


class Contact(models.Model):
    """A person on one prisoner's approved social contact list. The id is NOMIS's person id: set, never auto."""

    id = models.IntegerField(primary_key=True)
    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField(null=True, blank=True)
    relationship = models.CharField(max_length=30)

    class Meta:
        ordering = ["prisoner", "id"]

    def __str__(self) -> str:
        return f"{self.id} {self.first_name} {self.last_name} ({self.relationship})"


class ContactRestriction(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="restrictions")
    type = models.CharField(max_length=20, choices=_choices(RestrictionType))
    start_date = models.DateField(null=True, blank=True, help_text="NOMIS holds some with none.")
    end_date = models.DateField(null=True, blank=True)
    comment = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["contact", "start_date", "id"]

    def __str__(self) -> str:
        return f"contact {self.contact_id} {self.type} from {self.start_date}"


class NonAssociation(models.Model):
    """Two prisoners who must not meet, stored once with the lower number first; asked about from either side."""

    first = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="nomis_stub_one_non_association_per_pair"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="nomis_stub_pair_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} and {self.second_id}"


class VisitBalance(models.Model):
    prisoner = models.OneToOneField(Prisoner, on_delete=models.CASCADE, primary_key=True, related_name="balance")
    visiting_orders = models.PositiveSmallIntegerField(default=0)
    privileged_visiting_orders = models.PositiveSmallIntegerField(default=0)
    renews_on = models.DateField(null=True, blank=True)
    remand_visits_per_week = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prisoner_id}: {self.visiting_orders} VO, {self.privileged_visiting_orders} PVO"


class UnavailableDate(models.Model):
    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="unavailable_dates")
    date = models.DateField()
    reason = models.CharField(max_length=10, choices=_choices(UnavailableReason))

    class Meta:
        ordering = ["prisoner", "date"]
        constraints = [
            models.UniqueConstraint(fields=["prisoner", "date", "reason"], name="nomis_stub_one_reason_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.prisoner_id} {self.date} {self.reason}"


class RecordedVisit(models.Model):
    """A visit the service recorded in NOMIS; its NOMIS id is the primary key."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"

    # The booking's key; the fake HMPPS server keeps the visit's comment here (NOMIS finds duplicates by it).
    reference = models.CharField(max_length=200, unique=True)
    prisoner_number = models.CharField(max_length=7, db_index=True)
    prison_code = models.CharField(max_length=3)
    start = models.DateTimeField()
    end = models.DateTimeField()
    closed = models.BooleanField(default=False)
    visitor_contact_ids = models.JSONField(default=list)
    lead_visitor_name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.reference} ({self.status})"

    @property
    def nomis_id(self) -> str:
        return str(self.pk)


class Event(models.Model):
    """One prisoner event. The id only grows, so the feed's cursor is the last id seen."""

    type = models.CharField(max_length=20, choices=_choices(EventType))
    prisoner_number = models.CharField(max_length=7)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    # The fake HMPPS server's events queue (SQS): received and not yet deleted, it is hidden until visible_at.
    queue_visible_at = models.DateTimeField(null=True, blank=True)
    queue_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.type} {self.prisoner_number}"


class FaultOverride(models.Model):
    """The one row (id 1) of runtime fault settings. A field left empty falls back to the NOMIS_STUB_* setting."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    failure_rate = models.FloatField(null=True, blank=True)
    down = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="nomis_stub_fault_override_singleton"),
            models.CheckConstraint(
                condition=Q(failure_rate__isnull=True) | Q(failure_rate__gte=0, failure_rate__lte=1),
                name="nomis_stub_failure_rate_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"latency {self.latency_ms} ms, failure rate {self.failure_rate}, down {self.down}"
