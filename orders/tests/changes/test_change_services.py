"""Order changes (``orders.services.changes``), the service called directly: what each operation does to
the totals, the sales counts, the codes and the order's status, the refusals, and the preview that
stores nothing. Orders are placed through the real checkout (``order_place``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ConflictError, DomainError
from notifications.models import Notification
from orders.checkout.draft import PositionSpec
from orders.models import Order, OrderPosition, OrderStatus, Redemption
from orders.payments import order_net_paid
from orders.sales import positions_sold, record_sales
from orders.services.changes import (
    NewPosition,
    OrderChange,
    PositionPatch,
    order_change,
    order_change_preview,
)
from orders.services.checkout import order_place
from orders.services.expiry import order_mark_expired
from orders.services.orders import OrderStateError, order_mark_canceled, order_mark_paid
from orders.tests.factories import web_channel
from ticketing.models import Quota
from ticketing.selectors import quota_availability
from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Coupon, CouponSeries, Voucher
from vouchers.tests.factories import PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def hall(event):
    """A ticket at 50.00 and a reduced one at 30.00, in one quota of 4."""
    ticket = ItemFactory(event=event, name="Ticket", default_price=D("50.00"))
    reduced = ItemFactory(event=event, name="Reduced", default_price=D("30.00"))
    quota = QuotaFactory(event=event, name="Hall", size=4, items=[ticket, reduced])
    return ticket, reduced, quota


def place(event, *items, codes=(), voucher=None) -> Order:
    """A pending order of one position per item (the first carrying ``voucher``)."""
    positions = [PositionSpec(item=items[0].pk, voucher=voucher)] + [
        PositionSpec(item=i.pk) for i in items[1:]
    ]
    return order_place(
        event=event, sales_channel=web_channel(event), email="buyer@example.com", now=timezone.now(),
        positions=positions, codes=codes,
    )  # fmt: skip


def change(order, **what) -> Order:
    order_change(order=order, change=OrderChange(**what), now=timezone.now())
    return Order.objects.get(pk=order.pk)


def live(order) -> list[tuple[int, str, str]]:
    """(positionid, item name, price) of the order's positions that are not canceled."""
    rows = OrderPosition.objects.filter(order=order, canceled=False).order_by("positionid")
    return [(p.positionid, p.item.name, f"{p.price:.2f}") for p in rows.select_related("item")]


def sold(quota) -> tuple[int, int]:
    figures = quota_availability(Quota.objects.get(pk=quota.pk))
    return figures.pending_orders, figures.paid_orders


def changed_notes(order) -> list[dict]:
    return list(
        Notification.objects.filter(order_code=order.code, type="order.changed").values_list(
            "data", flat=True
        )
    )


# --- what each operation does ------------------------------------------------------------------------

OPERATIONS = [
    (  # cancel one of two tickets
        {"cancel": (1,)},
        "50.00",
        (1, 0),
        [(2, "Ticket", "50.00")],
    ),
    (  # add a reduced ticket: a new positionid after the last
        {"create": (NewPosition(item="reduced"),)},
        "130.00",
        (3, 0),
        [(1, "Ticket", "50.00"), (2, "Ticket", "50.00"), (3, "Reduced", "30.00")],
    ),
    (  # the second ticket becomes a reduced one: its place stays in the same quota
        {"patch": (PositionPatch(position=2, values={"item": "reduced"}),)},
        "80.00",
        (2, 0),
        [(1, "Ticket", "50.00"), (2, "Reduced", "30.00")],
    ),
    (  # a manual price on the first ticket
        {"patch": (PositionPatch(position=1, values={"price": D("10.00")}),)},
        "60.00",
        (2, 0),
        [(1, "Ticket", "10.00"), (2, "Ticket", "50.00")],
    ),
    (  # cancel one and add one in one change
        {"cancel": (1,), "create": (NewPosition(item="reduced", price=D("5.00")),)},
        "55.00",
        (2, 0),
        [(2, "Ticket", "50.00"), (3, "Reduced", "5.00")],
    ),
]


