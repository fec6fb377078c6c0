from __future__ import annotations

from typing import Any

from django.db import models


def field_values(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values by name (related objects, not ids), for shared validators."""
    return {f.name: getattr(instance, f.name, None) for f in instance._meta.concrete_fields}
