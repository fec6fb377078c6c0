"""Check constraints the models share."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


def window(start: str, end: str, *, name: str) -> models.CheckConstraint:
    """``start <= end`` where both are set: either may be empty (an open window)."""
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__lte": F(end)}),
        name=name,
    )