@pytest.mark.parametrize(("what", "total", "counts", "positions"), OPERATIONS)
def test_each_operation_changes_totals_sales_counts_and_positions(
    event, hall, what, total, counts, positions
):
    ticket, reduced, quota = hall
    items = {"reduced": reduced.pk, "ticket": ticket.pk}

    def real(value):
        if isinstance(value, NewPosition):
            return NewPosition(item=items[value.item], price=value.price)
        if isinstance(value, PositionPatch) and "item" in value.values:
            return PositionPatch(position=value.position, values={"item": items[value.values["item"]]})
        return value

    order = place(event, ticket, ticket)
    assert (order.total, sold(quota)) == (D("100.00"), (2, 0))

    changed = change(order, **{key: tuple(real(v) for v in values) for key, values in what.items()})

    assert changed.total == D(total)
    assert changed.list_total == sum(D(price) for *_, price in positions)
    assert sold(quota) == counts
    assert live(changed) == positions
    assert changed.status == OrderStatus.PENDING
    [note] = changed_notes(order)
    assert note["before"]["total"] == "100.00"
    assert note["after"]["total"] == total


def test_a_patched_manual_price_stays_when_the_order_changes_again(event, hall):
    ticket, reduced, _ = hall
    order = place(event, ticket, ticket)
    change(order, patch=(PositionPatch(position=1, values={"price": D("10.00")}),))

    changed = change(order, create=(NewPosition(item=reduced.pk),))

    assert live(changed) == [(1, "Ticket", "10.00"), (2, "Ticket", "50.00"), (3, "Reduced", "30.00")]
    assert OrderPosition.objects.get(order=order, positionid=1).price_manual is True
    assert changed.total == D("90.00")


def test_canceling_a_parent_cancels_its_add_ons(event, hall):
    ticket, reduced, quota = hall
    order = place(event, ticket, ticket)
    parent = OrderPosition.objects.get(order=order, positionid=2)
    # an add-on of position 2, stored (and counted) as the checkout stores an add-on
    addon = OrderPosition.objects.create(
        order=order, positionid=3, item=reduced, addon_to=parent, list_price=D("0"), price=D("0")
    )
    record_sales(positions_sold([(reduced.pk, None, None)], OrderStatus.PENDING))
    assert sold(quota) == (3, 0)

    changed = change(order, cancel=(2,))

    assert live(changed) == [(1, "Ticket", "50.00")]
    assert OrderPosition.objects.get(pk=addon.pk).canceled is True
    assert sold(quota) == (1, 0)
    [note] = changed_notes(order)
    assert note["positions"] == {"added": [], "canceled": [2, 3], "changed": []}


# --- prices from rules and codes ---------------------------------------------------------------------


def test_the_orders_voucher_is_given_back_with_its_position_and_kept_with_the_others(event, hall):
    ticket, _, _ = hall
    voucher = VoucherFactory(
        event=event, code="TENOFF", price_mode="subtract", value=D("10.00"), max_usages=1
    )
    order = place(event, ticket, ticket, voucher="TENOFF")
    assert (order.total, Voucher.objects.get(pk=voucher.pk).redeemed) == (D("90.00"), 1)

    # A change that keeps the voucher's position: its only use is the order's own, so it still fits.
    changed = change(order, patch=(PositionPatch(position=2, values={"price": D("20.00")}),))
    assert (changed.total, Voucher.objects.get(pk=voucher.pk).redeemed) == (D("60.00"), 1)
    live_uses = Redemption.objects.filter(order=order, reversed=False)
    assert list(live_uses.values_list("code", "uses", "discount")) == [("TENOFF", 1, D("10.00"))]
    announced = Notification.objects.filter(order_code=order.code, type__startswith="code.")
    assert list(announced.values_list("type", flat=True)) == ["code.redeemed"]  # the checkout's, no more

    changed = change(order, cancel=(1,))

    assert (changed.total, Voucher.objects.get(pk=voucher.pk).redeemed) == (D("20.00"), 0)
    assert not Redemption.objects.filter(order=order, reversed=False).exists()
    assert list(announced.values_list("type", flat=True)) == ["code.redeemed", "code.released"]


def test_the_orders_promo_code_prices_new_positions_and_counts_once(event, organizer, hall):
    ticket, reduced, _ = hall
    promo = PromoCodeFactory(
        series__organizer=organizer, series__discount_value=D("10"), series__max_usage=1, code="TEN-PCT"
    )
    order = place(event, ticket, codes=["TEN-PCT"])
    assert order.total == D("45.00")

    changed = change(order, create=(NewPosition(item=reduced.pk),))

    assert changed.total == D("72.00")  # 45.00 + 27.00: the order's code prices the new position too
    assert Coupon.objects.values_list("used_orders", "used_tickets").get(pk=promo.pk) == (1, 2)


