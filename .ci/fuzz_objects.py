"""The real objects the fuzz run (.ci/fuzz.py) sends schemathesis to, and which operation gets which.

Every id in a path is one that exists, so that each operation reaches its logic with a real object
instead of answering 404. Three sets, all made or read through the API with the demo token:

- the demo's own objects (``demo_objects``), for the operations that only read;
- objects made for the run (``shared_objects``), for the operations that change what they address
  (PUT, PATCH, generate, transact, adding to a cart...), so that the demo's objects stay as the demo
  made them for the readers. Every write to an event's catalogue (items, quotas, vouchers, rules,
  categories, the designated code) goes to an event of its own, ``office``, so that the shop operations
  (carts, orders, the price preview) price the demo conference as the demo made it;
- objects made again before each phase (``phase_objects``), for the operations that use up what they
  address (DELETE, checkout, mark_paid, mark_canceled, mark_expired, extend, change, decouple, renaming an
  event, re-running a failed job): each phase has one of its own to use up.

``ORGANIZER_PATHS`` and ``EVENT_PATHS`` say which object each operation's path names, ``BODIES`` which
real values (item ids, codes) the fuzzing phase puts into request bodies, and ``examples`` one valid
request for each operation whose valid bodies random data seldom hits (the examples phase sends them).
"""

from __future__ import annotations

import json
from typing import Any

from checkout import Client

ORGANIZER = "demo"
SHOP_EVENT = "conference"  # the demo's event, where carts and orders are made
OFFICE_EVENT = "office"  # made for the run: every write to an event's catalogue goes here
DATES_EVENT = "festival"  # the demo's event with dates (subevents)
DATE = "2030-06-01T09:00:00Z"  # far ahead, so that nothing made for the run starts or ends meanwhile
RULE = {"condition_min_count": 2, "benefit_discount_matching_percent": "10.00"}  # a rule needs a condition
ORGANIZER_PREFIX = "/api/v1/organizers/{organizer_slug}/"
EVENT_PREFIX = ORGANIZER_PREFIX + "events/{event_slug}/"
EVENTS = {"shop": "shop_event", "office": "office_event", "dates": "dates_event"}

Objects = dict[str, Any]

#: The organizer's operations whose path names an object: ``parameter=key`` of the objects below.
ORGANIZER_PATHS = """
GET    code-info/{code}/                 code=promo_code
GET    coupon-series/{id}/               id=series
PUT    coupon-series/{id}/               id=series_edit
PATCH  coupon-series/{id}/               id=series_edit
DELETE coupon-series/{id}/               id=series_delete
GET    coupon-series/{id}/export/        id=series
POST   coupon-series/{id}/generate/      id=series_growing
POST   coupon-series/{id}/import/        id=series_growing
GET    coupon-series/{id}/items/         id=series
PATCH  coupon-series/{id}/items/         id=series_edit
GET    coupons/{id}/                     id=coupon
PUT    coupons/{id}/                     id=coupon_edit
PATCH  coupons/{id}/                     id=coupon_edit
DELETE coupons/{id}/                     id=coupon_delete
POST   coupons/{id}/decouple/            id=coupon_decouple
GET    events/{slug}/                    slug=shop_event
PUT    events/{slug}/                    slug=event_edit
PATCH  events/{slug}/                    slug=event_edit
DELETE events/{slug}/                    slug=event_delete
GET    giftcards/{id}/                   id=gift_card
PATCH  giftcards/{id}/                   id=gift_card_edit
POST   giftcards/{id}/transact/          id=gift_card_edit
GET    giftcards/{id}/transactions/      id=gift_card
GET    jobs/{id}/                        id=export_job
GET    jobs/{id}/download/               id=export_job
POST   jobs/{id}/rerun/                  id=job_failed
GET    logs/{id}/                        id=log_entry
GET    notifications/{id}/               id=notification
GET    promo-codes/{id}/                 id=promo
PUT    promo-codes/{id}/                 id=promo_edit
PATCH  promo-codes/{id}/                 id=promo_edit
DELETE promo-codes/{id}/                 id=promo_delete
GET    promo-codes/{id}/items/           id=promo
PATCH  promo-codes/{id}/items/           id=promo_edit
GET    saleschannels/{id}/               id=channel
PUT    saleschannels/{id}/               id=channel_edit
PATCH  saleschannels/{id}/               id=channel_edit
DELETE saleschannels/{id}/               id=channel_delete
GET    /api/v1/organizers/{slug}/        slug=organizer
"""

