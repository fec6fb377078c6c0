"""``manage.py demo``: complete demo data, idempotent, with a working API token printed each run."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from discounts.models import Discount
from ticketing.demo import ensure_demo_ticketing
from ticketing.models import Event, Organizer, Quota, Team
from ticketing.validation import validate_quota
from vouchers.models import Coupon, PromoCode, Voucher

pytestmark = pytest.mark.django_db

TOKEN_LINE = re.compile(r"^API token: (\S+)$", re.MULTILINE)


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    tokens = TOKEN_LINE.findall(out.getvalue())
    assert len(tokens) == 1, out.getvalue()
    return tokens[0]


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"ticketing", "auth", "discounts", "vouchers", "orders"}
    }


def events_with(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/organizers/demo/events/")


def test_the_printed_token_lists_the_two_demo_events():
    response = events_with(run_demo())
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {e["slug"] for e in body["results"]} == {"conference", "festival"}


def test_running_twice_creates_nothing_new_and_replaces_the_token():
    first = run_demo()
    counts = row_counts()
    second = run_demo()
    assert row_counts() == counts
    assert first != second
    assert events_with(first).status_code == 401
    assert events_with(second).status_code == 200


def test_the_conference_gets_the_demo_discount_rules():
    run_demo()
    run_demo()
    rules = Discount.objects.filter(event__organizer__slug="demo", event__slug="conference")
    assert sorted(rules.values_list("internal_name", flat=True)) == ["10% off from 100.00", "3 for 2"]


def test_the_printed_codes_exist_once():
    out = io.StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=io.StringIO())
    assert "voucher DEMO-VOUCHER" in out.getvalue() and "promo code DEMO-PROMO" in out.getvalue()
    assert "Coupons of the docs' examples (docs/codes.md): TEN-PCT, THREE-OFF, TEN-OFF, ONE-TICKET" in (
        out.getvalue()
    )
    assert Voucher.objects.filter(event__slug="conference", code="DEMO-VOUCHER").count() == 1
    assert PromoCode.objects.filter(organizer__slug="demo").count() == 1


def test_an_existing_admin_keeps_its_password():
    get_user_model().objects.create_superuser("admin", "a@example.com", "s3cret-pass")
    run_demo()
    assert get_user_model().objects.get(username="admin").check_password("s3cret-pass")


def test_demo_contents():
    demo = ensure_demo_ticketing()
    organizer = Organizer.objects.get(slug="demo")
    assert set(organizer.sales_channels.values_list("identifier", flat=True)) == {"web", "box"}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("admin")

    conference = Event.objects.get(organizer=organizer, slug="conference")
    assert (conference.currency, conference.live, conference.has_subevents) == ("EUR", True, False)
    items = {item.name: item for item in conference.items.all()}
    assert items["Regular ticket"].default_price == Decimal("23.00")
    assert "Student ticket" in items
    assert list(items["T-shirt"].variations.values_list("value", flat=True)) == ["S", "M", "L"]
    addon = items["Regular ticket"].addons.get()
    assert addon.addon_category.is_addon and (addon.min_count, addon.max_count) == (0, 2)
    workshops = [item for name, item in items.items() if name.startswith("Workshop")]
    assert len(workshops) == 2 and all(item.category.name == "Workshops" for item in workshops)
    bundle = items["VIP ticket"].bundles.get()
    assert (bundle.bundled_item.name, bundle.count) == ("Parking pass", 1)
    assert bundle.designated_price == Decimal("5.00")

    festival = Event.objects.get(organizer=organizer, slug="festival")
    assert festival.has_subevents and festival.live
    dates = list(festival.subevents.all())
    assert len(dates) == 3 and all(d.active for d in dates)
    assert any(d.item_overrides.exists() for d in dates)
    assert any(d.variation_overrides.exists() for d in dates)
    for date in dates:
        assert Quota.objects.filter(event=festival, subevent=date).exists()
    assert Quota.objects.filter(event=conference, subevent=None).count() == 4

    team = Team.objects.get(organizer=organizer, name="Demo team")
    assert team.all_events and team.permission_set() == frozenset(Team.PERMISSIONS)
    assert team.tokens.filter(active=True).count() == 1
    assert demo.team == team and demo.festival_dates == dates


def test_demo_objects_pass_the_shared_validation():
    demo = ensure_demo_ticketing()
    for event in (demo.conference, demo.festival):
        event.full_clean()
        for obj in [*event.items.all(), *event.subevents.all(), *event.categories.all()]:
            obj.full_clean()
        for quota in event.quotas.all():
            quota.full_clean()
            validate_quota(event=event, subevent=quota.subevent, items=quota.items.all(),
                           variations=quota.variations.all())


def test_demo_orders_use_every_kind_of_code_and_the_rules():
    from orders.models import Order, Redemption

    out = io.StringIO()
    call_command("demo", stdout=out)
    orders = Order.objects.filter(event__organizer__slug="demo", event__slug="conference")
    assert orders.count() == 5
    assert set(Redemption.objects.filter(order__in=orders).values_list("kind", flat=True)) == {
        "voucher", "coupon", "promo_code",
    }
    assert orders.filter(positions__discount_rule__isnull=False).exists()
    for order in orders:
        assert order.code in out.getvalue()


def test_the_coupon_printed_is_unused_and_the_printed_preview_applies_it():
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    printed = re.search(r"coupon (DEMO-\w+) \(unused, one of a single-use series of 100; (DEMO-\w+) is", text)
    assert printed, text
    coupon, order_coupon = printed.groups()
    assert coupon != order_coupon
    assert Coupon.objects.get(code=coupon).used_orders == 0
    assert Coupon.objects.get(code=order_coupon).used_orders == 1

    preview = re.search(r"Price a cart \(no token needed\): curl .* -d '(.*)' http://localhost:8000(\S+)",
                        text)
    assert preview, text
    body, path = preview.groups()
    response = APIClient().post(path, json.loads(body), format="json")
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert [c["code"] for c in answer["codes"]] == [coupon]
    assert answer["list_total"] == "46.00"
    assert answer["total"] == "39.10"  # 15 % off 2 × 23.00


def test_the_example_requests_follow_the_address_the_server_listens_on():
    for address, shown in (("0.0.0.0:9000", "localhost:9000"), ("127.0.0.1:8123", "127.0.0.1:8123")):
        out = io.StringIO()
        call_command("demo", "--address", address, stdout=out)
        tries = [line for line in out.getvalue().splitlines() if "curl" in line]
        assert len(tries) == 2
        assert all(f"http://{shown}/api/v1/organizers/demo/" in line for line in tries), tries
