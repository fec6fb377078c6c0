"""The audit log: one row per create, change or delete of an audited object, with who, when and what."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from ticketing.models import Event, Organizer, TeamAPIToken


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"


class AuditSource(models.TextChoices):
    API = "api", "API"
    ADMIN = "admin", "Admin"
    JOB = "job", "Background job"
    SYSTEM = "system", "System"


class AuditEntry(models.Model):
    """``changes`` is ``{field: [before, after]}`` (``before`` null on create, ``after`` null on delete),
    values as JSON (amounts as decimal strings, times in ISO 8601, related objects by id). The entry
    outlives its object, its event and its organizer: they are kept as ids (no database constraint)."""

    organizer = models.ForeignKey(
        Organizer, on_delete=models.DO_NOTHING, db_constraint=False, related_name="audit_entries"
    )
    event = models.ForeignKey(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(db_index=True)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    source = models.CharField(max_length=10, choices=AuditSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token = models.ForeignKey(
        TeamAPIToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(max_length=200, blank=True, help_text="Who, as shown when the change was made.")
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["organizer", "-created"], name="audit_organizer_created"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["event", "-created"], name="audit_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} {self.action}"
