"""The promo codes' admin page edits what the API does: besides value and dates, the events a promo code
is valid in (none: every event) and the hidden items it unlocks, checked by the same rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ticketing.tests.factories import EventFactory, ItemFactory, OrganizerFactory
from vouchers.models import PromoCode
from vouchers.services.code_items import series_items_set
from vouchers.tests.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:vouchers_promocode_add")


def form(organizer, **changes) -> dict:
    return {
        "organizer": organizer.pk,
        "code": "SPRING",
        "name": "Spring",
        "value": "5.00",
        "active": "on",
        **changes,
    }


def form_errors(response) -> dict[str, list[str]]:
    adminform = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in adminform.errors.items()}


def test_a_promo_code_for_two_events_that_unlocks_a_hidden_item(admin_client, organizer, event):
    other = EventFactory(organizer=organizer, slug="other")
    EventFactory(organizer=organizer, slug="third")
    backstage = ItemFactory(event=other, name="Backstage", hide_without_voucher=True)
    response = admin_client.post(
        ADD, form(organizer, allowed_events=[event.pk, other.pk], unlocks=[backstage.pk])
    )
    assert response.status_code == 302, form_errors(response)
    promo = PromoCode.objects.get(code="SPRING")
    series = promo.series
    assert not series.allow_all_events
    assert sorted(series.allowed_events.values_list("slug", flat=True)) == ["conf", "other"]
    assert list(series.unlocks.values_list("name", flat=True)) == ["Backstage"]
    assert series.discount_value == Decimal("5.000")

    page = admin_client.get(reverse("admin:vouchers_promocode_change", args=[promo.pk]))
    initial = page.context["adminform"].form.initial
    assert sorted(e.slug for e in initial["allowed_events"]) == ["conf", "other"]
    assert [i.name for i in initial["unlocks"]] == ["Backstage"]

    change = reverse("admin:vouchers_promocode_change", args=[promo.pk])
    response = admin_client.post(change, form(organizer, code="SPRING", value="5.00"))  # none chosen
    assert response.status_code == 302, form_errors(response)
    series.refresh_from_db()
    assert series.allow_all_events and not series.allowed_events.exists() and not series.unlocks.exists()


def test_events_and_items_are_checked_as_the_api_checks_them(admin_client, organizer, event):
    other = EventFactory(organizer=organizer, slug="other")
    foreign_event = EventFactory(organizer=OrganizerFactory(slug="foreign"), slug="elsewhere")
    backstage = ItemFactory(event=other, name="Backstage", hide_without_voucher=True)

    response = admin_client.post(ADD, form(organizer, allowed_events=[event.pk], unlocks=[backstage.pk]))
    assert response.status_code == 200
    assert form_errors(response) == {
        "unlocks": [f"Item {backstage.pk} belongs to an event that is not allowed."]
    }
    response = admin_client.post(ADD, form(organizer, allowed_events=[foreign_event.pk]))
    assert form_errors(response) == {"allowed_events": ["Event 'elsewhere' belongs to another organizer."]}
    assert not PromoCode.objects.exists()


def test_a_promo_code_limited_to_an_item_keeps_that_items_event(admin_client, organizer, event):
    other = EventFactory(organizer=organizer, slug="other")
    ticket = ItemFactory(event=event, name="Ticket")
    promo = PromoCodeFactory(series__organizer=organizer, code="ONE-ITEM")
    series_items_set(series=promo.series, items=[ticket])
    change = reverse("admin:vouchers_promocode_change", args=[promo.pk])
    response = admin_client.post(change, form(organizer, code="ONE-ITEM", allowed_events=[other.pk]))
    assert form_errors(response) == {
        "allowed_events": [
            f"The promo code is limited to item {ticket.pk} of event 'conf': allow that event too, "
            "or change its items (items/) first."
        ]
    }
    promo.series.refresh_from_db()
    assert promo.series.allow_all_events
