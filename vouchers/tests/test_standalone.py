"""Stand-alone coupons, decoupling and a series' unlocks: the services, the resolution and the admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import ConflictError
from ticketing.tests.factories import EventFactory, ItemFactory
from vouchers.models import Coupon, CouponEventUsage, CouponSeries, DiscountType, SeriesKind, StandaloneCoupon
from vouchers.resolution import CartLineSummary, CartSummary, CodeError, resolve_code
from vouchers.services.coupons import coupon_delete, coupon_series_update
from vouchers.services.standalone import (
    coupon_decouple,
    standalone_coupon_create,
    standalone_coupon_update,
)
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory
from vouchers.validation import validate_coupon_series

pytestmark = pytest.mark.django_db
D = Decimal
SETTINGS = {"name": "Solo", "discount_type": DiscountType.FIX, "discount_value": D("5.00")}


def test_create_update_and_delete_a_stand_alone_coupon(organizer, event):
    hidden = ItemFactory(event=event, hidden=True)
    coupon = standalone_coupon_create(
        organizer=organizer, settings={**SETTINGS, "unlocks": [hidden], "tags": ["x"]}, code=" solo-1 "
    )
    series = coupon.series
    assert (coupon.code, series.kind, series.organizer, series.tags) == ("SOLO-1", SeriesKind.STANDALONE,
                                                                         organizer, ["x"])  # fmt: skip
    assert list(series.unlocks.all()) == [hidden] and list(series.coupons.all()) == [coupon]
    assert StandaloneCoupon.objects.get().pk == coupon.pk

    standalone_coupon_update(coupon=coupon, settings={"discount_value": D("7.00")}, active=False)
    series.refresh_from_db()
    coupon.refresh_from_db()
    assert (series.discount_value, series.name, coupon.active) == (D("7.00"), "Solo", False)
    assert list(series.unlocks.all()) == [hidden]  # not named: unchanged

    coupon_delete(coupon=coupon)
    assert not Coupon.objects.exists() and not CouponSeries.objects.exists()


def test_a_generated_code_when_none_is_given(organizer):
    assert len(standalone_coupon_create(organizer=organizer, settings=SETTINGS).code) == 16


def test_deleting_a_series_coupon_keeps_its_series(organizer):
    coupon = CouponFactory(series__organizer=organizer)
    coupon_delete(coupon=coupon)
    assert CouponSeries.objects.filter(pk=coupon.series_id).exists()


def test_decouple_copies_every_setting_and_keeps_the_counters(organizer, event):
    item, hidden = ItemFactory(event=event), ItemFactory(event=event, hidden=True)
    series = CouponSeriesFactory(
        organizer=organizer, name="Campaign", active=False, single_usage=False, max_usage=5,
        max_usage_per_event=2, max_tickets=9, can_be_combined=True, discount_type=DiscountType.PERCENT,
        discount_value=D("12.5"),
        discount_max_value=D("20"), allow_all_events=False, allowed_events=[event], allow_all_items=False,
        allowed_items=[item], valid_from=timezone.now(), valid_until=None, min_tickets_in_cart=1,
        max_tickets_in_cart=4, tags=["a", "b"], reveal_allowed_items=True, note="copied",
    )  # fmt: skip
    series.unlocks.set([hidden])
    coupon = CouponFactory(series=series, customer_email="x@example.com", used_orders=3, used_tickets=6)
    CouponEventUsage.objects.create(coupon=coupon, event=event, orders=3, tickets=6)
    other = CouponFactory(series=series)

    decoupled = coupon_decouple(coupon=coupon)
    private = decoupled.series
    assert private.pk != series.pk and private.kind == SeriesKind.STANDALONE
    for name in (
        "name", "active", "single_usage", "max_usage", "max_usage_per_event", "max_tickets",
        "can_be_combined", "discount_type", "discount_value", "discount_max_value", "allow_all_events",
        "allow_all_items",
        "valid_from", "valid_until", "min_tickets_in_cart", "max_tickets_in_cart", "tags",
        "reveal_allowed_items", "note", "organizer_id",
    ):  # fmt: skip
        assert getattr(private, name) == getattr(series, name), name
    assert list(private.allowed_events.all()) == [event]
    assert list(private.allowed_items.all()) == [item]
    assert list(private.unlocks.all()) == [hidden]
    coupon.refresh_from_db()
    assert (coupon.code, coupon.customer_email, coupon.used_orders, coupon.used_tickets) == (
        decoupled.code, "x@example.com", 3, 6
    )  # fmt: skip
    assert list(coupon.event_usages.values_list("orders", "tickets")) == [(3, 6)]
    assert list(series.coupons.all()) == [other]

    # the series' changes no longer reach it
    coupon_series_update(
        series=series, discount_value=D("50"), tags=["changed"], unlocks=[], allowed_items=[]
    )
    private.refresh_from_db()
    assert (private.discount_value, private.tags, list(private.unlocks.all())) == (
        D("12.5"),
        ["a", "b"],
        [hidden],
    )

    with pytest.raises(ConflictError) as raised:
        coupon_decouple(coupon=coupon)
    assert raised.value.code == "already_standalone"
    assert CouponSeries.objects.filter(kind=SeriesKind.STANDALONE).count() == 1


def test_validation_of_unlocks(organizer, event):
    elsewhere = ItemFactory(event=EventFactory(organizer=organizer, slug="elsewhere"))
    foreign = ItemFactory()
    base = {"organizer": organizer, "discount_value": D("5"), "discount_type": DiscountType.FIX}
    validate_coupon_series(**base, unlocks=[elsewhere])  # every event allowed
    with pytest.raises(ValidationError) as raised:
        validate_coupon_series(**base, unlocks=[foreign])
    assert list(raised.value.message_dict) == ["unlocks"]
    with pytest.raises(ValidationError) as raised:
        validate_coupon_series(**base, allow_all_events=False, allowed_events=[event], unlocks=[elsewhere])
    assert raised.value.message_dict == {
        "unlocks": [f"Item {elsewhere.pk} belongs to an event that is not allowed."]
    }


def test_resolution_carries_the_unlocked_items(organizer, event):
    ticket, hidden, other = (
        ItemFactory(event=event),
        ItemFactory(event=event, hidden=True),
        ItemFactory(event=event),
    )
    series = CouponSeriesFactory(organizer=organizer, allow_all_items=False, allowed_items=[ticket])
    series.unlocks.set([hidden])
    CouponFactory(series=series, code="UNLOCKS-IT")
    now = timezone.now()
    resolved = resolve_code(organizer=organizer, event=event, code="unlocks-it", now=now)
    assert resolved.unlocked_item_ids == frozenset({hidden.pk})
    assert resolved.unlocks(item=hidden.pk, event=event.pk)
    assert not resolved.unlocks(item=ticket.pk, event=event.pk)  # in scope, but nothing revealed
    assert not resolved.covers(item=hidden.pk)  # unlocked, not discounted
    # a cart holding only the unlocked item: the code is valid for it
    cart = CartSummary(lines=(CartLineSummary(item=hidden.pk),))
    assert (
        resolve_code(organizer=organizer, event=event, code="UNLOCKS-IT", now=now, cart=cart).code
        == "UNLOCKS-IT"
    )
    with pytest.raises(CodeError) as raised:
        resolve_code(
            organizer=organizer, event=event, code="UNLOCKS-IT", now=now,
            cart=CartSummary(lines=(CartLineSummary(item=other.pk),)),
        )  # fmt: skip
    assert raised.value.code == "not_valid_for_items"


# --- admin ---------------------------------------------------------------------------------------


def admin_url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:vouchers_{model}_{view}", args=args)


def settings_post(organizer, **extra) -> dict:
    return {
        "organizer": organizer.pk, "code": "ADMIN-SOLO", "customer_email": "", "active": "on", "name": "Solo",
        "settings_active": "on", "discount_type": "fix", "discount_value": "5", "allow_all_events": "on",
        "allow_all_items": "on", "tags": "[]", "note": "", **extra,
    }  # fmt: skip


def test_admin_creates_and_edits_a_stand_alone_coupon_with_its_settings(admin_client, organizer, event):
    hidden = ItemFactory(event=event, hidden=True)
    assert admin_client.get(admin_url("standalonecoupon", "add")).status_code == 200
    response = admin_client.post(
        admin_url("standalonecoupon", "add"), settings_post(organizer, unlocks=[hidden.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    coupon = Coupon.objects.get(code="ADMIN-SOLO")
    assert coupon.series.kind == SeriesKind.STANDALONE and list(coupon.series.unlocks.all()) == [hidden]

    page = admin_client.get(admin_url("standalonecoupon", "change", coupon.pk))
    assert page.status_code == 200 and 'name="unlocks"' in page.content.decode()
    response = admin_client.post(
        admin_url("standalonecoupon", "change", coupon.pk),
        settings_post(organizer, discount_value="8", name="Renamed"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    coupon.series.refresh_from_db()
    assert (coupon.series.discount_value, coupon.series.name) == (D("8"), "Renamed")
    assert list(coupon.series.unlocks.all()) == []

    # a setting broken as a series' would be
    response = admin_client.post(
        admin_url("standalonecoupon", "change", coupon.pk), settings_post(organizer, discount_type="percent",
                                                                          discount_value="150")
    )  # fmt: skip
    assert response.status_code == 200 and "between 0 and 100" in response.content.decode()

    # the coupons' list marks it and sends its page to the stand-alone one
    listing = admin_client.get(admin_url("coupon")).content.decode()
    assert "ADMIN-SOLO" in listing and "field-standalone" in listing
    assert admin_client.get(admin_url("coupon"), {"standalone": "yes"}).status_code == 200
    redirect = admin_client.get(admin_url("coupon", "change", coupon.pk))
    assert redirect.status_code == 302 and redirect["Location"] == admin_url(
        "standalonecoupon", "change", coupon.pk
    )
    # deleting it takes its private series
    series_id = coupon.series_id
    response = admin_client.post(admin_url("standalonecoupon", "delete", coupon.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not CouponSeries.objects.filter(pk=series_id).exists()


def test_admin_decouple_action_and_unlocks_on_the_series_form(admin_client, organizer, event):
    hidden = ItemFactory(event=event, hidden=True)
    series = CouponSeriesFactory(organizer=organizer)
    coupon = CouponFactory(series=series, code="ACTION-GO")
    response = admin_client.post(
        admin_url("coupon"), {"action": "decouple", "_selected_action": [coupon.pk]}, follow=True
    )
    assert "Decoupled 1 coupons." in response.content.decode()
    coupon.refresh_from_db()
    assert coupon.series.kind == SeriesKind.STANDALONE and coupon.series_id != series.pk

    page = admin_client.get(admin_url("couponseries", "change", series.pk)).content.decode()
    assert 'name="unlocks"' in page
    assert hidden.name in page


def test_the_admin_pages_changes_are_recorded(admin_client, organizer):
    from audit.models import AuditEntry

    response = admin_client.post(admin_url("standalonecoupon", "add"), settings_post(organizer))
    assert response.status_code == 302
    coupon = Coupon.objects.get(code="ADMIN-SOLO")
    entries = AuditEntry.objects.filter(object_id=str(coupon.pk), object_type="coupon")
    assert list(entries.values_list("action", flat=True)) == ["created"]
    changed = settings_post(organizer, active="", discount_value="9")
    assert admin_client.post(admin_url("standalonecoupon", "change", coupon.pk), changed).status_code == 302
    assert entries.filter(action="changed").get().changes["active"] == [True, False]
    series_entries = AuditEntry.objects.filter(object_id=str(coupon.series_id), object_type="coupon_series")
    assert series_entries.filter(action="changed").get().changes["discount_value"] == ["5.00", "9.00"]
    admin_client.post(admin_url("standalonecoupon", "delete", coupon.pk), {"post": "yes"})
    assert entries.filter(action="deleted").count() == 1
    assert series_entries.filter(action="deleted").count() == 1


def test_a_stand_alone_coupon_is_a_coupon_of_the_events_code_list(api, organizer, event):
    promo = PromoCodeFactory(series__organizer=organizer, code="A-PROMO")
    solo = standalone_coupon_create(organizer=organizer, settings=SETTINGS, code="SOLO-LISTED")
    in_series = CouponFactory(series__organizer=organizer, code="IN-SERIES")
    url = "/api/v1/organizers/demo-org/events/conf/codes/"
    rows = api.get(url).json()["results"]
    assert [(r["kind"], r["code"]) for r in rows] == [
        ("coupon", solo.code), ("coupon", in_series.code), ("promo_code", promo.code)
    ]  # fmt: skip

    def codes(kind):
        return [r["code"] for r in api.get(url, {"kind": kind}).json()["results"]]

    assert codes("coupon") == ["SOLO-LISTED", "IN-SERIES"]
    assert codes("promo_code") == [promo.code]