#: The event's operations that go to another event than the shop's (``office``, ``dates``: ``EVENTS``) or
#: whose path names an object: the event, then ``parameter=key`` of the objects below.
EVENT_PATHS = """
GET    carts/{id}/                                  shop    id=cart
DELETE carts/{id}/                                  shop    id=cart_delete
POST   carts/{id}/checkout/                         shop    id=cart_checkout
POST   carts/{id}/codes/                            shop    id=cart
DELETE carts/{id}/codes/{code}/                     shop    id=cart_with_code code=promo_code
POST   carts/{id}/gift-cards/                       shop    id=cart
DELETE carts/{id}/gift-cards/{code}/                shop    id=cart_with_gift_card code=gift_card_code
POST   carts/{id}/positions/                        shop    id=cart
DELETE carts/{id}/positions/{position_id}/          shop    id=cart_with_position position_id=position
POST   categories/                                  office
GET    categories/{id}/                             shop    id=category
PUT    categories/{id}/                             office  id=category_edit
PATCH  categories/{id}/                             office  id=category_edit
DELETE categories/{id}/                             office  id=category_delete
PUT    discount-code/                               office
DELETE discount-code/                               office
POST   discounts/                                   office
GET    discounts/{id}/                              shop    id=rule
PUT    discounts/{id}/                              office  id=rule_edit
PATCH  discounts/{id}/                              office  id=rule_edit
DELETE discounts/{id}/                              office  id=rule_delete
POST   items/                                       office
GET    items/{id}/                                  shop    id=item
PUT    items/{id}/                                  office  id=item_edit
PATCH  items/{id}/                                  office  id=item_edit
DELETE items/{id}/                                  office  id=item_delete
GET    items/{item_pk}/addons/                      shop    item_pk=item_with_addon
POST   items/{item_pk}/addons/                      office  item_pk=item_edit
GET    items/{item_pk}/addons/{id}/                 shop    item_pk=item_with_addon id=addon
PUT    items/{item_pk}/addons/{id}/                 office  item_pk=parts_item id=addon_edit
PATCH  items/{item_pk}/addons/{id}/                 office  item_pk=parts_item id=addon_edit
DELETE items/{item_pk}/addons/{id}/                 office  item_pk=parts_item_delete id=addon_delete
GET    items/{item_pk}/bundles/                     shop    item_pk=item_with_bundle
POST   items/{item_pk}/bundles/                     office  item_pk=item_edit
GET    items/{item_pk}/bundles/{id}/                shop    item_pk=item_with_bundle id=bundle
PUT    items/{item_pk}/bundles/{id}/                office  item_pk=parts_item id=bundle_edit
PATCH  items/{item_pk}/bundles/{id}/                office  item_pk=parts_item id=bundle_edit
DELETE items/{item_pk}/bundles/{id}/                office  item_pk=parts_item_delete id=bundle_delete
GET    items/{item_pk}/codes/                       shop    item_pk=item
GET    items/{item_pk}/variations/                  shop    item_pk=item_with_variations
POST   items/{item_pk}/variations/                  office  item_pk=item_edit
GET    items/{item_pk}/variations/{id}/             shop    item_pk=item_with_variations id=variation
PUT    items/{item_pk}/variations/{id}/             office  item_pk=parts_item id=variation_edit
PATCH  items/{item_pk}/variations/{id}/             office  item_pk=parts_item id=variation_edit
DELETE items/{item_pk}/variations/{id}/             office  item_pk=parts_item_delete id=variation_delete
GET    orders/{code}/                               shop    code=order
POST   orders/{code}/change/                        shop    code=order_change
POST   orders/{code}/extend/                        shop    code=order_extend
POST   orders/{code}/mark_canceled/                 shop    code=order_cancel
POST   orders/{code}/mark_expired/                  shop    code=order_expire
POST   orders/{code}/mark_paid/                     shop    code=order_pay
GET    orders/{order_code}/payments/                shop    order_code=order_with_money
GET    orders/{order_code}/payments/{local_id}/     shop    order_code=order_with_money local_id=first
GET    orders/{order_code}/refunds/                 shop    order_code=order_with_money
GET    orders/{order_code}/refunds/{local_id}/      shop    order_code=order_with_money local_id=first
POST   orders/{order_code}/payments/                shop    order_code=order_money
POST   orders/{order_code}/payments/{local_id}/cancel/   shop  order_code=order_money local_id=pay_cancel
POST   orders/{order_code}/payments/{local_id}/confirm/  shop  order_code=order_money local_id=pay_confirm
POST   orders/{order_code}/payments/{local_id}/refund/   shop  order_code=order_money local_id=pay_received
POST   orders/{order_code}/refunds/                 shop    order_code=order_money
POST   orders/{order_code}/refunds/{local_id}/cancel/    shop  order_code=order_money local_id=refund_cancel
POST   orders/{order_code}/refunds/{local_id}/done/      shop  order_code=order_money local_id=refund_do
POST   quotas/                                      office
GET    quotas/{id}/                                 shop    id=quota
PUT    quotas/{id}/                                 office  id=quota_edit
PATCH  quotas/{id}/                                 office  id=quota_edit
DELETE quotas/{id}/                                 office  id=quota_delete
GET    quotas/{id}/availability/                    shop    id=quota
GET    settings/                                    shop
PATCH  settings/                                    office
GET    subevents/                                   dates
POST   subevents/                                   dates
GET    subevents/{id}/                              dates   id=subevent
PUT    subevents/{id}/                              dates   id=subevent_edit
PATCH  subevents/{id}/                              dates   id=subevent_edit
DELETE subevents/{id}/                              dates   id=subevent_delete
POST   vouchers/                                    office
GET    vouchers/{id}/                               shop    id=voucher
PUT    vouchers/{id}/                               office  id=voucher_edit
PATCH  vouchers/{id}/                               office  id=voucher_edit
DELETE vouchers/{id}/                               office  id=voucher_delete
GET    vouchers/{id}/items/                         shop    id=voucher
PATCH  vouchers/{id}/items/                         office  id=voucher_edit
POST   vouchers/batch_create/                       office
"""

