"""Prisons and their timetables: the weekly session templates, date-specific sessions and blocked dates."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import translation

from prisons.window import MAX_BOOKING_WINDOW_DAYS, bookable_window

DEFAULT_LEAD_DAYS = 3
DEFAULT_ADULT_AGE = 18
DEFAULT_MAX_VISITORS = 6
DEFAULT_MAX_ADULTS = 3
DEFAULT_OPEN_CAPACITY = 20
DEFAULT_CLOSED_CAPACITY = 2


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class PrisonQuerySet(models.QuerySet["Prison"]):
    def bookable_online(self) -> PrisonQuerySet:
        return self.filter(enabled=True, closed=False)


class Prison(models.Model):
    """A prison, or one booking line of a prison: several can share a NOMIS code (see docs/prison-data.md)."""

    slug = models.SlugField(max_length=80, unique=True, help_text="From the data file name, e.g. rochester.")
    code = models.CharField("NOMIS code", max_length=3, db_index=True)
    name = models.CharField(max_length=120)
    name_cy = models.CharField("Welsh name", max_length=120, blank=True)
    address = models.TextField(blank=True)
    address_cy = models.TextField("Welsh address", blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    enabled = models.BooleanField("enabled for online booking", default=False)
    private = models.BooleanField("privately run", default=False)
    closed = models.BooleanField(default=False)
    booking_window = models.PositiveSmallIntegerField(
        default=MAX_BOOKING_WINDOW_DAYS, help_text="Days ahead a visit can be booked (28 at most)."
    )
    lead_days = models.PositiveSmallIntegerField(
        default=DEFAULT_LEAD_DAYS, help_text="Processing days of notice before the first bookable day."
    )
    works_weekends = models.BooleanField(default=False, help_text="Whether weekends count as processing days.")
    arrive_minutes_before = models.PositiveSmallIntegerField(
        default=45, help_text="How long before a visit starts visitors should arrive (pages and messages say so)."
    )
    adult_age = models.PositiveSmallIntegerField(
        default=DEFAULT_ADULT_AGE, help_text="The age from which a visitor counts towards the adult limit."
    )
    max_visitors = models.PositiveSmallIntegerField(default=DEFAULT_MAX_VISITORS)
    max_adults = models.PositiveSmallIntegerField(default=DEFAULT_MAX_ADULTS)
    reminder_days_before = models.PositiveSmallIntegerField(
        default=1, help_text="How many days before a visit the visitor is sent a reminder."
    )
    what_to_bring = models.TextField(blank=True)
    getting_there = models.TextField(blank=True)
    # Staff set it in the console's timetable settings; the prison data never does (prisons/importer.py leaves it).
    visits_mailbox = models.EmailField(
        blank=True,
        help_text="The prison's visits mailbox: emailed about each new request and each visitor's cancellation. "
        "Empty: no emails.",
    )
    # Who last changed the mailbox and when (visits.outbox.visits_mailbox_change, which also tells the old one).
    visits_mailbox_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    visits_mailbox_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PrisonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking_window__gte=1, booking_window__lte=MAX_BOOKING_WINDOW_DAYS),
                name="prison_booking_window_1_to_28",
            ),
            models.CheckConstraint(condition=Q(adult_age__lte=18), name="prison_adult_age_at_most_18"),
            models.CheckConstraint(
                condition=Q(max_adults__gte=1, max_visitors__gte=models.F("max_adults")),
                name="prison_visitor_limits_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        """A NOMIS code is one prison's: it cannot be given to a prison (in the Django admin) while another prison
        holds it. The booking lines of one real prison share its code only as the prison data sets them
        (docs/prison-data.md), which is why this is not a database constraint."""
        super().clean()
        if self.pk is not None and Prison.objects.filter(pk=self.pk, code=self.code).exists():
            return  # unchanged
        holder = Prison.objects.filter(code=self.code).exclude(pk=self.pk).first()
        if holder is not None:
            raise ValidationError({"code": f"{self.code} is the NOMIS code of {holder.name}"})

    @property
    def display_name(self) -> str:
        """The name in the visitor's language: Welsh where the prison has a Welsh name."""
        if self.name_cy and translation.get_language() == "cy":
            return self.name_cy
        return self.name

    @property
    def display_address(self) -> str:
        if self.address_cy and translation.get_language() == "cy":
            return self.address_cy
        return self.address

    def bookable_window(self, today: date) -> tuple[date, date]:
        """The first and last dates a visitor can book online, from today."""
        return bookable_window(
            today, lead_days=self.lead_days, works_weekends=self.works_weekends, booking_window=self.booking_window
        )

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


