"""Staff users and the prisons each one covers."""

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce

from prisons.models import Prison


class PrisonAccess(models.Model):
    """One staff user covers one prison; a call-centre clerk has many of these."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prison_access")
    prison = models.ForeignKey(Prison, on_delete=models.CASCADE, related_name="staff_access")

    class Meta:
        verbose_name_plural = "prison access"
        # The staff console's permissions, given to roles (groups) by `manage.py sync_roles`.
        permissions = [
            ("view_visits", "See visits, sessions and visit sheets"),
            ("book_visits", "Book, change and cancel visits for callers"),
            ("override_rules", "Overbook a session or book without allowance, with a reason"),
            ("process_requests", "Approve and reject requests, refuse visitors"),
            ("review_flags", "Review flagged visits"),
            ("record_attendance", "Record attendance"),
            ("block_dates", "Block and unblock dates and sessions"),
            ("edit_timetable", "Change the weekly timetable"),
        ]
        constraints = [models.UniqueConstraint(fields=["user", "prison"], name="one_access_row_per_user_and_prison")]

    def __str__(self) -> str:
        return f"{self.user} → {self.prison}"


class BookingPause(models.Model):
    """Online booking paused nationally (no prison) or at one prison, with the message visitors see.

    A pause is never deleted: resuming fills in ``resumed_by`` and ``resumed_at``, so the rows are the audit trail
    of every pause and lift (accounts/maintenance.py).
    """

    prison = models.ForeignKey(
        Prison, null=True, blank=True, on_delete=models.PROTECT, related_name="booking_pauses"
    )  # none: every prison
    message = models.TextField(max_length=500)
    message_cy = models.TextField(max_length=500, blank=True)  # shown to Welsh visitors; the English when empty
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="booking_pauses_made"
    )
    paused_at = models.DateTimeField()
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="booking_pauses_lifted"
    )
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-paused_at"]
        permissions = [
            ("pause_booking", "Pause and resume online booking at a prison"),
            ("pause_booking_nationally", "Pause and resume online booking at every prison"),
        ]
        constraints = [
            # At most one live pause per prison, and one national (a null prison counts as 0): also the index the
            # journey's read of live pauses uses.
            models.UniqueConstraint(
                Coalesce("prison", Value(0)),
                condition=models.Q(resumed_at__isnull=True),
                name="one_live_booking_pause_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"Booking paused at {self.prison or 'every prison'} from {self.paused_at:%Y-%m-%d %H:%M}"

    @property
    def national(self) -> bool:
        return self.prison_id is None

    @property
    def live(self) -> bool:
        return self.resumed_at is None