#: What an operation's path needs that its row leaves out: the demo organizer, the shop's event.
DEFAULT_PATH = {"organizer_slug": "organizer", "event_slug": "shop_event"}

SHOP_BODY = {"positions[*].item": "shop_items", "codes[*]": "codes", "gift_cards[*]": "gift_cards",
             "sales_channel": "channels"}  # fmt: skip
#: Real values the fuzzing phase puts into request bodies, with probability ``BODY_PROBABILITY`` (the rest
#: stays random): {operation: {field: dictionary}}, a field as schemathesis writes it (``[*]``: each item).
BODIES: dict[str, dict[str, str]] = {
    "POST events/{event_slug}/carts/": SHOP_BODY,
    "POST events/{event_slug}/carts/{id}/codes/": {"code": "codes"},
    "POST events/{event_slug}/carts/{id}/gift-cards/": {"code": "gift_cards"},
    "POST events/{event_slug}/carts/{id}/positions/": {"item": "shop_items"},
    "POST events/{event_slug}/orders/": SHOP_BODY,
    "POST events/{event_slug}/price-preview/": SHOP_BODY,
    "PUT events/{event_slug}/discount-code/": {"code": "codes"},
    "POST events/{event_slug}/items/{item_pk}/addons/": {"addon_category": "office_addon_categories"},
    "PUT events/{event_slug}/items/{item_pk}/addons/{id}/": {"addon_category": "office_addon_categories"},
    "POST events/{event_slug}/items/{item_pk}/bundles/": {"bundled_item": "office_items"},
    "PUT events/{event_slug}/items/{item_pk}/bundles/{id}/": {"bundled_item": "office_items"},
    "POST events/{event_slug}/quotas/": {"items[*]": "office_items"},
    "PUT events/{event_slug}/quotas/{id}/": {"items[*]": "office_items"},
    "POST events/{event_slug}/vouchers/": {"item": "office_items"},
    "PATCH events/{event_slug}/vouchers/{id}/items/": {"items[*]": "office_items"},
    "PATCH coupon-series/{id}/items/": {"items[*]": "shop_items"},
    "PATCH promo-codes/{id}/items/": {"items[*]": "shop_items"},
    "POST coupons/": {"series": "series_ids"},
    "PUT coupons/{id}/": {"series": "series_ids"},
}
BODY_PROBABILITY = 0.8


