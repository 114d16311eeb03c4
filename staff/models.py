"""Staff users and the prisons each one covers."""

from django.conf import settings
from django.db import models

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
