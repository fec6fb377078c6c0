"""Notifications of an organizer: /api/v1/organizers/<o>/notifications/ and /notifications/<id>/."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from core.pagination import IdCursorPagination
from notifications.api.filters import NotificationFilter
from notifications.api.serializers import NotificationSerializer
from notifications.models import Notification
from notifications.selectors import may_read_notifications, organizer_notifications
from ticketing.api.scoping import OrganizerScopedMixin
from ticketing.rights import GIFT_CARDS, ORDERS, VISIBLE

NO_RIGHT = (
    f"Your team lacks the permission '{ORDERS.read}' (notifications of events), and a team with all events "
    f"and '{GIFT_CARDS.read}' (organizer-wide notifications: gift cards), for this organizer."
)


class NotificationViewSet(OrganizerScopedMixin, viewsets.ReadOnlyModelViewSet):
    """What happened to orders, codes and gift cards, in the order it was written (ids ascending): the
    organizer's outbox. A shop polls ``?after=<the last id it saw>`` and follows ``next``.

    A team reads the notifications of the events where it reads orders (``can_view_orders``); the
    organizer-wide ones (gift card transactions) need a team with all events and ``can_view_vouchers``;
    a team with neither is a 403. Filters: ``type`` (one or several), ``event`` (slug), ``order`` (code),
    ``created_since``, ``created_before``, ``after`` (an id). Pages by cursor (``cursor``, ``page_size``)."""

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    filter_backends = [DjangoFilterBackend]  # the order is the ids', for the cursor: no ?ordering=
    pagination_class = IdCursorPagination
    rights = VISIBLE  # each row's event decides (notifications.selectors); check_scope_permission below

    def check_scope_permission(self, request, access, scope: str) -> None:
        if not may_read_notifications(access):
            raise PermissionDenied(NO_RIGHT)

    def get_queryset(self):
        return organizer_notifications(organizer=self.organizer, access=self.access)
