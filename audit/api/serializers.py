"""The audit log's entries as the API answers them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    """``changes``: ``{field: [before, after]}``; ``actor``: the user or token that made the change
    (both null for the system: a management command, the periodic cleanup)."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    actor = serializers.SerializerMethodField()
    changes = serializers.JSONField(read_only=True)

    class Meta:
        model = AuditEntry
        fields = (
            "id", "created", "event", "object_type", "object_id", "object_repr", "action", "changes",
            "source", "actor", "request_id",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "user": {"type": "string", "nullable": True, "description": "The user's name."},
                "token": {"type": "integer", "nullable": True, "description": "The team token's id."},
                "text": {"type": "string", "description": "As shown when the change was made."},
            },
            "required": ["user", "token", "text"],
        }
    )
    def get_actor(self, entry: AuditEntry) -> dict:
        return {
            "user": entry.user.get_username() if entry.user_id and entry.user else None,
            "token": entry.token_id,
            "text": entry.actor,
        }
