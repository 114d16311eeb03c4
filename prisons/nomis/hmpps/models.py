"""The HMPPS domain events received from the service's SQS queue, kept in the order they arrived: the HTTP client's
``events_since`` pages them by ``id`` (its cursor). A message SQS delivers twice is kept once (its SNS MessageId)."""

from __future__ import annotations

from django.db import models


class DomainEvent(models.Model):
    message_id = models.CharField(max_length=100, unique=True, help_text="The SNS MessageId: the same on redelivery.")
    event_type = models.CharField(max_length=150)
    prisoner_number = models.CharField(max_length=7, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    event = models.JSONField(
        help_text="The domain event: eventType, occurredAt, personReference, additionalInformation."
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.event_type} {self.prisoner_number}"
