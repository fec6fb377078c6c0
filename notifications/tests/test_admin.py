"""The notifications in the back office: read-only, scoped like the API, filterable, with the deliveries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from notifications.models import DeliveryState
from notifications.tests.factories import DeliveryFactory, NotificationFactory
from notifications.types import NotificationType as T
from ticketing.tests.factories import EventFactory, OrganizerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_notification_changelist")


def change(notification) -> str:
    return reverse("admin:notifications_notification_change", args=[notification.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def root(db) -> Client:
    return logged_in(get_user_model().objects.create_superuser("root", "root@example.com", None))


def staff_of(organizer, **team) -> Client:
    user = UserFactory(is_staff=True, password=None)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="notifications"))
    TeamFactory(organizer=organizer, members=[user], **team)
    return logged_in(user)


@pytest.fixture
def world(organizer, event):
    other = EventFactory(organizer=organizer, slug="fest")
    paid = NotificationFactory(organizer=organizer, event=event, type=T.ORDER_PAID, order_code="ABC12")
    DeliveryFactory(notification=paid, handler="mails", state=DeliveryState.DONE, attempts=1)
    DeliveryFactory(notification=paid, handler="webhooks", attempts=2, last_error="ConnectionError: refused")
    return {
        "paid": paid,
        "fest": NotificationFactory(organizer=organizer, event=other, type=T.ORDER_CANCELED),
        "card": NotificationFactory(organizer=organizer, type=T.GIFTCARD_TRANSACTION),
        "foreign": NotificationFactory(organizer=OrganizerFactory(), type=T.ORDER_PAID),
    }


def listed(client: Client, query: str = "") -> set[int]:
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_a_superuser_sees_every_notification_and_filters_by_type(root, world):
    assert listed(root) == {n.pk for n in world.values()}
    assert listed(root, "?type__exact=order.paid") == {world["paid"].pk, world["foreign"].pk}
    assert listed(root, "?deliveries__state__exact=pending") == {world["paid"].pk}


def test_the_list_shows_how_each_delivery_went(root, world):
    page = root.get(CHANGELIST).content.decode()
    assert "mails: done, webhooks: pending (2 failed)" in page


def test_a_notification_page_is_read_only_and_lists_its_deliveries(root, world):
    response = root.get(change(world["paid"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ConnectionError: refused" in page and "webhooks" in page
    assert 'name="_save"' not in page
    assert root.get(reverse("admin:notifications_notification_add")).status_code == 403
    assert (
        root.post(reverse("admin:notifications_notification_delete", args=[world["paid"].pk])).status_code
        == 403
    )


def test_staff_see_what_their_teams_may_read_as_in_the_api(organizer, event, world):
    orders_of_conf = staff_of(organizer, all_events=False, limit_events=[event], can_view_orders=True)
    assert listed(orders_of_conf) == {world["paid"].pk}
    assert orders_of_conf.get(change(world["fest"])).status_code == 302  # like a missing one
    cards = staff_of(organizer, all_events=True, can_view_vouchers=True)
    assert listed(cards) == {world["card"].pk}
    nothing = staff_of(organizer, all_events=True, can_change_items=True)
    assert nothing.get(CHANGELIST).status_code == 403
