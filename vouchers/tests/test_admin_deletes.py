"""The back office deletes codes as the API does: one that orders used is kept (the delete page lists it
as protected and says what to do instead), the others are deleted and recorded; a promo code takes its
private series with it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from core.errors import ConflictError
from vouchers.models import Coupon, CouponSeries, PromoCode, Voucher
from vouchers.services.coupons import coupons_delete
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def delete_selected(admin_client, model: str, ids: list[int], *, confirm: bool):
    data = {"action": "delete_selected", "_selected_action": ids}
    if confirm:
        data["post"] = "yes"
    return admin_client.post(reverse(f"admin:vouchers_{model}_changelist"), data)


def protected_lines(response) -> list[str]:
    return [str(line) for line in response.context["protected"]]


def test_a_used_coupon_is_listed_as_kept_and_nothing_of_the_selection_is_deleted(admin_client, organizer):
    series = CouponSeriesFactory(organizer=organizer, name="Spring")
    used = CouponFactory(series=series, code="USED-ONE", used_orders=2)
    unused = CouponFactory(series=series, code="NEVER-USED")

    page = delete_selected(admin_client, "coupon", [used.pk, unused.pk], confirm=False)
    assert page.status_code == 200
    assert protected_lines(page) == ["Coupon USED-ONE: used by 2 orders; deactivate it instead"]

    confirmed = delete_selected(admin_client, "coupon", [used.pk, unused.pk], confirm=True)
    assert confirmed.status_code == 200  # the same page again: Django deletes nothing while some are kept
    assert set(Coupon.objects.values_list("code", flat=True)) == {"USED-ONE", "NEVER-USED"}
    assert not AuditEntry.objects.filter(object_type="coupon", action="deleted").exists()


def test_unused_coupons_are_deleted_and_recorded(admin_client, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    unused = CouponFactory(series=series, code="NEVER-USED")
    response = delete_selected(admin_client, "coupon", [unused.pk], confirm=True)
    assert response.status_code == 302
    assert not Coupon.objects.exists() and CouponSeries.objects.filter(pk=series.pk).exists()
    entry = AuditEntry.objects.get(object_type="coupon", action="deleted")
    assert (entry.object_id, entry.source) == (str(unused.pk), "admin")


def test_the_delete_page_of_a_used_coupon_keeps_it(admin_client, organizer):
    coupon = CouponFactory(series=CouponSeriesFactory(organizer=organizer), code="USED-ONE", used_orders=1)
    url = reverse("admin:vouchers_coupon_delete", args=[coupon.pk])
    page = admin_client.get(url)
    assert protected_lines(page) == ["Coupon USED-ONE: used by 1 order; deactivate it instead"]
    assert admin_client.post(url, {"post": "yes"}).status_code == 200
    assert Coupon.objects.filter(pk=coupon.pk).exists()


def test_a_promo_code_goes_with_its_private_series_and_a_used_one_is_kept(admin_client, organizer):
    unused = PromoCodeFactory(series__organizer=organizer, code="SPRING")
    used = PromoCodeFactory(series__organizer=organizer, code="WINTER", used_orders=1)

    page = delete_selected(admin_client, "promocode", [unused.pk, used.pk], confirm=False)
    assert protected_lines(page) == ["Promo code WINTER: used by 1 order; deactivate it instead"]

    assert delete_selected(admin_client, "promocode", [unused.pk], confirm=True).status_code == 302
    assert list(PromoCode.objects.values_list("code", flat=True)) == ["WINTER"]
    assert not CouponSeries.objects.filter(pk=unused.series_id).exists()  # no series without its code
    entry = AuditEntry.objects.get(object_type="promo_code", action="deleted")
    assert entry.object_id == str(unused.pk)


def test_a_series_with_used_coupons_is_kept(admin_client, organizer):
    spring = CouponSeriesFactory(organizer=organizer, name="Spring")
    CouponFactory(series=spring, used_orders=1)
    CouponFactory(series=spring, used_orders=3)
    CouponFactory(series=spring)
    empty = CouponSeriesFactory(organizer=organizer, name="Empty")

    both = [spring.pk, empty.pk]
    page = delete_selected(admin_client, "couponseries", both, confirm=False)
    assert protected_lines(page) == [
        "Coupon series Spring: 2 of its coupons used; deactivate the series instead"
    ]
    assert delete_selected(admin_client, "couponseries", both, confirm=True).status_code == 200
    assert CouponSeries.objects.filter(pk__in=[spring.pk, empty.pk]).count() == 2

    assert delete_selected(admin_client, "couponseries", [empty.pk], confirm=True).status_code == 302
    assert list(CouponSeries.objects.values_list("name", flat=True)) == ["Spring"]


def test_a_redeemed_voucher_or_one_whose_budget_was_used_is_kept(admin_client, event):
    redeemed = VoucherFactory(event=event, code="REDEEMED", max_usages=5, redeemed=2)
    budget = VoucherFactory(event=event, code="BUDGET", budget=Decimal("20.00"), budget_used=Decimal("5.00"))
    fresh = VoucherFactory(event=event, code="FRESH")

    page = delete_selected(admin_client, "voucher", [redeemed.pk, budget.pk, fresh.pk], confirm=False)
    assert sorted(protected_lines(page)) == [
        "Voucher BUDGET: redeemed 0 of 1 times, budget used; end its validity instead",
        "Voucher REDEEMED: redeemed 2 of 5 times; end its validity instead",
    ]
    assert delete_selected(admin_client, "voucher", [fresh.pk], confirm=True).status_code == 302
    assert set(Voucher.objects.values_list("code", flat=True)) == {"REDEEMED", "BUDGET"}


def test_the_service_refuses_used_coupons_by_name_and_deletes_none(organizer):
    series = CouponSeriesFactory(organizer=organizer)
    coupons = [
        CouponFactory(series=series, code="B-USED", used_orders=1),
        CouponFactory(series=series, code="A-USED", used_orders=4),
        CouponFactory(series=series, code="FREE"),
    ]
    with pytest.raises(ConflictError) as refused:
        coupons_delete(coupons=coupons)
    assert refused.value.code == "coupon_in_use"
    assert str(refused.value.detail) == "Coupons A-USED, B-USED have been used; deactivate them instead."
    assert Coupon.objects.count() == 3
