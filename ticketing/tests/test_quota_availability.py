"""Quota availability (``ticketing.selectors``) and the registry other apps count usage through."""

from __future__ import annotations

import pytest

from ticketing import quota_usage
from ticketing.quota_usage import QuotaUsage, override_quota_usage, quota_usage_counts, register_quota_usage
from ticketing.selectors import QuotaAvailability, quota_availabilities, quota_availability
from ticketing.tests.factories import QuotaFactory

NOTHING_COUNTED = {kind: (lambda quotas: {}) for kind in QuotaUsage}


def fixed(counts: dict[int, int], calls: list | None = None):
    def counter(quotas):
        if calls is not None:
            calls.append([q.pk for q in quotas])
        return {q.pk: counts[q.pk] for q in quotas if q.pk in counts}

    return counter


@pytest.mark.parametrize(
    ("size", "used", "available_number", "available"),
    [
        (10, 0, 10, True),
        (10, 9, 1, True),
        (10, 10, 0, False),
        (10, 12, 0, False),  # overbooked (e.g. the quota was made smaller): never negative
        (0, 0, 0, False),
        (None, 1000, None, True),  # unlimited
    ],
)
def test_available_number_is_the_size_minus_everything_counted(db, size, used, available_number, available):
    quota = QuotaFactory(size=size)
    split = {QuotaUsage.PAID_ORDERS: used // 2, QuotaUsage.CART_POSITIONS: used - used // 2}
    counters = {kind: fixed({quota.pk: split.get(kind, 0)}) for kind in QuotaUsage}
    with override_quota_usage(counters):
        result = quota_availability(quota)
    assert result == QuotaAvailability(
        total_size=size, pending_orders=0, paid_orders=used // 2, cart_positions=used - used // 2,
        blocking_vouchers=0, available_number=available_number, available=available,
    )


def test_kinds_nobody_registered_count_zero(db):
    quota = QuotaFactory(size=5)
    with override_quota_usage(NOTHING_COUNTED):
        assert quota_availability(quota).available_number == 5


def test_each_counter_is_called_once_for_all_quotas(db, django_assert_num_queries):
    quotas = [QuotaFactory(size=10) for _ in range(3)]
    calls: list = []
    counters = {kind: fixed({quotas[0].pk: 1, quotas[2].pk: 4}, calls) for kind in QuotaUsage}
    with override_quota_usage(counters), django_assert_num_queries(0):
        result = quota_availabilities(quotas)
    assert len(calls) == len(QuotaUsage)
    assert all(call == [q.pk for q in quotas] for call in calls)
    assert [result[q.pk].available_number for q in quotas] == [6, 10, 0]


def test_no_quotas_means_no_counting(db):
    calls: list = []
    with override_quota_usage({kind: fixed({}, calls) for kind in QuotaUsage}):
        assert quota_usage_counts([]) == {kind: {} for kind in QuotaUsage}
    assert calls == []


def test_one_counter_per_kind():
    def first(quotas):
        return {}

    def second(quotas):
        return {}

    with override_quota_usage({}):
        # The orders app registers a real counter for this kind; start without it (restored on exit).
        quota_usage._counters.pop(QuotaUsage.PAID_ORDERS, None)
        register_quota_usage(QuotaUsage.PAID_ORDERS, first)
        register_quota_usage("paid_orders", first)  # ready() running twice is harmless
        with pytest.raises(ValueError, match="already registered"):
            register_quota_usage(QuotaUsage.PAID_ORDERS, second)
        with pytest.raises(ValueError):
            register_quota_usage("waiting_list", first)


def test_override_restores_the_registered_counters():
    with override_quota_usage(NOTHING_COUNTED):
        with override_quota_usage({QuotaUsage.PAID_ORDERS: fixed({1: 1})}):
            assert quota_usage_counts([QuotaFactory.build(pk=1)])[QuotaUsage.PAID_ORDERS] == {1: 1}
        assert quota_usage_counts([QuotaFactory.build(pk=1)])[QuotaUsage.PAID_ORDERS] == {}
