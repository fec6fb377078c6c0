"""Reads of the ticketing app, above all: who may see and change what.

A *principal* is whoever made the request: a Django user (session auth) or a
team API token (see ``ticketing.api.authentication``). Access is the union of
the principal's teams in the organizer; superusers may do everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ticketing.models import Event, Organizer, Team

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

    def event_permissions(self, event: Event) -> frozenset[str]:
        if self.is_superuser:
            return ALL_PERMISSIONS
        return frozenset().union(*(team.permission_set() for team in self.event_teams(event)))

    def visible_events(self) -> QuerySet[Event]:
        events = Event.objects.filter(organizer=self.organizer)
        if self.has_all_events:
            return events
        return events.filter(teams__in=[t.pk for t in self.teams]).distinct()


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


def organizer_access(principal, organizer_slug: str) -> OrganizerAccess | None:
    """The principal's access to the organizer, or None when it does not exist or is not visible."""
    organizer = Organizer.objects.filter(slug=organizer_slug).first()
    if organizer is None:
        return None
    is_superuser = bool(getattr(principal, "is_superuser", False))
    teams = tuple(principal_teams(principal).filter(organizer=organizer).prefetch_related("limit_events"))
    if not teams and not is_superuser:
        return None
    return OrganizerAccess(organizer=organizer, is_superuser=is_superuser, teams=teams)
