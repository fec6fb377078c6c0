"""Which coupon series (and so coupons and promo codes) a team limited to some events may reach.

Coupon series are organizer-wide. A team with all events reads and writes every one of them (with
``can_view_vouchers`` / ``can_change_vouchers``). A team limited to some events (Open Event's
co-organizer) reaches the *event-scoped* series only: ``allow_all_events`` false, ``allowed_events`` not
empty and every one of them an event on which the team has the permission needed. Everything else stays
invisible to it. docs/codes.md, "Teams limited to some events".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from ticketing.models import Event
from ticketing.rights import VOUCHERS
from ticketing.selectors import OrganizerAccess
from vouchers.models import CouponSeries

READ = VOUCHERS.read
WRITE = VOUCHERS.write

ALL_EVENTS_REFUSED = (
    "Your team is limited to some events and may not use all events in a code: limit it to events it "
    "may change codes of (allow_all_events false, allowed_events among: {events})."
)
EVENTS_REFUSED = "Your team may not use these events in a code: {events}."


@dataclass(frozen=True)
class SeriesScope:
    """The events whose series a caller may reach with one permission; ``event_ids`` None: every series."""

    event_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.event_ids is None

    def series_q(self, series: str = "pk") -> Q:
        """Series in scope, as a condition on a queryset whose ``series`` (an ``OuterRef`` path) is the
        series: ``"pk"`` on series, ``"series_id"`` on coupons."""
        if self.event_ids is None:
            return Q()
        through = CouponSeries.allowed_events.through.objects
        limited = Exists(through.filter(couponseries_id=OuterRef(series)))
        outside = Exists(
            through.filter(couponseries_id=OuterRef(series)).exclude(event_id__in=self.event_ids)
        )
        prefix = "" if series == "pk" else "series__"
        return Q(**{f"{prefix}allow_all_events": False}) & Q(limited) & ~Q(outside)

    def series(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.series_q("pk"))

    def coupons(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.series_q("series_id"))

    def outside(self, events) -> list[Event]:
        """The events among ``events`` out of scope (none for a caller with every series)."""
        if self.event_ids is None:
            return []
        return [event for event in events if event.pk not in self.event_ids]

    def allows(self, event: Event) -> bool:
        return self.event_ids is None or event.pk in self.event_ids


def series_scope(access: OrganizerAccess, permission: str) -> SeriesScope:
    """The caller's scope for ``permission``: every series for a team with all events that gives it, else
    the series of the events its teams give ``permission`` on (``OrganizerAccess.events_with``)."""
    return SeriesScope(access.events_with(permission))


def reach_refusal(access: OrganizerAccess | None, *, all_events: bool, events) -> str | None:
    """Why the caller may not make a code of ``access.organizer`` reach ``events`` (``all_events``: every
    event), or None when it may: a team limited to some events keeps its codes among the events it may
    change codes of. The API's views and the back office's forms refuse with it."""
    if access is None:
        return None
    scope = series_scope(access, WRITE)
    if scope.everything:
        return None
    if all_events:
        mine = Event.objects.filter(pk__in=scope.event_ids or ()).order_by("slug")
        return ALL_EVENTS_REFUSED.format(events=", ".join(e.slug for e in mine) or "none")
    outside = scope.outside(events)
    if outside:
        return EVENTS_REFUSED.format(events=", ".join(event.slug for event in outside))
    return None


def series_events(series: CouponSeries) -> list[Event] | None:
    """The events a series is limited to (None: all events)."""
    if series.allow_all_events:
        return None
    return list(series.allowed_events.all())


def readable_series(access: OrganizerAccess) -> QuerySet[CouponSeries]:
    """The organizer's series the caller may read."""
    return series_scope(access, READ).series(CouponSeries.objects.filter(organizer=access.organizer))


def series_jobs_q(access: OrganizerAccess) -> Q:
    """The coupon jobs (``params["series"]``) of the series the caller may read, for ``jobs/``."""
    return Q(params__series__in=list(readable_series(access).values_list("pk", flat=True)))
