"""The back office: every page renders with usage and validity, search by code, filters, the shared
validation shows in forms, and the actions generate, export and (de)activate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from ticketing.tests.factories import ItemFactory, QuotaFactory
from vouchers.models import Coupon, CouponSeries, PromoCode, Voucher
from vouchers.services.checks import DUPLICATE_COUPON, DUPLICATE_VOUCHER, VOUCHER_CLASH
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
MODELS = [Voucher, CouponSeries, Coupon, PromoCode]


def url(model, view="changelist", *args):
    return reverse(f"admin:vouchers_{model._meta.model_name}_{view}", args=args)


def test_every_model_is_registered():
    assert all(model in admin.site._registry for model in MODELS)


@pytest.fixture
def codes(event):
    return {
        Voucher: VoucherFactory(event=event, code="ADMIN-VOUCHER", tag="press"),
        CouponSeries: CouponSeriesFactory(organizer=event.organizer, name="Admin series"),
        Coupon: CouponFactory(series__organizer=event.organizer, code="ADMIN-COUPON", used_orders=2),
        PromoCode: PromoCodeFactory(
            series__organizer=event.organizer, code="ADMIN-PROMO", series__name="Promo"
        ),
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_list_add_and_change_pages_render(admin_client, codes, model):
    assert admin_client.get(url(model)).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    assert admin_client.get(url(model, "change", codes[model].pk)).status_code == 200


def test_lists_show_usage_and_validity(admin_client, codes):
    assert "0 / 1" in admin_client.get(url(Voucher)).content.decode()
    page = admin_client.get(url(Coupon)).content.decode()
    assert "ADMIN-COUPON" in page and "always" in page
    assert "ADMIN-PROMO" not in page  # promo codes have their own page
    assert "ADMIN-PROMO" in admin_client.get(url(PromoCode)).content.decode()
    assert "Secret promo" not in admin_client.get(url(CouponSeries)).content.decode()


@pytest.mark.parametrize(
    ("model", "term", "found"),
    [
        (Voucher, " admin-voucher ", "ADMIN-VOUCHER"),
        (Coupon, "admin-coupon", "ADMIN-COUPON"),
        (PromoCode, "admin-promo", "ADMIN-PROMO"),
        (CouponSeries, "admin-coupon", "Admin series"),
    ],
)
def test_search_by_code(admin_client, codes, model, term, found):
    if model is CouponSeries:
        CouponFactory(series=codes[CouponSeries], code="ADMIN-COUPON-2")
    page = admin_client.get(url(model), {"q": term}).content.decode()
    assert found in page


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_validity_filter(admin_client, codes, model):
    for value in ("current", "future", "past"):
        assert admin_client.get(url(model), {"validity": value}).status_code == 200


def test_voucher_form_runs_the_shared_validation_and_generates_codes(admin_client, event):
    item = ItemFactory(event=event)
    base = {
        "event": event.pk,
        "max_usages": 1,
        "min_usages": 1,
        "price_mode": "none",
        "show_hidden_items": "on",
    }
    response = admin_client.post(url(Voucher, "add"), {**base, "code": "abc"})
    assert response.status_code == 200 and "at least 5 characters" in response.content.decode()
    response = admin_client.post(url(Voucher, "add"), {**base, "code": "fine-code", "block_quota": "on"})
    assert "needs an item or a quota" in response.content.decode()
    response = admin_client.post(url(Voucher, "add"), {**base, "item": item.pk})
    assert response.status_code == 302
    assert len(Voucher.objects.get(event=event).code) == 16


def form_errors(response) -> dict:
    return {name: list(messages) for name, messages in response.context["adminform"].form.errors.items()}


def test_voucher_form_refuses_a_taken_code_and_a_block_without_room(admin_client, codes, event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, items=[item], size=1)
    base = {"event": event.pk, "max_usages": 2, "min_usages": 1, "price_mode": "none", "item": item.pk}
    response = admin_client.post(url(Voucher, "add"), {**base, "code": "admin-voucher"})
    assert response.status_code == 200 and form_errors(response) == {"code": [DUPLICATE_VOUCHER]}
    response = admin_client.post(url(Voucher, "add"), {**base, "code": "admin-coupon"})
    assert response.status_code == 200 and form_errors(response) == {"code": [DUPLICATE_COUPON]}
    response = admin_client.post(url(Voucher, "add"), {**base, "code": "fine-code", "block_quota": "on"})
    assert response.status_code == 200
    assert form_errors(response) == {"block_quota": [f"Quota '{quota.name}' has only 1 left, not 2."]}
    # The quota is looked at only when everything else passes.
    response = admin_client.post(
        url(Voucher, "add"), {**base, "code": "fine-code", "block_quota": "on", "min_usages": 3}
    )
    assert form_errors(response) == {"max_usages": ["max_usages must not be below min_usages."]}
    response = admin_client.post(
        url(Voucher, "add"), {**base, "code": "admin-voucher", "block_quota": "on", "min_usages": 3}
    )
    assert form_errors(response) == {
        "code": [DUPLICATE_VOUCHER],
        "max_usages": ["max_usages must not be below min_usages."],
    }
    assert not Voucher.objects.filter(code="FINE-CODE").exists()
    response = admin_client.post(url(Voucher, "add"), {**base, "code": "fine-code", "max_usages": 1})
    assert response.status_code == 302


def test_voucher_form_keeps_the_own_code_and_block(admin_client, event):
    item = ItemFactory(event=event)
    QuotaFactory(event=event, items=[item], size=2)
    voucher = VoucherFactory(event=event, code="OWN-CODE", item=item, block_quota=True, max_usages=2)
    data = {
        "event": event.pk,
        "code": "own-code",
        "max_usages": 2,
        "min_usages": 1,
        "price_mode": "none",
        "item": item.pk,
        "block_quota": "on",
    }
    response = admin_client.post(url(Voucher, "change", voucher.pk), data)
    assert response.status_code == 302


def test_series_form_checks_events_and_items(admin_client, event):
    foreign_item = ItemFactory()
    data = {
        "organizer": event.organizer.pk,
        "name": "Form series",
        "active": "on",
        "discount_type": "percent",
        "discount_value": "10",
        "allow_all_events": "on",
        "allow_all_items": "on",
        "allowed_items": [foreign_item.pk],
        "tags": "[]",
    }
    response = admin_client.post(url(CouponSeries, "add"), data)
    assert response.status_code == 200 and "belongs to another organizer" in response.content.decode()
    response = admin_client.post(
        url(CouponSeries, "add"), {**data, "allowed_items": [], "discount_value": "150"}
    )
    assert "between 0 and 100" in response.content.decode()
    response = admin_client.post(url(CouponSeries, "add"), {**data, "allowed_items": []})
    assert response.status_code == 302 and CouponSeries.objects.filter(name="Form series").exists()


def test_coupon_form(admin_client, codes):
    series = codes[CouponSeries]
    response = admin_client.post(
        url(Coupon, "add"), {"series": series.pk, "code": "admin-voucher", "active": "on"}
    )
    assert response.status_code == 200 and form_errors(response) == {"code": [VOUCHER_CLASH]}
    for taken in ("admin-coupon", "admin-promo"):
        response = admin_client.post(url(Coupon, "add"), {"series": series.pk, "code": taken, "active": "on"})
        assert response.status_code == 200 and form_errors(response) == {"code": [DUPLICATE_COUPON]}
    response = admin_client.post(url(Coupon, "add"), {"series": series.pk, "code": "abc", "active": "on"})
    assert form_errors(response) == {"code": ["A code needs at least 5 characters."]}
    response = admin_client.post(url(Coupon, "add"), {"series": series.pk, "code": "", "active": "on"})
    assert response.status_code == 302
    coupon = series.coupons.get()
    assert coupon.organizer == series.organizer
    inline = {"event_usages-TOTAL_FORMS": 0, "event_usages-INITIAL_FORMS": 0}
    data = {"series": series.pk, "code": coupon.code.lower(), "active": "on", **inline}
    response = admin_client.post(url(Coupon, "change", coupon.pk), data)
    assert response.status_code == 302  # its own code is not taken


def test_promo_code_form_creates_and_changes(admin_client, event):
    data = {
        "organizer": event.organizer.pk,
        "code": " spring-10 ",
        "name": "Spring",
        "value": "10",
        "percentage": "on",
        "active": "on",
    }
    assert admin_client.post(url(PromoCode, "add"), {**data, "value": "120"}).status_code == 200
    response = admin_client.post(url(PromoCode, "add"), data)
    assert response.status_code == 302
    promo = PromoCode.objects.get(code="SPRING-10")
    assert (promo.series.discount_value, promo.series.discount_type) == (Decimal("10"), "percent")
    response = admin_client.post(url(PromoCode, "change", promo.pk), {**data, "value": "5", "percentage": ""})
    assert response.status_code == 302
    promo.series.refresh_from_db()
    assert (promo.series.discount_value, promo.series.discount_type) == (Decimal("5"), "fix")


def test_generate_action_asks_then_creates(admin_client, codes):
    series = codes[CouponSeries]
    action = {"action": "generate_coupons", admin.helpers.ACTION_CHECKBOX_NAME: [series.pk]}
    page = admin_client.post(url(CouponSeries), action)
    assert page.status_code == 200 and "Generate" in page.content.decode()
    response = admin_client.post(
        url(CouponSeries), {**action, "apply": "1", "count": 25, "prefix": "ad-", "length": 8}
    )
    assert response.status_code == 302
    codes_made = list(series.coupons.values_list("code", flat=True))
    assert len(codes_made) == 25 and all(c.startswith("AD-") for c in codes_made)


def test_export_action(admin_client, codes):
    series = codes[Coupon].series
    action = {"action": "export_csv", admin.helpers.ACTION_CHECKBOX_NAME: [series.pk]}
    response = admin_client.post(url(CouponSeries), action)
    assert response["Content-Type"].startswith("text/csv")
    assert b"ADMIN-COUPON" in b"".join(response.streaming_content)


@pytest.mark.parametrize("model", [CouponSeries, Coupon, PromoCode], ids=lambda m: m._meta.model_name)
def test_activate_and_deactivate(admin_client, codes, model):
    obj = codes[model]
    checked = {admin.helpers.ACTION_CHECKBOX_NAME: [obj.pk]}
    admin_client.post(url(model), {"action": "deactivate", **checked})
    obj.refresh_from_db()
    assert obj.active is False
    admin_client.post(url(model), {"action": "activate", **checked})
    obj.refresh_from_db()
    assert obj.active is True


def test_changing_a_voucher_in_the_admin_keeps_uses_recorded_while_the_form_was_checked(
    admin_client, event, monkeypatch
):
    from vouchers.admin.vouchers import VoucherAdminForm

    voucher = VoucherFactory(event=event, code="ADMIN-RACE", max_usages=10)
    checked = VoucherAdminForm.clean

    def clean_while_a_checkout_lands(form):
        Voucher.objects.filter(pk=voucher.pk).update(redeemed=4)
        return checked(form)

    monkeypatch.setattr(VoucherAdminForm, "clean", clean_while_a_checkout_lands)
    data = {"event": event.pk, "code": "ADMIN-RACE", "max_usages": 12, "min_usages": 1, "price_mode": "none"}
    response = admin_client.post(url(Voucher, "change", voucher.pk), data)

    assert response.status_code == 302
    stored = Voucher.objects.get(pk=voucher.pk)
    assert (stored.max_usages, stored.redeemed) == (12, 4)


def test_the_quota_form_refuses_a_size_below_what_blocking_vouchers_hold(admin_client, event):
    item = ItemFactory(event=event)
    quota = QuotaFactory(event=event, name="Hall", items=[item], size=5)
    VoucherFactory(event=event, item=item, block_quota=True, max_usages=4, code="HOLDS-FOUR")
    change = reverse("admin:ticketing_quota_change", args=[quota.pk])
    form = {"event": event.pk, "name": "Hall", "size": 3, "items": [item.pk]}
    response = admin_client.post(change, form)
    assert response.status_code == 200
    assert form_errors(response) == {
        "size": [
            "Quota 'Hall' cannot hold only 3: 0 are sold (0 paid, 0 pending) and blocking vouchers hold 4, "
            "so it needs at least 4."
        ]
    }
    quota.refresh_from_db()
    assert quota.size == 5
    assert admin_client.post(change, {**form, "size": 4}).status_code == 302
    quota.refresh_from_db()
    assert quota.size == 4