# --- room ---------------------------------------------------------------------------------------------


def test_the_orders_own_places_count_as_its_own_and_new_ones_need_room(event, hall):
    ticket, reduced, quota = hall
    Quota.objects.filter(pk=quota.pk).update(size=2)
    order = place(event, ticket, ticket)

    # The quota is full, with the order's own places: swapping one for another fits.
    changed = change(order, cancel=(1,), create=(NewPosition(item=reduced.pk),))
    assert live(changed) == [(2, "Ticket", "50.00"), (3, "Reduced", "30.00")]

    with pytest.raises(ConflictError) as refused:
        change(order, create=(NewPosition(item=reduced.pk),))

    assert (refused.value.code, refused.value.context["quota"]) == ("quota_exceeded", quota.pk)
    assert live(Order.objects.get(pk=order.pk)) == [(2, "Ticket", "50.00"), (3, "Reduced", "30.00")]
    assert sold(quota) == (2, 0)


def test_a_patch_to_an_item_of_a_full_quota_is_refused_and_changes_nothing(event, hall):
    ticket, reduced, _ = hall
    balcony = ItemFactory(event=event, name="Balcony", default_price=D("70.00"))
    QuotaFactory(event=event, name="Balcony", size=1, items=[balcony])
    place(event, balcony)
    order = place(event, ticket)

    with pytest.raises(ConflictError) as refused:
        change(order, patch=(PositionPatch(position=1, values={"item": balcony.pk}),))

    assert refused.value.code == "quota_exceeded"
    assert live(Order.objects.get(pk=order.pk)) == [(1, "Ticket", "50.00")]


# --- money and status ---------------------------------------------------------------------------------


def test_a_paid_order_that_owes_more_is_pending_with_a_new_deadline(event, hall):
    ticket, reduced, quota = hall
    order = order_mark_paid(order=place(event, ticket), now=timezone.now())
    assert (order.status, sold(quota)) == (OrderStatus.PAID, (0, 1))

    changed = change(order, create=(NewPosition(item=reduced.pk),))

    assert (changed.status, changed.total, order_net_paid(changed)) == (
        OrderStatus.PENDING,
        D("80.00"),
        D("50.00"),
    )
    assert changed.expires is not None and changed.expires > timezone.now()
    assert sold(quota) == (2, 0)
    [note] = changed_notes(order)
    assert (note["before"]["status"], note["after"]["status"]) == ("paid", "pending")


def test_a_paid_order_that_owes_less_stays_paid_with_a_refund_due(event, hall):
    ticket, _, quota = hall
    order = order_mark_paid(order=place(event, ticket, ticket), now=timezone.now())

    changed = change(order, cancel=(2,))

    assert (changed.status, changed.total, order_net_paid(changed)) == (
        OrderStatus.PAID,
        D("50.00"),
        D("100.00"),
    )
    assert sold(quota) == (0, 1)


def test_a_pending_order_its_payments_now_cover_becomes_paid(event, hall):
    ticket, _, quota = hall
    order = order_mark_paid(order=place(event, ticket, ticket), now=timezone.now(), amount=D("50.00"))
    assert order.status == OrderStatus.PENDING

    changed = change(order, cancel=(2,))

    assert (changed.status, changed.total) == (OrderStatus.PAID, D("50.00"))
    assert sold(quota) == (0, 1)
    types = Notification.objects.filter(order_code=order.code).order_by("id").values_list("type", flat=True)
    assert list(types)[-2:] == ["order.changed", "order.paid"]


# --- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["canceled", "expired"])
def test_only_a_pending_or_paid_order_changes(event, hall, end):
    ticket, reduced, _ = hall
    order = place(event, ticket)
    if end == "canceled":
        order_mark_canceled(order=order, now=timezone.now())
    else:
        order_mark_expired(order=order, now=timezone.now())

    with pytest.raises(OrderStateError) as refused:
        change(order, create=(NewPosition(item=reduced.pk),))

    assert refused.value.status_code == 409
    assert refused.value.context == {"status": end}


