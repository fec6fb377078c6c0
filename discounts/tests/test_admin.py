"""Admin of discount rules: list in application order, the API's validation messages, reordering."""

from __future__ import annotations

from decimal import Decimal

import pytest

from discounts.models import MIN_NEITHER, PERCENT_RANGE, Discount
from discounts.tests.factories import DiscountFactory
from ticketing.tests.factories import EventFactory, ItemFactory

CHANGELIST = "/admin/discounts/discount/"
ADD = "/admin/discounts/discount/add/"


def form_data(event, **changes) -> dict:
    data = {
        "event": event.pk, "internal_name": "3 for 2", "active": "on", "position": 0,
        "all_sales_channels": "on", "subevent_mode": "mixed",
        "condition_all_products": "on", "condition_apply_to_addons": "on",
        "condition_min_count": 3, "condition_min_value": "0.00",
        "benefit_same_products": "on", "benefit_apply_to_addons": "on",
        "benefit_discount_matching_percent": "100.00", "benefit_only_apply_to_cheapest_n_matches": 1,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def names_in_changelist(response) -> list[str]:
    return [rule.internal_name for rule in response.context["cl"].result_list]


def test_changelist_is_in_application_order(admin_client, event):
    DiscountFactory(event=event, internal_name="late", position=3)
    DiscountFactory(event=event, internal_name="first", position=1)
    DiscountFactory(event=event, internal_name="second", position=1)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert names_in_changelist(response) == ["first", "second", "late"]


def test_changelist_filters_and_search(admin_client, event):
    DiscountFactory(event=event, internal_name="Group ticket")
    DiscountFactory(event=event, internal_name="Off season", inactive=True)
    DiscountFactory(event=event, internal_name="Same day", subevent_mode="same")
    DiscountFactory(event=EventFactory(), internal_name="Elsewhere")
    assert names_in_changelist(admin_client.get(CHANGELIST, {"active__exact": "0"})) == ["Off season"]
    assert names_in_changelist(admin_client.get(CHANGELIST, {"subevent_mode__exact": "same"})) == ["Same day"]
    assert names_in_changelist(admin_client.get(CHANGELIST, {"event__id__exact": event.pk})) == [
        "Group ticket", "Off season", "Same day",
    ]
    assert names_in_changelist(admin_client.get(CHANGELIST, {"q": "group"})) == ["Group ticket"]


def test_add_form_creates_a_rule_with_product_lists(admin_client, event):
    ticket = ItemFactory(event=event)
    data = form_data(event, condition_all_products=None, condition_limit_products=[ticket.pk])
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = Discount.objects.get()
    assert list(rule.condition_limit_products.all()) == [ticket]
    assert rule.benefit_only_apply_to_cheapest_n_matches == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"condition_min_count": 0}, "condition_min_count", MIN_NEITHER),
        ({"benefit_discount_matching_percent": "120.00"}, "benefit_discount_matching_percent", PERCENT_RANGE),
    ],
)
def test_add_form_shows_the_api_validation_messages(admin_client, event, changes, field, message):
    response = admin_client.post(ADD, form_data(event, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[field] == [message]  # once: the form and Model.clean() do not repeat each other
    assert not Discount.objects.exists()


def test_add_form_refuses_products_of_another_event(admin_client, event):
    foreign = ItemFactory(event=EventFactory())
    data = form_data(event, benefit_same_products=None, benefit_limit_products=[foreign.pk])
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["benefit_limit_products"] == [
        f"Product {foreign.pk} belongs to another event."
    ]
    assert not Discount.objects.exists()


def test_change_form_offers_only_the_event_products(admin_client, event):
    own = ItemFactory(event=event)
    ItemFactory(event=EventFactory())
    rule = DiscountFactory(event=event)
    response = admin_client.get(f"{CHANGELIST}{rule.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["condition_limit_products"].queryset) == [own]


def order(event) -> list[str]:
    rules = Discount.objects.filter(event=event).order_by("position", "id")
    return list(rules.values_list("internal_name", flat=True))


def test_move_up_and_down_actions_reorder(admin_client, event):
    a, b, c = (DiscountFactory(event=event, internal_name=name) for name in "abc")
    response = admin_client.post(CHANGELIST, {"action": "move_up", "_selected_action": [c.pk]})
    assert response.status_code == 302
    assert order(event) == ["a", "c", "b"]
    admin_client.post(CHANGELIST, {"action": "move_down", "_selected_action": [a.pk, c.pk]})
    assert order(event) == ["b", "a", "c"]


def test_activate_and_deactivate_actions(admin_client, event):
    on, off = DiscountFactory(event=event), DiscountFactory(event=event, inactive=True)
    admin_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [on.pk, off.pk]})
    assert not Discount.objects.filter(active=True).exists()
    admin_client.post(CHANGELIST, {"action": "activate", "_selected_action": [off.pk]})
    assert list(Discount.objects.filter(active=True)) == [off]


def test_list_editable_toggles_active_and_sets_position(admin_client, event):
    first, second = DiscountFactory(event=event, position=1), DiscountFactory(event=event, position=2)
    data = {
        "form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 2, "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000,
        "form-0-id": first.pk, "form-0-position": 5,  # active unticked
        "form-1-id": second.pk, "form-1-position": 2, "form-1-active": "on",
        "_save": "Save",
    }
    response = admin_client.post(CHANGELIST, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.active, first.position) == (False, 5)
    assert order(event) == [second.internal_name, first.internal_name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "value", "shown"),
    [("EUR", "100", "100.00 EUR"), ("JPY", "12000", "12000 JPY"), ("KWD", "30.5", "30.500 KWD")],
)
def test_a_minimum_value_is_money_in_the_event_currency(admin_client, organizer, currency, value, shown):
    event = EventFactory(organizer=organizer, currency=currency)
    rule = DiscountFactory(event=event, condition_min_count=0, condition_min_value=Decimal(value))
    html = admin_client.get(CHANGELIST).content.decode()
    assert f'<td class="field-condition">at least {shown} of all products</td>' in html
    page = admin_client.get(f"{CHANGELIST}{rule.pk}/change/").content.decode()
    assert f"Minimum value of matching products ({currency}):" in page
