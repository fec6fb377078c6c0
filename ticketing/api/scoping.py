"""Resolving the organizer/event of a nested URL once per request, and team permissions.

Every organizer- or event-scoped view inherits one of the mixins below:
- the organizer (``organizer_slug``) and event (``event_slug``) URL kwargs are
  resolved through ``ticketing.selectors``; a parent that does not exist and
  one the caller may not see answer the same 403 body (no existence leak);
- ``rights`` (``ticketing.rights``, shared with the back office's model admins) names the team
  permission needed for safe / unsafe methods (None: visibility is enough), held on the event of an
  event view, and whether only a team with all events reaches the resource;
- ``get_queryset()`` must start from ``self.organizer`` / ``self.event``, so an
  id of another organizer or event is a 404.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied

from core import rawsql
from ticketing.models import Event, Organizer
from ticketing.rights import VISIBLE, Rights
from ticketing.selectors import OrganizerAccess, organizer_access

# URL patterns: typed in the OpenAPI schema, and a malformed id never reaches the database.
SLUG_PATTERN = r"[a-zA-Z0-9][a-zA-Z0-9.-]*"
ID_PATTERN = r"[0-9]+"

ORGANIZER_FORBIDDEN = "You do not have permission to access this organizer."
EVENT_FORBIDDEN = "You do not have permission to access this event."


def event_by_slug(organizer: Organizer, slug: str) -> Event | None:
    """The organizer's event with this slug (unique per organizer); plain SQL, as it runs on
    every event-scoped request (``core.rawsql``)."""
    found = rawsql.select(Event, "organizer_id = %s AND slug = %s", [organizer.pk, slug])
    return found[0] if found else None


def require_permission(needed: str | None, held: bool, scope: str) -> None:
    """403 unless the caller ``held`` ``needed`` (a team permission name; None: nothing needed)."""
    if needed and not held:
        raise PermissionDenied(f"Your team lacks the permission '{needed}' for this {scope}.")


class OrganizerScopedMixin:
    lookup_value_regex = ID_PATTERN
    rights: Rights = VISIBLE
    #: Even to be in scope, a team with all events (``rights.all_events`` asks it too, with the permission).
    require_all_events: bool = False

    organizer: Organizer
    access: OrganizerAccess
    #: How a 404 names the resource (default: the model's verbose name) and where it was looked for.
    resource_name: str | None = None
    looked_in = "of this organizer"

    def check_permissions(self, request) -> None:
        super().check_permissions(request)  # 401 for anonymous callers comes first
        self.resolve_scope(request)

    def resolve_scope(self, request) -> None:
        self.check_scope_permission(request, self.resolve_access(), "organizer")

    def resolve_access(self) -> OrganizerAccess:
        """The caller's access to the organizer of the URL (403 without it, or without all events
        when the view needs them); sets ``access`` and ``organizer``."""
        access = organizer_access(self.request.user, self.kwargs["organizer_slug"])
        if access is None:
            raise PermissionDenied(ORGANIZER_FORBIDDEN)
        self.access = access
        self.organizer = access.organizer
        if (self.require_all_events or self.rights.all_events) and not access.has_all_events:
            raise PermissionDenied("This needs a team with access to all events of the organizer.")
        return access

    def required_permission(self, request) -> str | None:
        return self.rights.needed(write=request.method not in permissions.SAFE_METHODS)

    def check_scope_permission(self, request, access: OrganizerAccess, scope: str) -> None:
        """403 unless one of the caller's teams gives the permission the request needs (on the event of an
        event view; with all events where ``rights.all_events``)."""
        needed = self.required_permission(request)
        event = self.event if scope == "event" else None
        held = access.holds(needed, event=event, all_events=self.rights.all_events)
        require_permission(needed, held, scope)

    def get_object(self):
        """The addressed object; a missing one is a 404 that says in words what was not found ("No
        coupon series with this id of this organizer."), not Django's "No CouponSeries matches …"."""
        try:
            return super().get_object()
        except Http404:
            raise NotFound(self.not_found_detail()) from None

    def not_found_detail(self) -> str:
        name = self.resource_name or self.get_queryset().model._meta.verbose_name
        key = "id" if self.lookup_field == "pk" else self.lookup_field
        return f"No {name} with this {key} {self.looked_in}."

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["organizer"] = getattr(self, "organizer", None)
        context["access"] = getattr(self, "access", None)
        return context


class EventScopedMixin(OrganizerScopedMixin):
    event: Event
    looked_in = "in this event"

    def resolve_scope(self, request) -> None:
        self.check_scope_permission(request, self.resolve_access(), "event")

    def resolve_access(self) -> OrganizerAccess:
        """The organizer's access (through the organizer scope, ``require_all_events`` included),
        then the event of the URL, which the caller must see; sets ``event``."""
        access = super().resolve_access()
        event = event_by_slug(access.organizer, self.kwargs["event_slug"])
        if event is None or not access.can_see_event(event):
            raise PermissionDenied(EVENT_FORBIDDEN)
        self.event = event
        event.organizer = access.organizer  # saves a query wherever event.organizer is read
        return access

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["event"] = getattr(self, "event", None)
        return context
