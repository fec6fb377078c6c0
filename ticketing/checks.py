"""System checks of the ticketing app (run by ``manage.py check --database default`` and by ``migrate``)."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from ticketing.currency import ISO_4217


@register(Tags.database)
def events_in_withdrawn_currencies(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """Events whose currency has left ISO 4217 (ANG and ZWL did in 2025 and 2024) cannot be priced: the
    table has no minor units for them. The operator hears it on ``migrate`` and moves them to the
    successor (XCG, ZWG) or ends their sales."""
    if not databases:
        return []
    from ticketing.models import Event

    try:
        used = set(Event.objects.values_list("currency", flat=True).distinct())
    except DatabaseError:  # tables not created yet: nothing to check
        return []
    withdrawn = sorted(used - set(ISO_4217))
    if not withdrawn:
        return []
    return [
        Warning(
            f"Events use currencies that are no longer in ISO 4217: {', '.join(withdrawn)}.",
            hint="Change these events' currency to the successor code (ANG -> XCG, ZWL -> ZWG); "
            "until then their prices cannot be computed.",
            id="ticketing.W001",
        )
    ]