def examples(objects: Objects) -> dict[str, dict[str, Any]]:
    """One valid request body for each operation whose valid bodies random data seldom hits: the examples
    phase sends each once, so that each of them is seen to succeed with its real object.
    {operation: {"body": ..., "media_type"?: ...}}."""
    item, email = objects["item"], "example@example.com"
    return {
        "POST events/{event_slug}/carts/": {"body": {"positions": [{"item": item}], "codes": ["DEMO-PROMO"]}},
        "POST events/{event_slug}/carts/{id}/checkout/": {"body": {"email": email}},
        "POST events/{event_slug}/orders/{code}/extend/": {"body": {"expires": DATE}},
        "POST events/{event_slug}/orders/{code}/change/": {"body": {"create_positions": [{"item": item}]}},
        "POST events/{event_slug}/carts/{id}/codes/": {"body": {"code": "DEMO-PROMO"}},
        "POST events/{event_slug}/carts/{id}/gift-cards/": {"body": {"code": objects["gift_card_code"]}},
        "POST events/{event_slug}/carts/{id}/positions/": {"body": {"item": item}},
        "POST events/{event_slug}/orders/": {"body": {"email": email, "positions": [{"item": item}]}},
        "POST events/{event_slug}/price-preview/": {
            "body": {"positions": [{"item": item}], "codes": ["TEN-PCT"]}
        },
        "PUT events/{event_slug}/discount-code/": {"body": {"code": "DEMO-PROMO"}},
        "PATCH events/{event_slug}/settings/": {
            "body": {"payment_term_days": 7, "payment_term_last": "RELDATE/1/-/event__date_from/"}
        },
        "POST events/{event_slug}/items/{item_pk}/addons/": {
            "body": {"addon_category": objects["office_addon_categories"][0]}
        },
        "POST events/{event_slug}/items/{item_pk}/bundles/": {
            "body": {"bundled_item": objects["bundled_item"]}
        },
        "PATCH events/{event_slug}/vouchers/{id}/items/": {"body": {"items": [objects["bundled_item"]]}},
        "PATCH coupon-series/{id}/items/": {"body": {"items": [item]}},
        "PATCH promo-codes/{id}/items/": {"body": {"items": [item]}},
        "POST coupon-series/{id}/import/": {"body": "code\nFUZZ-IMPORTED\n", "media_type": "text/csv"},
        "PUT coupons/{id}/": {"body": {"code": "FUZZ-COUPON-EDIT", "series": objects["series_edit"]}},
        "POST events/": {"body": {"slug": "example", "name": "Example", "date_from": DATE}},
        "POST giftcards/": {"body": {"currency": "EUR", "initial_value": "10.00"}},
        "POST giftcards/generate/": {"body": {"count": 2, "value": "10.00", "currency": "EUR"}},
        "POST giftcards/{id}/transact/": {"body": {"value": "5.00"}},
        "POST promo-codes/": {"body": {"code": "FUZZ-EXAMPLE", "value": "2.00"}},
        "PUT saleschannels/{id}/": {"body": {"identifier": "fuzz-edit", "label": "Fuzz"}},
        "PUT promo-codes/{id}/": {"body": {"code": "FUZZ-PROMO-EDIT", "value": "1.50"}},
        "PUT events/{slug}/": {"body": {"slug": objects["event_edit"], "name": "Edited", "date_from": DATE}},
    }


def label(row: str) -> str:
    """``METHOD path`` of a row (a path under the organizer's, unless it starts with ``/``) as schemathesis
    names the operation."""
    method, path = row.split()
    return f"{method} {path if path.startswith('/') else ORGANIZER_PREFIX + path}"


def path_rows() -> dict[str, dict[str, str]]:
    """{operation: {path parameter: key of the objects}} of ``ORGANIZER_PATHS`` and ``EVENT_PATHS``."""
    rows = {}
    for line in ORGANIZER_PATHS.strip().splitlines():
        method, path, *pairs = line.split()
        rows[label(f"{method} {path}")] = dict(pair.split("=", 1) for pair in pairs)
    for line in EVENT_PATHS.strip().splitlines():
        method, path, event, *pairs = line.split()
        rows[f"{method} {EVENT_PREFIX}{path}"] = {
            "event_slug": EVENTS[event],
            **dict(p.split("=", 1) for p in pairs),
        }
    return rows


