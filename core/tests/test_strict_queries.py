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


@pytest.mark.parametrize("page", ["", "last", "abc", "0", "2"])
def test_a_page_that_is_no_page_number_of_the_list_is_a_404(api, event, page):
    """Found by the fuzz run: DRF read ``page=`` as page 1 and ``page=last`` as the last page."""
    VoucherFactory(event=event)
    response = api.get(EVENT + f"vouchers/?page={page}")
    assert (response.status_code, response.json()) == (404, {"code": "not_found", "detail": "Invalid page."})


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


EMPTY = ["A value is required; leave the parameter out not to filter by it."]


@pytest.mark.parametrize(
    "url, parameter",
    [
        (EVENT + "vouchers/?active=", "active"),
        (EVENT + "orders/?status=", "status"),
        (EVENT + "subevents/?date_from_before=", "date_from_before"),
        (EVENT + "items/?admission=&category=1", "admission"),
        (ORGANIZER + "coupons/?series=", "series"),
    ],
)
def test_an_empty_value_of_a_filter_that_takes_no_text_is_a_400(api, event, url, parameter):
    response = api.get(url)
    assert (response.status_code, response.json()) == (400, {parameter: EMPTY})


def test_an_empty_text_filter_is_accepted_and_does_not_filter(api, event):
    VoucherFactory(event=event, code="SOMETHING")
    response = api.get(EVENT + "vouchers/?code=")
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("page_size", ["abc", "0", "1001", "-1", "1.5", "null"])
def test_a_page_size_that_is_no_whole_number_from_1_to_1000_is_a_400(api, event, page_size):
    response = api.get(EVENT + f"vouchers/?page_size={page_size}")
    assert response.status_code == 400
    assert response.json() == {"page_size": ["A whole number from 1 to 1000 is required."]}


def test_a_page_size_within_bounds_is_used(api, event):
    for _ in range(3):
        VoucherFactory(event=event)
    body = api.get(EVENT + "vouchers/?page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)
