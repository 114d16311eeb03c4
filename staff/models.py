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
        constraints = [models.UniqueConstraint(fields=["user", "prison"], name="one_access_row_per_user_and_prison")]

    def __str__(self) -> str:
        return f"{self.user} → {self.prison}"