class Api:
    """The organizer's API as the demo token sees it; a set-up request that fails stops the run."""

    def __init__(self, port: int, token: str) -> None:
        self.client = Client(port, token)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        payload = None if body is None else json.dumps(body).encode()
        status, raw = self.client.request(method, f"/api/v1/organizers/{ORGANIZER}/{path}", payload)
        if status >= 300:
            raise SystemExit(f"fuzz set-up: {method} {path} answered {status}: {raw[:500]!r}")
        return json.loads(raw) if raw else None

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)

    def post_csv(self, path: str, text: str) -> Any:
        """POST a CSV body (``text/csv``), as the CSV imports take it."""
        headers = self.client.headers
        self.client.headers = {**headers, "Content-Type": "text/csv"}
        try:
            status, raw = self.client.request("POST", f"/api/v1/organizers/{ORGANIZER}/{path}", text.encode())
        finally:
            self.client.headers = headers
        if status >= 300:
            raise SystemExit(f"fuzz set-up: POST {path} (CSV) answered {status}: {raw[:500]!r}")
        return json.loads(raw)

    def results(self, path: str) -> list[dict[str, Any]]:
        return self.call("GET", f"{path}{'&' if '?' in path else '?'}page_size=1000")["results"]

    def one(self, path: str, **match: Any) -> dict[str, Any]:
        """The object of the list at ``path`` whose fields equal ``match``."""
        found = [row for row in self.results(path) if all(row[key] == value for key, value in match.items())]
        if not found:
            raise SystemExit(f"fuzz set-up: nothing in {path} matches {match}")
        return found[0]


def demo_objects(api: Api) -> Objects:
    """What ``manage.py demo`` made, for the operations that only read."""
    shop = f"events/{SHOP_EVENT}"
    items = {item["name"]: item for item in api.results(f"{shop}/items/")}
    vip, shirt = items["VIP ticket"], items["T-shirt"]
    series = api.one("coupon-series/", name="Demo campaign")
    return {
        "organizer": ORGANIZER,
        "shop_event": SHOP_EVENT,
        "dates_event": DATES_EVENT,
        "item": items["Regular ticket"]["id"],
        "item_with_addon": vip["id"],
        "addon": vip["addons"][0]["id"],
        "item_with_bundle": vip["id"],
        "bundle": vip["bundles"][0]["id"],
        "item_with_variations": shirt["id"],
        "variation": shirt["variations"][0]["id"],
        "category": api.one(f"{shop}/categories/", name="Tickets")["id"],
        "quota": api.one(f"{shop}/quotas/", name="Tickets")["id"],
        "rule": api.results(f"{shop}/discounts/")[0]["id"],
        "voucher": api.one(f"{shop}/vouchers/", code="DEMO-VOUCHER")["id"],
        "order": api.results(f"{shop}/orders/")[0]["code"],
        # the demo's order canceled keeping a fee: one payment, one refund
        "order_with_money": api.one(f"{shop}/orders/?email=cancel.demo@example.com")["code"],
        "first": 1,
        "subevent": api.results(f"events/{DATES_EVENT}/subevents/")[0]["id"],
        "series": series["id"],
        "coupon": api.results(f"coupons/?series={series['id']}")[0]["id"],
        "promo": api.one("promo-codes/", code="DEMO-PROMO")["id"],
        "promo_code": "DEMO-PROMO",
        "gift_card": api.one("giftcards/", code="DEMO-GIFT")["id"],
        "gift_card_code": "DEMO-GIFT",
        "channel": api.one("saleschannels/", identifier="web")["id"],
        "log_entry": api.results("logs/")[0]["id"],
        "notification": api.results("notifications/")[0]["id"],
        # dictionaries for request bodies
        "shop_items": [items[name]["id"] for name in ("Regular ticket", "Student ticket", "VIP ticket")],
        "codes": ["DEMO-PROMO", "DEMO-VOUCHER", "TEN-PCT", "THREE-OFF"],
        "gift_cards": ["DEMO-GIFT"],
        "channels": ["web", "box"],
    }


