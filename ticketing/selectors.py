"""Reads of the ticketing app, above all: who may see and change what.

A *principal* is whoever made the request: a Django user (session auth) or a
team API token (see ``ticketing.api.authentication``). Access is the union of
the principal's teams in the organizer; superusers may do everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet, prefetch_related_objects

from ticketing.models import Event, EventSettings, Organizer, Quota, Team
from ticketing.payment_terms import PaymentTerms
from ticketing.quota_usage import QuotaUsage, quota_usage_counts

ALL_PERMISSIONS = frozenset(Team.PERMISSIONS)


@dataclass(frozen=True)
class OrganizerAccess:
    """What one principal may do inside one organizer."""

    organizer: Organizer
    is_superuser: bool
    teams: tuple[Team, ...]

    @property
    def organizer_permissions(self) -> frozenset[str]:
        if self.is_superuser:
            return ALL_PERMISSIONS
        return frozenset().union(*(team.permission_set() for team in self.teams))

    @property
    def has_all_events(self) -> bool:
        return self.is_superuser or any(team.all_events for team in self.teams)

    def event_teams(self, event: Event) -> list[Team]:
        return [t for t in self.teams if t.all_events or event.pk in {e.pk for e in t.limit_events.all()}]

    def can_see_event(self, event: Event) -> bool:
        return self.is_superuser or bool(self.event_teams(event))

    def visible_events(self) -> QuerySet[Event]:
        events = Event.objects.filter(organizer=self.organizer)
        if self.has_all_events:
            return events
        return events.filter(teams__in=[t.pk for t in self.teams]).distinct()

    def teams_with(self, permission: str | None) -> list[Team]:
        """The teams that give ``permission`` (None: every team)."""
        return [t for t in self.teams if permission is None or permission in t.permission_set()]

    def holds(self, permission: str | None, *, event: Event | None = None, all_events: bool = False) -> bool:
        """Whether one team gives ``permission`` (None: nothing more than being a member): on ``event``
        when given; ``all_events``: a team with all events. Permissions count team by team: a team limited
        to some events gives its permissions on those only, and a team with no permission gives none by
        having all events."""
        if self.is_superuser:
            return True
        teams = self.teams_with(permission)
        if all_events:
            teams = [t for t in teams if t.all_events]
        if event is not None:
            seeing = {team.pk for team in self.event_teams(event)}
            teams = [t for t in teams if t.pk in seeing]
        return bool(teams)

    def events_with(self, permission: str | None) -> frozenset[int] | None:
        """The ids of the organizer's events on which a team gives ``permission``; None: all of them."""
        if self.is_superuser:
            return None
        ids: set[int] = set()
        for team in self.teams_with(permission):
            if team.all_events:
                return None
            ids |= {event.pk for event in team.limit_events.all()}
        return frozenset(ids)


def principal_teams(principal) -> QuerySet[Team]:
    """The teams a user belongs to, or the one team of an API token."""
    team = getattr(principal, "team", None)
    if team is not None:
        return Team.objects.filter(pk=team.pk)
    if principal is None or not principal.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(members=principal)


def visible_organizers(principal) -> QuerySet[Organizer]:
    if getattr(principal, "is_superuser", False):
        return Organizer.objects.all()
    return Organizer.objects.filter(pk__in=principal_teams(principal).values("organizer_id"))


def organizer_accesses(principal) -> list[OrganizerAccess]:
    """The principal's access to each organizer of its teams (the back office spans them all), in two
    queries; a superuser's access is not limited by teams and is not listed here."""
    teams = principal_teams(principal).select_related("organizer").prefetch_related("limit_events")
    by_organizer: dict[int, list[Team]] = {}
    for team in teams.order_by("organizer_id", "pk"):
        by_organizer.setdefault(team.organizer_id, []).append(team)
    return [
        OrganizerAccess(organizer=found[0].organizer, is_superuser=False, teams=tuple(found))
        for found in by_organizer.values()
    ]


def organizer_access(principal, organizer_slug: str) -> OrganizerAccess | None:
    """The principal's access to the organizer, or None when it does not exist or is not visible."""
    team = getattr(principal, "team", None)
    if team is not None and team.organizer.slug == organizer_slug:
        # An API token's own organizer: the authentication already loaded its team and organizer,
        # so three queries fewer on every token request (another organizer's slug takes the long way).
        if not team.all_events:
            prefetch_related_objects([team], "limit_events")
        return OrganizerAccess(organizer=team.organizer, is_superuser=False, teams=(team,))
    organizer = Organizer.objects.filter(slug=organizer_slug).first()
    if organizer is None:
        return None
    is_superuser = bool(getattr(principal, "is_superuser", False))
    teams = tuple(principal_teams(principal).filter(organizer=organizer).prefetch_related("limit_events"))
    if not teams and not is_superuser:
        return None
    return OrganizerAccess(organizer=organizer, is_superuser=is_superuser, teams=teams)


@dataclass(frozen=True)
class QuotaAvailability:
    """How much of a quota is used and what is left, in the shape of pretix's availability endpoint.

    ``total_size`` and ``available_number`` are None for an unlimited quota, which is always available.
    """

    total_size: int | None
    pending_orders: int
    paid_orders: int
    cart_positions: int
    blocking_vouchers: int
    available_number: int | None
    available: bool


def quota_availabilities(quotas: Sequence[Quota]) -> dict[int, QuotaAvailability]:
    """Availability of several quotas by id, with one query per registered kind of usage."""
    counts = quota_usage_counts(quotas)
    result: dict[int, QuotaAvailability] = {}
    for quota in quotas:
        used = {kind: counts[kind].get(quota.pk, 0) for kind in QuotaUsage}
        if quota.size is None:
            available_number = None
            available = True
        else:
            # Overbooking (e.g. a quota shrunk after sales) shows as 0 left, never as a negative number.
            available_number = max(quota.size - sum(used.values()), 0)
            available = available_number > 0
        result[quota.pk] = QuotaAvailability(
            total_size=quota.size,
            pending_orders=used[QuotaUsage.PENDING_ORDERS],
            paid_orders=used[QuotaUsage.PAID_ORDERS],
            cart_positions=used[QuotaUsage.CART_POSITIONS],
            blocking_vouchers=used[QuotaUsage.BLOCKING_VOUCHERS],
            available_number=available_number,
            available=available,
        )
    return result


def quota_availability(quota: Quota) -> QuotaAvailability:
    return quota_availabilities([quota])[quota.pk]


def event_settings_of(event: Event) -> EventSettings:
    """The event's settings row, or an unsaved one holding the defaults when it has none (one query)."""
    found = EventSettings.objects.filter(event_id=event.pk).first()
    if found is None:
        return EventSettings(event=event)
    found.event = event  # saves a query wherever the row's event is read
    return found


def event_payment_terms(event: Event) -> PaymentTerms:
    """The event's payment terms, pretix's defaults where it has no settings (one query)."""
    return event_settings_of(event).payment_terms()
