"""``manage.py demo``: demo data to try the API and the admin on a fresh database.

It lives in the orders app, the top of the dependency chain (ticketing <- discounts,
vouchers <- orders), so it can call every app's ``ensure_demo_*`` function. Running
it again creates nothing new; it prints a fresh API token each time (the previous
demo token stops working, since only digests of tokens are stored).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from discounts.demo import ensure_demo_discounts
from orders.demo import ensure_demo_orders
from ticketing.demo import ADMIN_USERNAME, ensure_demo_ticketing
from vouchers.demo import DEMO_GIFT_CARD, DEMO_GIFT_CARD_VALUE, EXAMPLE_COUPONS, ensure_demo_codes


class Command(BaseCommand):
    help = (
        "Create the demo organizer (events, items, quotas, discount rules, codes, orders, a team) and "
        "the admin/admin superuser if missing, and print a new API token of the demo team."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--address", default="localhost:8000",
            help="host:port the server listens on, for the example requests printed (scripts/run passes "
            "its ADDRESS); 0.0.0.0 is printed as localhost",
        )  # fmt: skip

    def handle(self, *args, address: str = "localhost:8000", **options) -> None:
        with transaction.atomic():
            demo = ensure_demo_ticketing()
            rules = ensure_demo_discounts(demo.conference)
            codes = ensure_demo_codes(demo.organizer, demo.conference)
            orders = ensure_demo_orders(demo.conference, codes)
        organizer = demo.organizer.slug
        out = self.stdout
        out.write(f"Organizer '{organizer}' with events: {demo.conference.slug} (single date), "
                  f"{demo.festival.slug} ({len(demo.festival_dates)} dates)")
        out.write(f"Sales channels: {demo.web.identifier}, {demo.box.identifier}")
        out.write(f"Discount rules of {demo.conference.slug}: {', '.join(r.internal_name for r in rules)}")
        out.write(f"Codes for {demo.conference.slug}: voucher {codes.voucher}, coupon {codes.coupon} "
                  f"(unused, one of a single-use series of 100; {codes.order_coupon} is the demo order's), "
                  f"promo code {codes.promo_code}")
        out.write(f"Coupons of the docs' examples (docs/codes.md): {', '.join(EXAMPLE_COUPONS)}")
        out.write(f"Gift card: {DEMO_GIFT_CARD} ({DEMO_GIFT_CARD_VALUE} {demo.conference.currency} when "
                  "issued; docs/giftcards.md)")
        summary = ", ".join(f"{o.code} ({o.email}, {o.status}, total {o.total:.2f})" for o in orders)
        out.write(f"Orders of {demo.conference.slug}: {summary}")
        out.write(f"Admin: /admin/ as '{ADMIN_USERNAME}' (password 'admin' unless it was changed)")
        out.write(f"Team '{demo.team.name}' (all events, all permissions); its API token, valid until the "
                  "next run:")
        out.write(f"API token: {demo.token}")
        base = f"http://{browsable(address)}/api/v1/organizers/{organizer}"
        out.write(f"Try: curl -H 'Authorization: Token {demo.token}' {base}/events/")
        regular = demo.conference.items.get(name="Regular ticket").pk
        body = f'{{"positions": [{{"item": {regular}}}, {{"item": {regular}}}], "codes": ["{codes.coupon}"]}}'
        out.write(f"Price a cart (no token needed): curl -H 'Content-Type: application/json' -d '{body}' "
                  f"{base}/events/{demo.conference.slug}/price-preview/")


def browsable(address: str) -> str:
    """``host:port`` as a client reaches it: a server listening on every address is ``localhost``."""
    host, _, port = address.rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):
        host = "localhost"
    return f"{host}:{port}" if port else host