def shared_objects(api: Api, demo: Objects) -> Objects:
    """Objects made for the run, for the operations that change what they address."""
    office = f"events/{OFFICE_EVENT}"
    api.post("events/", {"slug": OFFICE_EVENT, "name": "Fuzz office", "date_from": DATE})
    addons = api.post(f"{office}/categories/", {"name": "Office add-ons", "is_addon": True})
    extra = api.post(f"{office}/items/", {"name": "Office extra", "default_price": "5.00"})  # left as it is
    item = api.post(f"{office}/items/", {"name": "Office ticket", "default_price": "10.00"})
    parts = item_with_parts(api, "Office parts", addons["id"], extra["id"])
    series = api.post("coupon-series/", {"name": "Fuzz: edited", "discount_value": "5"})
    quota = {"name": "Office", "size": 10, "items": [item["id"]]}
    return {
        "office_event": OFFICE_EVENT,
        "category_edit": api.post(f"{office}/categories/", {"name": "Office tickets"})["id"],
        "item_edit": item["id"],
        "bundled_item": extra["id"],
        "parts_item": parts["item"],
        "addon_edit": parts["addon"],
        "bundle_edit": parts["bundle"],
        "variation_edit": parts["variation"],
        "quota_edit": api.post(f"{office}/quotas/", quota)["id"],
        "rule_edit": api.post(f"{office}/discounts/", {"internal_name": "Office rule", **RULE})["id"],
        "voucher_edit": api.post(f"{office}/vouchers/", {"code": "FUZZ-VOUCHER-EDIT"})["id"],
        "subevent_edit": date_create(api, "Fuzz date"),
        "series_edit": series["id"],
        # generate/ and import/ add thousands of coupons: to a series of their own, not to the one PUT reads
        "series_growing": api.post("coupon-series/", {"name": "Fuzz: growing", "discount_value": "5"})["id"],
        "coupon_edit": api.post("coupons/", {"code": "FUZZ-COUPON-EDIT", "series": series["id"]})["id"],
        "promo_edit": api.post("promo-codes/", {"code": "FUZZ-PROMO-EDIT", "value": "1.00"})["id"],
        "gift_card_edit": api.post("giftcards/", {"currency": "EUR", "initial_value": "100.00"})["id"],
        "channel_edit": api.post("saleschannels/", {"identifier": "fuzz-edit", "label": "Fuzz"})["id"],
        "export_job": api.call("GET", f"coupon-series/{demo['series']}/export/?async=true")["id"],
        "cart": api.post(f"events/{SHOP_EVENT}/carts/", {"positions": [{"item": demo["item"]}]})["id"],
        # dictionaries for request bodies
        "office_items": [item["id"], extra["id"]],
        "office_addon_categories": [addons["id"]],
        "series_ids": [series["id"]],
    }


def item_with_parts(api: Api, name: str, addon_category: int, bundled_item: int) -> dict[str, int]:
    """An item of the office event with one add-on, one bundle and one variation: their ids."""
    office = f"events/{OFFICE_EVENT}"
    item = api.post(
        f"{office}/items/", {"name": name, "default_price": "20.00", "variations": [{"value": "A"}]}
    )
    path = f"{office}/items/{item['id']}"
    return {
        "item": item["id"],
        "addon": api.post(f"{path}/addons/", {"addon_category": addon_category})["id"],
        "bundle": api.post(f"{path}/bundles/", {"bundled_item": bundled_item})["id"],
        "variation": item["variations"][0]["id"],
    }


def date_create(api: Api, name: str) -> int:
    return api.post(f"events/{DATES_EVENT}/subevents/", {"name": name, "date_from": DATE})["id"]


