"""What the OpenAPI schema calls each operation: a tag per resource and a one-line summary.

Generated clients group operations by tag (one module per resource) and readers scan the interactive
docs by summary, so both are named here in words rather than left to the default (every operation under
one ``v1`` tag, no summary).

The resource of a path is its last literal segment that follows the start, the organizer, the event or
an item (``…/events/{event_slug}/carts/{id}/checkout/`` is a cart operation; ``…/items/{item_pk}/addons/``
an add-on one). A resource missing from :data:`RESOURCES` is a mistake a test finds, not a fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    tag: str
    one: str  # "a voucher"
    many: str  # "vouchers"


RESOURCES: dict[str, Resource] = {
    "organizers": Resource("Organizers", "an organizer", "organizers"),
    "events": Resource("Events", "an event", "events"),
    "settings": Resource("Event settings", "the settings of an event", "settings of events"),
    "subevents": Resource("Event dates", "a date of an event series", "dates of an event series"),
    "saleschannels": Resource("Sales channels", "a sales channel", "sales channels"),
    "categories": Resource("Item categories", "an item category", "item categories"),
    "items": Resource("Items", "an item", "items"),
    "variations": Resource("Item variations", "a variation of an item", "variations of an item"),
    "addons": Resource("Item add-ons", "an add-on of an item", "add-ons of an item"),
    "bundles": Resource("Item bundles", "a bundle of an item", "bundles of an item"),
    "quotas": Resource("Quotas", "a quota", "quotas"),
    "discounts": Resource("Discount rules", "a discount rule", "discount rules"),
    "vouchers": Resource("Vouchers", "a voucher", "vouchers"),
    "coupon-series": Resource("Coupon series", "a coupon series", "coupon series"),
    "coupons": Resource("Coupons", "a coupon", "coupons"),
    "promo-codes": Resource("Promo codes", "a promo code", "promo codes"),
    "giftcards": Resource("Gift cards", "a gift card", "gift cards"),
    "codes": Resource("Codes of an event", "a code of an event", "codes of an event"),
    "discount-code": Resource("Event discount code", "the discount code of an event", "discount codes"),
    "code-info": Resource("Public code lookup", "a typed code", "typed codes"),
    "carts": Resource("Carts", "a cart", "carts"),
    "price-preview": Resource("Price preview", "a price preview", "price previews"),
    "orders": Resource("Orders", "an order", "orders"),
    "payments": Resource("Order payments", "a payment of an order", "payments of an order"),
    "refunds": Resource("Order refunds", "a refund of an order", "refunds of an order"),
    "jobs": Resource("Jobs", "a background job", "background jobs"),
    "logs": Resource("Audit log", "an audit log entry", "audit log entries"),
    "notifications": Resource("Notifications", "a notification", "notifications"),
}

#: The standard operations of a resource, by DRF action (or, for a plain view, by method).
STANDARD = {
    "list": "List {many}",
    "create": "Create {one}",
    "retrieve": "Read {one}",
    "update": "Replace {one}",
    "partial_update": "Change {one}",
    "destroy": "Delete {one}",
}
BY_METHOD = {
    "GET": "retrieve",
    "POST": "create",
    "PUT": "update",
    "PATCH": "partial_update",
    "DELETE": "destroy",
}

#: Operations of their own (a resource's actions, or a plain view's one verb), by resource and action.
ACTIONS: dict[tuple[str, str], str] = {
    ("coupon-series", "generate"): "Generate coupons of a series",
    ("coupon-series", "import_csv"): "Import coupons of a series from CSV",
    ("coupon-series", "export_csv"): "Export the coupons of a series as CSV",
    ("coupon-series", "items"): "Read the items a coupon series is limited to",
    ("coupon-series", "items:PATCH"): "Limit a coupon series to items, or open it to all items",
    ("coupons", "decouple"): "Make a coupon stand-alone, out of its series",
    ("promo-codes", "items"): "Read the items a promo code is limited to",
    ("promo-codes", "items:PATCH"): "Limit a promo code to items, or open it to all items",
    ("vouchers", "items"): "Read the item a voucher is limited to",
    ("vouchers", "items:PATCH"): "Limit a voucher to an item, or open it to all items",
    ("settings", "retrieve"): "Read the settings of an event (payment terms)",
    ("settings", "partial_update"): "Change settings of an event (payment terms)",
    ("discount-code", "retrieve"): "Read the discount code an event designates",
    ("discount-code", "update"): "Designate the discount code of an event",
    ("discount-code", "destroy"): "Remove the designation of an event's discount code",
    ("vouchers", "batch_create"): "Create several vouchers at once",
    ("quotas", "availability"): "Read the availability of a quota",
    ("carts", "checkout"): "Check a cart out: create its order",
    ("carts", "apply_code"): "Add a code to a cart",
    ("carts", "remove_code"): "Remove a code from a cart",
    ("carts", "add_position"): "Add a position to a cart",
    ("carts", "remove_position"): "Remove a position from a cart",
    ("carts", "add_gift_card"): "Add a gift card to pay a cart with",
    ("carts", "remove_gift_card"): "Remove a gift card from a cart",
    ("orders", "mark_paid"): "Mark an order paid",
    ("orders", "mark_canceled"): "Cancel an order",
    ("orders", "mark_expired"): "Expire a pending order now",
    ("orders", "extend"): "Give an order a new payment deadline (reviving an expired one)",
    ("orders", "change"): "Change an order's positions (or preview the change)",
    ("payments", "confirm"): "Confirm a payment of an order: its money arrived",
    ("payments", "cancel"): "Cancel a payment of an order that will not arrive",
    ("payments", "refund"): "Refund a payment of an order",
    ("refunds", "done"): "Mark a refund of an order done: its money left",
    ("refunds", "cancel"): "Cancel a refund of an order",
    ("price-preview", "create"): "Price a cart without storing it",
    ("code-info", "retrieve"): "Look up a typed code (public)",
    ("giftcards", "generate"): "Generate gift cards",
    ("giftcards", "transact"): "Book a transaction on a gift card",
    ("giftcards", "transactions"): "List the transactions of a gift card",
    ("jobs", "download"): "Download the result of a job",
    ("jobs", "rerun"): "Run a failed job again",
}

_PARENT = re.compile(r"^\{(organizer_slug|event_slug|item_pk|order_code)\}$")


def resource_of(path: str) -> str:
    """The resource a path belongs to (see the module docstring)."""
    segments = [s for s in path.strip("/").split("/") if s][2:]  # without "api", "v1"
    resource = ""
    follows_parent = True
    for segment in segments:
        if segment.startswith("{"):
            follows_parent = bool(_PARENT.match(segment))
            continue
        if follows_parent:
            resource = segment
        follows_parent = False
    return resource


def operation_tag(path: str) -> str:
    return RESOURCES[resource_of(path)].tag


def operation_summary(path: str, method: str, action: str | None) -> str:
    """``List vouchers``, ``Create a voucher`` … or the summary of an operation of its own."""
    key = resource_of(path)
    resource = RESOURCES[key]
    action = action or BY_METHOD[method]
    for candidate in (f"{action}:{method}", action):
        if (key, candidate) in ACTIONS:
            return ACTIONS[key, candidate]
    if action in STANDARD:
        return STANDARD[action].format(one=resource.one, many=resource.many).capitalize()
    raise KeyError(f"no summary for {method} {path} (action {action!r}): add it to ACTIONS")
