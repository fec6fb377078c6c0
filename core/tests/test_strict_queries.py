"""Lists refuse query parameters they do not document, naming each; documented ones still work."""

from __future__ import annotations

import pytest

from vouchers.tests.factories import CouponFactory, CouponSeriesFactory, PromoCodeFactory, VoucherFactory

pytestmark = pytest.mark.django_db
ORGANIZER = "/api/v1/organizers/demo-org/"
EVENT = ORGANIZER + "events/conf/"
UNKNOWN = ["Unknown query parameter."]


def test_a_filter_of_another_system_is_refused_instead_of_listing_everything(api, organizer):
    series = CouponSeriesFactory(organizer=organizer)
    CouponFactory(series=series)
    CouponFactory(series=CouponSeriesFactory(organizer=organizer))
    response = api.get(ORGANIZER + "coupons/?couponSeriesId=1")
    assert (response.status_code, response.json()) == (400, {"couponSeriesId": UNKNOWN})
    assert api.get(ORGANIZER + f"coupons/?series={series.pk}").json()["count"] == 1


def test_every_unknown_parameter_is_named(api, event):
    response = api.get(EVENT + "vouchers/?colour=red&size=2&active=true")
    assert (response.status_code, response.json()) == (400, {"colour": UNKNOWN, "size": UNKNOWN})


@pytest.mark.parametrize(
    "query",
    [
        "active=true",
        "ordering=-code",
        "page=1",
        "page_size=5",
        "format=json",
        "tag=press&ordering=code&page=1",
    ],
)
def test_filters_ordering_paging_and_format_are_known(api, event, query):
    VoucherFactory(event=event, tag="press")
    response = api.get(EVENT + f"vouchers/?{query}")
    assert response.status_code == 200, response.json()
    assert response.json()["count"] == 1


def test_parameters_a_list_reads_itself_are_known(api, organizer, event):
    promo = PromoCodeFactory(series__organizer=organizer)
    assert api.get(ORGANIZER + f"promo-codes/?code={promo.code}").json()["count"] == 1
    assert api.get(EVENT + "codes/?kind=voucher&active=true").status_code == 200
    response = api.get(EVENT + "codes/?type=voucher")
    assert (response.status_code, response.json()) == (400, {"type": UNKNOWN})


def test_the_orders_list_knows_its_filters_and_nothing_else(api, event):
    assert api.get(EVENT + "orders/?status=pending&email=a@example.com&ordering=total").status_code == 200
    response = api.get(EVENT + "orders/?customer=a@example.com")
    assert (response.status_code, response.json()) == (400, {"customer": UNKNOWN})