REFUSALS = [
    ({}, "non_field_errors", "Nothing to change"),
    ({"cancel": (1, 2)}, "cancel_positions", "cannot cancel every position"),
    ({"cancel": (7,)}, "cancel_positions", "no position 7"),
    ({"cancel": (1, 1)}, "cancel_positions", "more than once"),
    ({"patch": (PositionPatch(9, {"price": D("1.00")}),)}, "patch_positions", "no position 9"),
    ({"patch": (PositionPatch(1, {}),)}, "patch_positions", "Nothing to change of position 1"),
    (
        {"cancel": (1,), "patch": (PositionPatch(position=1, values={"price": D("1.00")}),)},
        "patch_positions", "no position 1 that stays",
    ),
    ({"create": (NewPosition(item=0, addon_to=5),)}, "create_positions", "addon_to"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "field", "message"), REFUSALS)
def test_a_change_that_names_nothing_or_everything_is_refused_naming_the_field(
    event, hall, what, field, message
):
    ticket, _, _ = hall
    order = place(event, ticket, ticket)

    with pytest.raises(ValidationError) as refused:
        change(order, **what)

    assert list(refused.value.message_dict) == [field]
    assert message in refused.value.message_dict[field][0]
    assert Order.objects.get(pk=order.pk).total == D("100.00")
    assert not changed_notes(order)


def test_an_unknown_item_is_refused_naming_it(event, hall):
    ticket, _, _ = hall
    order = place(event, ticket)

    with pytest.raises(DomainError) as refused:
        change(order, create=(NewPosition(item=999999),))

    assert refused.value.code == "item_not_found"
    assert live(Order.objects.get(pk=order.pk)) == [(1, "Ticket", "50.00")]


# --- the preview --------------------------------------------------------------------------------------


def test_the_preview_answers_the_changed_order_and_stores_nothing(event, hall):
    ticket, reduced, quota = hall
    voucher = VoucherFactory(
        event=event, code="TENOFF", price_mode="subtract", value=D("10.00"), max_usages=1
    )
    order = place(event, ticket, ticket, voucher="TENOFF")
    notes = Notification.objects.count()
    redemptions = list(Redemption.objects.values_list("id", "reversed"))

    def read(result):
        return (str(result.order.total), result.added, result.canceled, live(result.order))

    what = OrderChange(cancel=(1,), create=(NewPosition(item=reduced.pk),))
    answer = order_change_preview(order=order, change=what, now=timezone.now(), read=read)

    assert answer == ("80.00", [3], [1], [(2, "Ticket", "50.00"), (3, "Reduced", "30.00")])
    stored = Order.objects.get(pk=order.pk)
    assert (stored.total, live(stored)) == (D("90.00"), [(1, "Ticket", "40.00"), (2, "Ticket", "50.00")])
    assert sold(quota) == (2, 0)
    assert Voucher.objects.get(pk=voucher.pk).redeemed == 1
    assert list(Redemption.objects.values_list("id", "reversed")) == redemptions
    assert Notification.objects.count() == notes


def test_a_code_that_expired_since_the_order_was_placed_still_prices_its_change(event, organizer, hall):
    ticket, reduced, _ = hall
    VoucherFactory(event=event, code="TENOFF", price_mode="subtract", value=D("10.00"))
    PromoCodeFactory(series__organizer=organizer, series__discount_value=D("10"), code="TEN-PCT")
    with_voucher = place(event, ticket, voucher="TENOFF")
    with_promo = place(event, ticket, codes=["TEN-PCT"])
    assert (with_voucher.total, with_promo.total) == (D("40.00"), D("45.00"))
    # Placed an hour ago; the codes ran out half an hour ago.
    hour_ago, half_an_hour_ago = timezone.now() - timedelta(hours=1), timezone.now() - timedelta(minutes=30)
    Order.objects.filter(pk__in=[with_voucher.pk, with_promo.pk]).update(datetime=hour_ago)
    Voucher.objects.filter(code="TENOFF").update(valid_until=half_an_hour_ago)
    CouponSeries.objects.filter(coupons__code="TEN-PCT").update(valid_until=half_an_hour_ago)

    assert live(change(with_voucher, create=(NewPosition(item=reduced.pk),))) == [
        (1, "Ticket", "40.00"), (2, "Reduced", "30.00"),
    ]  # fmt: skip
    assert live(change(with_promo, create=(NewPosition(item=reduced.pk),))) == [
        (1, "Ticket", "45.00"), (2, "Reduced", "27.00"),
    ]  # fmt: skip