def phase_objects(api: Api, phase: str, demo: Objects, shared: Objects) -> Objects:
    """Objects the phase ``phase`` may use up: each one made for that phase alone."""
    office, shop, code = f"events/{OFFICE_EVENT}", f"events/{SHOP_EVENT}", f"FUZZ-{phase.upper()}"
    addons = api.post(f"{office}/categories/", {"name": f"Add-ons {phase}", "is_addon": True})
    parts = item_with_parts(api, f"Parts {phase}", addons["id"], shared["bundled_item"])
    ticket = [{"item": demo["item"]}]
    with_position = api.post(f"{shop}/carts/", {"positions": ticket})
    order = {"email": f"fuzz.{phase}@example.com", "positions": ticket}

    def coupon(suffix: str) -> int:
        return api.post("coupons/", {"code": f"{code}-{suffix}", "series": shared["series_edit"]})["id"]

    def cart(**codes: list[str]) -> str:
        return api.post(f"{shop}/carts/", {"positions": ticket, **codes})["id"]

    api.call("PUT", f"{office}/discount-code/", {"code": demo["promo_code"]})  # for DELETE discount-code/
    return {
        "event_edit": event_create(api, f"edit-{phase}"),
        "event_delete": event_create(api, f"delete-{phase}"),
        "category_delete": api.post(f"{office}/categories/", {"name": f"Gone {phase}"})["id"],
        "item_delete": api.post(f"{office}/items/", {"name": f"Gone {phase}", "default_price": "1.00"})["id"],
        "parts_item_delete": parts["item"],
        "addon_delete": parts["addon"],
        "bundle_delete": parts["bundle"],
        "variation_delete": parts["variation"],
        "quota_delete": api.post(f"{office}/quotas/", {"name": f"Gone {phase}", "size": 1})["id"],
        "rule_delete": api.post(f"{office}/discounts/", {"internal_name": f"Gone {phase}", **RULE})["id"],
        "voucher_delete": api.post(f"{office}/vouchers/", {"code": f"{code}-VOUCHER"})["id"],
        "subevent_delete": date_create(api, f"Gone {phase}"),
        "series_delete": api.post("coupon-series/", {"name": f"Gone {phase}", "discount_value": "5"})["id"],
        "coupon_delete": coupon("GONE"),
        "coupon_decouple": coupon("ALONE"),
        "promo_delete": api.post("promo-codes/", {"code": f"{code}-PROMO", "value": "1.00"})["id"],
        "channel_delete": api.post("saleschannels/", {"identifier": f"gone-{phase}", "label": "Gone"})["id"],
        "cart_delete": cart(),
        "cart_checkout": cart(),
        "cart_with_code": cart(codes=[demo["promo_code"]]),
        "cart_with_gift_card": cart(gift_cards=[demo["gift_card_code"]]),
        "cart_with_position": with_position["id"],
        "position": with_position["positions"][0]["id"],
        # rerun/ takes a failed job, once: an import long enough to be a job, whose one bad line fails it
        "job_failed": api.post_csv(
            f"coupon-series/{shared['series_growing']}/import/",
            "code\n" + "".join(f"{code}-JOB-{n}\n" for n in range(1000)) + "x\n",
        )["id"],
        "order_pay": api.post(f"{shop}/orders/", order)["code"],
        "order_cancel": api.post(f"{shop}/orders/", order)["code"],
        "order_expire": api.post(f"{shop}/orders/", order)["code"],
        "order_extend": api.post(f"{shop}/orders/", order)["code"],
        "order_change": api.post(f"{shop}/orders/", order)["code"],
        **money_objects(api, shop, order),
    }


def money_objects(api: Api, shop: str, order: dict[str, Any]) -> Objects:
    """An order with payments and refunds to change: two created payments (one to cancel, one to confirm),
    one received in full, and two created refunds of it (one to cancel, one to mark done)."""
    code = api.post(f"{shop}/orders/", order)["code"]
    payments, refunds = f"{shop}/orders/{code}/payments/", f"{shop}/orders/{code}/refunds/"
    to_cancel = api.post(payments, {"provider": "fuzz", "amount": "1.00"})["local_id"]
    to_confirm = api.post(payments, {"provider": "fuzz", "amount": "1.00"})["local_id"]
    received = api.post(payments, {"provider": "fuzz", "amount": "50.00", "state": "confirmed"})["local_id"]
    refund = {"amount": "1.00", "payment": received}
    return {
        "order_money": code, "pay_cancel": to_cancel, "pay_confirm": to_confirm,
        "pay_received": received, "refund_cancel": api.post(refunds, refund)["local_id"],
        "refund_do": api.post(refunds, refund)["local_id"],
    }  # fmt: skip


def event_create(api: Api, slug: str) -> str:
    return api.post("events/", {"slug": slug, "name": slug.capitalize(), "date_from": DATE})["slug"]