class SessionTemplate(models.Model):
    """One line of the weekly timetable: a weekday, a time, and how often it recurs from its anchor date."""

    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="session_templates")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    valid_from = models.DateField(help_text="The first date it runs; also the anchor for every-N-weeks.")
    valid_to = models.DateField(null=True, blank=True, help_text="The last date it runs, if it ends.")
    every_n_weeks = models.PositiveSmallIntegerField(default=1, help_text="1 weekly, 2 fortnightly...")
    open_capacity = models.PositiveSmallIntegerField(default=DEFAULT_OPEN_CAPACITY, help_text="Open tables.")
    closed_capacity = models.PositiveSmallIntegerField(default=DEFAULT_CLOSED_CAPACITY, help_text="Closed tables.")
    # Empty list: open to every prisoner. Otherwise only to prisoners in one of the listed groups.
    locations = models.JSONField(default=list, blank=True, help_text="Wing or location prefixes, e.g. A, B-1.")
    incentive_levels = models.JSONField(default=list, blank=True, help_text="e.g. BAS, STD, ENH.")
    categories = models.JSONField(default=list, blank=True, help_text="e.g. A, B, C, D.")
    # Who last changed it and when (the console and the admin; blank for imported data).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["prison", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="template_ends_after_start"),
            models.CheckConstraint(condition=Q(every_n_weeks__gte=1), name="template_every_n_weeks_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="template_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class DateSpecificSession(models.Model):
    """A session on one date. Where a date has any of these, they replace the weekly timetable that day."""

    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="date_specific_sessions")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    open_capacity = models.PositiveSmallIntegerField(default=DEFAULT_OPEN_CAPACITY)
    closed_capacity = models.PositiveSmallIntegerField(default=DEFAULT_CLOSED_CAPACITY)

    class Meta:
        ordering = ["prison", "date", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["prison", "date", "start_time"], name="one_date_specific_session_per_start"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="date_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self) -> None:
        """A date-specific session is not given on a date that is blocked: which was meant cannot be known."""
        if self.prison_id is None or self.date is None:
            return
        blocked = BlockedDate.objects.filter(prison_id=self.prison_id, date=self.date)
        if blocked.filter(Q(start_time__isnull=True) | Q(start_time=self.start_time)).exists():
            raise ValidationError({"date": "This date is blocked: unblock it first to give it a date-specific session"})


class BlockedDate(models.Model):
    """No visits on a date at a prison, or (with a start time) no visits in one session on that date."""

    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="blocked_dates")
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True, help_text="Blank blocks the whole day.")
    reason = models.CharField(max_length=200, blank=True)
    # Who blocked it and when (the console and the admin; blank for imported data).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["prison", "date", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["prison", "date"],
                condition=Q(start_time__isnull=True),
                name="one_whole_day_block_per_date",
                violation_error_message="This date is already blocked at this prison",
            ),
            models.UniqueConstraint(
                fields=["prison", "date", "start_time"],
                condition=Q(start_time__isnull=False),
                name="one_session_block_per_start",
                violation_error_message="This session is already blocked at this prison",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}" + (f" {self.start_time:%H:%M}" if self.start_time else " (whole day)")

    def clean(self) -> None:
        """A date with date-specific sessions is not blocked as well: which was meant cannot be known."""
        if self.prison_id is None or self.date is None:
            return
        specific = DateSpecificSession.objects.filter(prison_id=self.prison_id, date=self.date)
        if self.start_time is not None:
            specific = specific.filter(start_time=self.start_time)
        if specific.exists():
            raise ValidationError(
                {"date": "This date has date-specific sessions: change or delete those instead of blocking it"}
            )

    @property
    def is_whole_day(self) -> bool:
        return self.start_time is None


class VisitSession(models.Model):
    """One concrete session on one date: the unit that capacity is counted against.

    Generated from the timetable for each prison's window (``prisons.services.sessions_generate``). A session the
    timetable no longer has is deleted if no visit ever used it; otherwise it stays, marked ``removed``, for the
    staff to review. A blocked session stays, marked ``blocked``, so that its visits can be found and the date
    picker can say why it cannot be booked.
    """

    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="visit_sessions")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    template = models.ForeignKey(
        SessionTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="visit_sessions"
    )
    open_capacity = models.PositiveSmallIntegerField()
    closed_capacity = models.PositiveSmallIntegerField()
    # Copied from the template so that eligibility needs no join; empty means open to every prisoner.
    locations = models.JSONField(default=list, blank=True)
    incentive_levels = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    blocked = models.BooleanField(default=False)
    removed = models.BooleanField(default=False, help_text="No longer in the timetable, kept for its visits.")
    needs_review = models.BooleanField(default=False, help_text="A timetable change affected its visits.")

    class Meta:
        ordering = ["prison", "date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["prison", "date", "start_time"], name="one_visit_session_per_start"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="visit_session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["date", "prison"], name="visit_session_date_prison")]

    def __str__(self) -> str:
        return f"{self.prison.code} {self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def bookable(self) -> bool:
        return not (self.blocked or self.removed)


class NomisCheck(models.Model):
    """Something NOMIS holds wrongly about a prisoner or their visitors, for the prison to put right in NOMIS: seen
    when the service last asked NOMIS about the prisoner, gone the first time it asks and finds it right
    (``prisons.nomis_checks``)."""

    class Kind(models.TextChoices):
        NO_CELL = "no_cell", "No cell location"
        NO_DATE_OF_BIRTH = "no_date_of_birth", "A visitor has no date of birth"
        SAME_VISITOR_TWICE = "same_visitor_twice", "The same visitor is on the approved list twice"
        RESTRICTION_WITHOUT_START = "restriction_without_start", "A restriction has no start date"
        NO_VISIT_BALANCE = "no_visit_balance", "No visit balance"

    prison_code = models.CharField(max_length=3, db_index=True, help_text="Where the prisoner is, as NOMIS says.")
    prisoner_number = models.CharField(max_length=7)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=100, blank=True, help_text="Which visitor (contact ids), if one.")
    detail = models.CharField(max_length=200, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["prison_code", "prisoner_number", "kind", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["prisoner_number", "kind", "subject"], name="one_nomis_check_per_thing")
        ]
        indexes = [models.Index(fields=["prisoner_number"], name="nomis_check_prisoner")]

    def __str__(self) -> str:
        return f"{self.prisoner_number}: {self.get_kind_display()} {self.subject}".strip()
