"""The engine keeps its own enums (it imports the standard library only), the domain has its own: the
values must stay the same, or the adapter would hand the engine a kind or mode it does not know."""

from __future__ import annotations

from discounts.models import SubeventMode as RuleSubeventMode
from orders.checkout.adapter import _KINDS
from orders.models import RedemptionKind
from orders.pricing import CodeKind as EngineCodeKind
from orders.pricing import SubeventMode as EngineSubeventMode
from vouchers.resolution import CodeKind as ResolvedKind


def test_subevent_modes_are_the_same_three_in_the_engine_and_on_the_rule():
    assert sorted(m.value for m in EngineSubeventMode) == ["distinct", "mixed", "same"]
    assert sorted(m.value for m in RuleSubeventMode) == ["distinct", "mixed", "same"]


def test_code_kinds_are_the_same_three_in_the_engine_the_resolution_and_the_redemptions():
    expected = ["coupon", "promo_code", "voucher"]
    assert sorted(k.value for k in EngineCodeKind) == expected
    assert sorted(k.value for k in ResolvedKind) == expected
    assert sorted(k.value for k in RedemptionKind) == expected


def test_the_adapter_maps_every_resolved_kind_to_the_engine_kind_of_the_same_value():
    assert {k.value: v.value for k, v in _KINDS.items()} == {
        "voucher": "voucher", "coupon": "coupon", "promo_code": "promo_code"
    }  # fmt: skip
