"""The permissions of coupon series, coupons and promo codes, for teams with all events or with some.

A team with all events keeps the organizer-wide rule (``can_view_vouchers`` to read,
``can_change_vouchers`` to write). A team limited to some events reaches the series limited to its events
only (``vouchers.scope``): the others are left out of lists and are a 404; changing a series it may read
but not write, or making one reach outside its events, is a 403 naming the events.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from core.errors import DomainError
from ticketing.api.scoping import OrganizerScopedMixin
from ticketing.models import Event, Item
from ticketing.rights import VOUCHERS
from vouchers.models import CouponSeries
from vouchers.scope import (
    EVENTS_REFUSED,
    READ,
    WRITE,
    SeriesScope,
    reach_refusal,
    series_events,
    series_scope,
)


class ScopeRefused(DomainError):
    """403: the code would reach (or reaches) events the caller's team may not change codes of."""

    status_code = 403
    code = "permission_denied"


def refuse_events(slugs: list[str]) -> ScopeRefused:
    return ScopeRefused(EVENTS_REFUSED.format(events=", ".join(slugs)), events=slugs)


class SeriesScopedMixin(OrganizerScopedMixin):
    """For views of series (``series_path = ""``) or of coupons and promo codes (``"series"``)."""

    rights = VOUCHERS
    series_path = "series"

    def scope(self, permission: str = READ) -> SeriesScope:
        cache = self.__dict__.setdefault("_series_scopes", {})
        if permission not in cache:
            cache[permission] = series_scope(self.access, permission)
        return cache[permission]

    @property
    def limited(self) -> bool:
        """A team limited to some events (not known before the request's scope is resolved: the schema)."""
        return hasattr(self, "access") and not self.scope(READ).everything

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.limited:
            return queryset
        scope = self.scope(READ)
        return scope.series(queryset) if not self.series_path else scope.coupons(queryset)

    @property
    def writes_limited(self) -> bool:
        """Changes limited to some events' series (a team may read every series and change some)."""
        return hasattr(self, "access") and not self.scope(WRITE).everything

    def check_object_permissions(self, request, obj) -> None:
        super().check_object_permissions(request, obj)
        if request.method in permissions.SAFE_METHODS or not self.writes_limited:
            return
        series = obj if isinstance(obj, CouponSeries) else obj.series
        events = series_events(series)
        if events is None:
            raise self.all_events_refused()
        outside = self.scope(WRITE).outside(events)
        if outside:
            raise refuse_events([event.slug for event in outside])

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if (self.limited or self.writes_limited) and hasattr(serializer, "fields"):
            self.limit_choices(serializer.fields)
        return serializer

    def limit_choices(self, fields) -> None:
        """A limited team's choices: series it may write, items and events it sees (others do not exist)."""
        visible = self.access.visible_events()
        if "series" in fields and hasattr(fields["series"], "queryset"):
            fields["series"].queryset = self.scope(WRITE).series(fields["series"].queryset)
        if "allowed_items" in fields:
            relation = fields["allowed_items"].child_relation
            relation.queryset = relation.queryset.filter(event__in=visible)

    def check_reach(self, data: Any, instance: CouponSeries | None = None, *, partial: bool = False) -> None:
        """Before validation: a limited team's series stays among the events it may change codes of —
        ``allow_all_events`` true (also by default, on create and PUT) or an event slug out of its scope
        (unknown ones too: they are not told apart from hidden ones) is a 403."""
        if not self.writes_limited or not isinstance(data, dict):
            return
        scope = self.scope(WRITE)
        default = instance.allow_all_events if (partial and instance is not None) else True
        all_events = self.requested_all_events(data, default)
        slugs = data.get("allowed_events")
        if isinstance(slugs, list) and all(isinstance(slug, str) for slug in slugs):
            allowed = set(
                Event.objects.filter(organizer=self.organizer, pk__in=scope.event_ids or ()).values_list(
                    "slug", flat=True
                )
            )
            outside = [slug for slug in slugs if slug not in allowed]
            if outside:
                raise refuse_events(outside)
        if all_events is True:
            raise self.all_events_refused()

    def requested_all_events(self, data: dict, default: bool):
        """Whether the body makes the series valid for all events (``default``: the key is not sent)."""
        return data.get("allow_all_events", default)

    def all_events_refused(self) -> ScopeRefused:
        return ScopeRefused(reach_refusal(self.access, all_events=True, events=()))

    #: Whether the objects carry their series' events (a series, a promo code): checked by ``check_reach``.
    sets_events = False

    def create(self, request, *args, **kwargs):
        if self.sets_events:
            self.check_reach(request.data)
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        if self.sets_events:
            instance = self.get_object()
            series = instance if isinstance(instance, CouponSeries) else instance.series
            self.check_reach(request.data, series, partial=kwargs.get("partial", False))
        return super().update(request, *args, **kwargs)


def items_queryset(organizer, access) -> Any:
    """Items a code may be limited to: the organizer's, of events the caller sees."""
    items = Item.objects.filter(event__organizer=organizer).select_related("event")
    if access is not None and not access.has_all_events:
        items = items.filter(event__in=access.visible_events())
    return items
