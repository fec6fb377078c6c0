"""The check every app's constraint tests make: a row written past a limit is refused, the limit is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, models, transaction


def assert_refused_past_limit(row: models.Model, constraint: str, bad: dict[str, Any], limit: dict[str, Any]):
    """Write ``bad`` to ``row`` directly (``QuerySet.update``, no validation): ``IntegrityError``
    naming ``constraint``. Then write ``limit``: it is stored as given."""
    manager = type(row).objects
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        manager.filter(pk=row.pk).update(**bad)
    manager.filter(pk=row.pk).update(**limit)
    row.refresh_from_db()
    assert {name: getattr(row, name) for name in limit} == limit
