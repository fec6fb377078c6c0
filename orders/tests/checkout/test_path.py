"""The checkout path called directly (no HTTP): what each mode gathers, checks, stores and refuses.

The room rule of ``orders.checkout.check`` in cases: sold, held by other carts, held
by the cart itself, expired holds, a lowered quota or code limit.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError
from orders.checkout import run
from orders.checkout.draft import Draft, PositionSpec
from orders.checkout.gather import CartGone, gather
from orders.checkout.mode import CART, ORDER, PRICE
from orders.models import Cart, CartCode, CartPosition, Order
from orders.selectors import priced_cart
from orders.services.carts import cart_code_apply, cart_create, cart_position_add
from orders.services.checkout import cart_checkout, order_place
from orders.tests.factories import OrderFactory, OrderPositionFactory, web_channel
from ticketing.tests.factories import ItemBundleFactory, ItemFactory, QuotaFactory
from vouchers.models import Voucher
from vouchers.resolution import CodeError
from vouchers.tests.factories import CouponFactory, VoucherFactory

pytestmark = pytest.mark.django_db
D = Decimal
NOW = timezone.now()


@pytest.fixture
def ticket(event):
    return ItemFactory(event=event, default_price=D("40.00"))


@pytest.fixture
def quota(event, ticket):
    return QuotaFactory(event=event, size=2, items=[ticket])


def draft(event, *positions, codes=(), **fields) -> Draft:
    return Draft(
        event=event,
        sales_channel=web_channel(event),
        positions=tuple(positions),
        codes=tuple(codes),
        email=fields.pop("email", "buyer@example.com"),
        **fields,
    )


def hold(event, item, count=1, **fields) -> Cart:
    """A new cart holding ``count`` positions of ``item`` (through the cart mode)."""
    spec = PositionSpec(item=item.pk, **fields)
    return cart_create(event=event, sales_channel=web_channel(event), positions=[spec] * count, now=NOW).cart


def refusal(call) -> tuple[str, dict]:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code, info.value.as_dict()


# What each mode stores ---------------------------------------------------------------------------


def test_the_price_mode_prices_and_stores_nothing(event, ticket, quota):
    outcome = run(draft(event, PositionSpec(item=ticket.pk)), mode=PRICE, now=NOW)
    assert outcome.view.total == D("40.00") and outcome.order is None and outcome.cart is None
    assert not Cart.objects.exists() and not Order.objects.exists()


def test_the_cart_mode_stores_the_holds_and_answers_the_view_with_their_ids(event, ticket, quota):
    outcome = run(
        draft(event, PositionSpec(item=ticket.pk), PositionSpec(item=ticket.pk)), mode=CART, now=NOW
    )
    stored = list(CartPosition.objects.filter(cart=outcome.cart).order_by("positionid"))
    assert [p.positionid for p in stored] == [1, 2]
    assert [p.spec.ref for p in outcome.view.positions] == [p.pk for p in stored]
    assert outcome.cart.expires == NOW + timedelta(minutes=30)


def test_the_order_mode_stores_the_order_counts_the_voucher_and_deletes_the_cart(event, ticket, quota):
    voucher = VoucherFactory(event=event, max_usages=3, price_mode="subtract", value=D("5.00"))
    cart = hold(event, ticket, voucher=voucher.code.upper())
    order = cart_checkout(cart=cart, email="ada@example.com", now=NOW)
    assert (order.total, order.email, len(order.position_list)) == (D("35.00"), "ada@example.com", 1)
    assert not Cart.objects.filter(pk=cart.pk).exists()
    voucher.refresh_from_db()
    assert (voucher.redeemed, voucher.budget_used) == (1, D("5.00"))


def test_a_gone_cart_cannot_be_checked_out(event, ticket, quota):
    cart = hold(event, ticket)
    Cart.objects.filter(pk=cart.pk).delete()
    with pytest.raises(CartGone):
        cart_checkout(cart=cart, email="ada@example.com", now=NOW)


# What the gather stage puts together ---------------------------------------------------------------


def test_positions_asked_for_come_after_the_stored_ones_with_their_bundles(event, ticket, quota):
    extra = ItemFactory(event=event, default_price=D("5.00"))
    QuotaFactory(event=event, size=None, items=[extra])
    ItemBundleFactory(base_item=ticket, bundled_item=extra, count=2, designated_price=D("1.00"))
    cart = hold(event, extra)
    gathered = gather(draft(event, PositionSpec(item=ticket.pk), cart=cart), mode=CART, now=NOW)
    shape = [(p.item, p.addon_to, p.is_bundled, p.ref is not None) for p in gathered.positions]
    assert shape == [
        (extra.pk, None, False, True),
        (ticket.pk, None, False, False),
        (extra.pk, 1, True, False),
        (extra.pk, 1, True, False),
    ]
    assert gathered.taking == {1, 2, 3} == gathered.checked


def test_an_order_checks_every_position_and_takes_only_what_its_live_cart_does_not_hold(event, ticket, quota):
    cart = hold(event, ticket, count=2)
    gathered = gather(draft(event, cart=cart), mode=ORDER, now=NOW)
    assert (gathered.taking, gathered.checked) == (frozenset(), {0, 1})
    assert gathered.held_codes == frozenset()
    later = NOW + timedelta(minutes=31)
    assert gather(draft(event, cart=cart), mode=ORDER, now=later).taking == {0, 1}  # expired: held no more


def test_reading_a_cart_checks_nothing_again_even_when_it_has_expired(event, ticket, quota):
    cart = hold(event, ticket)
    ticket.active = False
    ticket.save()
    later = NOW + timedelta(hours=1)
    gathered = gather(draft(event, cart=cart), mode=PRICE, now=later)
    assert gathered.taking == frozenset() == gathered.checked
    assert priced_cart(cart, now=later).view.total == D("40.00")


def test_an_add_on_to_a_position_that_is_not_in_the_cart_is_refused(event, ticket, quota):
    cart = hold(event, ticket)
    code, _ = refusal(
        lambda: cart_position_add(cart=cart, position=PositionSpec(item=ticket.pk), addon_to=10**9, now=NOW)
    )
    assert code == "addon_parent_invalid"
    assert CartPosition.objects.filter(cart=cart).count() == 1


def test_more_than_500_positions_after_bundles_are_refused(event, ticket, quota):
    extra = ItemFactory(event=event)
    ItemBundleFactory(base_item=ticket, bundled_item=extra, count=2)
    code, _ = refusal(lambda: run(draft(event, *[PositionSpec(item=ticket.pk)] * 167), mode=PRICE, now=NOW))
    assert code == "too_many_positions"


# The room rule -----------------------------------------------------------------------------------------


def test_new_positions_need_room_among_what_is_sold_and_held(event, ticket, quota):
    OrderPositionFactory(order=OrderFactory(event=event), item=ticket)  # sold: 1
    hold(event, ticket)  # held by another cart: 1
    code, body = refusal(
        lambda: order_place(
            event=event,
            sales_channel=web_channel(event),
            positions=[PositionSpec(item=ticket.pk)],
            email="a@example.com",
            now=NOW,
        )
    )
    assert (code, body["quota"], body["available"]) == ("quota_exceeded", quota.pk, 0)
    code, _ = refusal(lambda: hold(event, ticket))
    assert code == "quota_exceeded"
    assert Cart.objects.count() == 1 and Order.objects.count() == 1


def test_a_cart_holding_the_last_places_checks_out(event, ticket, quota):
    cart = hold(event, ticket, count=2)
    assert len(cart_checkout(cart=cart, email="a@example.com", now=NOW).position_list) == 2


def test_expired_holds_count_for_nobody(event, ticket, quota):
    stale = hold(event, ticket, count=2)
    Cart.objects.filter(pk=stale.pk).update(expires=NOW - timedelta(seconds=1))
    fresh = hold(event, ticket, count=2)  # the expired cart's places are free again
    code, _ = refusal(lambda: cart_checkout(cart=stale, email="a@example.com", now=NOW))
    assert code == "quota_exceeded"  # and the expired cart has to find room like anyone else
    assert cart_checkout(cart=fresh, email="a@example.com", now=NOW).total == D("80.00")


def test_adding_to_an_expired_cart_takes_its_places_again(event, ticket, quota):
    stale = hold(event, ticket)
    Cart.objects.filter(pk=stale.pk).update(expires=NOW - timedelta(seconds=1))
    stale.refresh_from_db()
    hold(event, ticket)
    code, body = refusal(
        lambda: cart_position_add(cart=stale, position=PositionSpec(item=ticket.pk), addon_to=None, now=NOW)
    )
    assert (code, body["available"]) == ("quota_exceeded", 1)  # one left, two asked (the old one and the new)


def test_a_quota_lowered_below_what_carts_hold_sells_while_room_remains_and_never_more(event, ticket, quota):
    first, second = hold(event, ticket), hold(event, ticket)
    quota.size = 1
    quota.save()
    assert cart_checkout(cart=second, email="a@example.com", now=NOW).total == D("40.00")
    code, body = refusal(lambda: cart_checkout(cart=first, email="b@example.com", now=NOW))
    assert (code, body["available"]) == ("quota_exceeded", 0)
    assert Order.objects.count() == 1


# Code uses held by carts ---------------------------------------------------------------------------------


def test_a_code_whose_last_use_another_cart_holds_is_refused_as_held(event, ticket, quota):
    voucher = VoucherFactory(event=event, max_usages=1)
    hold(event, ticket, voucher=voucher.code.upper())
    with pytest.raises(CodeError) as info:
        hold(event, ticket, voucher=voucher.code.upper())
    assert info.value.code == "held_in_other_cart"
    other = hold(event, ticket)
    with pytest.raises(CodeError) as info:
        cart_code_apply(cart=other, code=voucher.code, now=NOW)
    assert info.value.code == "held_in_other_cart"
    assert not CartCode.objects.filter(cart=other).exists()


def test_a_code_limit_lowered_below_what_carts_hold_is_used_while_uses_remain(
    organizer, event, ticket, quota
):
    coupon = CouponFactory(series__organizer=organizer, series__max_usage=2, series__discount_value=D("10"))
    first, second = hold(event, ticket), hold(event, ticket)
    cart_code_apply(cart=first, code=coupon.code, now=NOW)
    cart_code_apply(cart=second, code=coupon.code, now=NOW)
    coupon.series.max_usage = 1
    coupon.series.save()
    assert cart_checkout(cart=first, email="a@example.com", now=NOW).code_discount_total == D("4.00")
    with pytest.raises(CodeError) as info:
        cart_checkout(cart=second, email="b@example.com", now=NOW)
    assert info.value.code == "exhausted"


def test_applying_a_code_the_cart_has_already_is_a_no_op(organizer, event, ticket, quota):
    coupon = CouponFactory(series__organizer=organizer)
    cart = hold(event, ticket)
    cart_code_apply(cart=cart, code=coupon.code, now=NOW)
    outcome = cart_code_apply(cart=cart, code=coupon.code.lower(), now=NOW)
    assert [c.code for c in outcome.view.codes] == [coupon.code.upper()]
    assert CartCode.objects.filter(cart=cart).count() == 1


def test_a_stored_cart_with_a_code_used_up_elsewhere_reads_it_as_invalid(event, ticket, quota):
    voucher = VoucherFactory(event=event, max_usages=1)
    cart = hold(event, ticket, voucher=voucher.code.upper())
    Voucher.objects.filter(pk=voucher.pk).update(redeemed=1)
    priced = priced_cart(cart, now=NOW)
    assert [(i.code, i.error.code) for i in priced.invalid_codes] == [(voucher.code.upper(), "exhausted")]
    assert priced.view.total == D("40.00") and priced.view.codes == []
