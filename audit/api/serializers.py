"""The audit log's entries as the API answers them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.masking import reveals_gift_cards, shown_entry
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
    def to_representation(self, entry: AuditEntry) -> dict:
        """Gift card codes masked for a reader who may not read gift cards (``audit.masking``)."""
        data = super().to_representation(entry)
        if "reveals_codes" not in self.context:
            self.context["reveals_codes"] = reveals_gift_cards(self.context.get("access"))
        shown = shown_entry(entry, reveals_codes=self.context["reveals_codes"])
        data["object_repr"], data["changes"] = shown.object_repr, shown.changes
        return data

    def get_actor(self, entry: AuditEntry) -> dict:
        return {
            "user": entry.user.get_username() if entry.user_id and entry.user else None,
            "token": entry.token_id,
            "text": entry.actor,
        }
