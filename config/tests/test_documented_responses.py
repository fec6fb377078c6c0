"""Real answers are what the served schema documents: status, media type and body (``jsonschema``).

On the demo data: every read the demo can fill (each list, then the detail of its first row), a cart
from creation to checkout with its refusals, the vouchers' ``batch_create`` (201, and 400 by row), a
sample of other writes, and the errors every operation documents (401, 403, 404, 411, 415).
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from config.tests.documented import assert_documented, fetch_schema
from ticketing.models import Item

pytestmark = pytest.mark.django_db

ORGANIZER, EVENT = "demo", "conference"
BASE = f"/api/v1/organizers/{ORGANIZER}"
EVENT_BASE = f"{BASE}/events/{EVENT}"
PLACEHOLDER = re.compile(r"\{([^}]+)\}")


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return fetch_schema()


@pytest.fixture
def demo_api() -> APIClient:
    out = io.StringIO()
    call_command("demo", stdout=out)
    token = re.search(r"^API token: (\S+)$", out.getvalue(), re.M).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def regular_ticket() -> int:
    return Item.objects.get(event__slug=EVENT, name="Regular ticket").pk


class Reads:
    """Fills a GET path's placeholders from the demo: slugs by name, an id from the first row of the list
    the placeholder follows (read and checked first); an item, the first whose nested list has a row.
    None when the demo has no such row."""

    def __init__(self, api: APIClient, schema: dict, event: str) -> None:
        self.api, self.schema, self.event, self.bodies = api, schema, event, {}

    def get(self, path: str):
        if path not in self.bodies:
            response = self.api.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            self.bodies[path] = assert_documented(self.schema, response)
        return self.bodies[path]

    def fill(self, path: str) -> str | None:
        match = PLACEHOLDER.search(path)
        if match is None:
            return path
        for value in self.candidates(match.group(1), path[: match.start()]):
            filled = self.fill(path[: match.start()] + str(value) + path[match.end() :])
            if filled is not None:
                return filled
        return None

    def candidates(self, name: str, parent: str) -> list:
        if name == "organizer_slug":
            return [ORGANIZER]
        if name == "event_slug":
            return [self.event]
        if name == "slug":
            return [ORGANIZER] if parent == "/api/v1/organizers/" else [self.event]
        if parent.endswith("/code-info/"):
            return ["DEMO-VOUCHER"]
        if parent.endswith(("/carts/", "/jobs/")):
            return []  # carts have no list; the demo starts no job
        body = self.get(parent)
        rows = body["results"] if isinstance(body, dict) else body
        key = {"code": "code", "order_code": "code", "local_id": "local_id"}.get(name, "id")
        return [row[key] for row in (rows if name in ("item_pk", "order_code") else rows[:1])]


def test_every_read_the_demo_can_fill_answers_as_documented(demo_api, schema):
    reads = [template for template, item in schema["paths"].items() if "get" in item]
    done = set()
    for event in ("conference", "festival"):  # a single date and a series
        crawl = Reads(demo_api, schema, event)
        for template in reads:
            path = crawl.fill(template)
            if path is not None:
                crawl.get(path)
                done.add(template)
    assert {t.rsplit("/organizers/", 1)[1] for t in set(reads) - done} == {
        "{organizer_slug}/events/{event_slug}/carts/{id}/",  # read in the cart test below
        "{organizer_slug}/jobs/{id}/",  # the demo starts no job: the sample of writes starts one
        "{organizer_slug}/jobs/{id}/download/",
    }


def test_a_cart_to_its_order_and_its_refusals_answer_as_documented(demo_api, schema):
    def documented(response, status: int):
        assert response.status_code == status, response.content[:500]
        return assert_documented(schema, response)

    ticket = regular_ticket()
    cart = documented(demo_api.post(f"{EVENT_BASE}/carts/", {"positions": [{"item": ticket}]}), 201)
    carts = f"{EVENT_BASE}/carts/{cart['id']}"
    documented(demo_api.post(f"{carts}/codes/", {"code": "DEMO-PROMO"}), 201)
    refused = documented(demo_api.post(f"{carts}/codes/", {"code": "NO-SUCH-CODE"}), 400)
    assert set(refused) >= {"code", "detail"}
    documented(demo_api.post(f"{carts}/codes/", {}), 400)  # the field error shape
    added = documented(demo_api.post(f"{carts}/positions/", {"item": ticket}), 201)
    documented(demo_api.delete(f"{carts}/positions/{added['positions'][-1]['id']}/"), 204)
    documented(demo_api.post(f"{carts}/gift-cards/", {"code": "DEMO-GIFT"}), 201)
    documented(demo_api.delete(f"{carts}/gift-cards/DEMO-GIFT/"), 204)
    priced = documented(demo_api.get(f"{carts}/"), 200)
    assert [c["code"] for c in priced["codes"]] == ["DEMO-PROMO"]
    wrong_total = {"email": "buyer@example.com", "expected_total": "0.01"}
    documented(demo_api.post(f"{carts}/checkout/", wrong_total), 409)  # price_changed
    order = documented(demo_api.post(f"{carts}/checkout/", {"email": "buyer@example.com"}), 201)
    orders = f"{EVENT_BASE}/orders/{order['code']}"
    documented(demo_api.post(f"{orders}/mark_paid/"), 200)
    documented(demo_api.post(f"{orders}/mark_canceled/"), 200)
    body = {"positions": [{"item": ticket}, {"item": ticket}], "codes": ["DEMO-VOUCHER"]}
    documented(APIClient().post(f"{EVENT_BASE}/price-preview/", body, format="json"), 200)


def test_batch_create_answers_the_plain_list_it_documents_and_its_row_errors(demo_api, schema):
    url = f"{EVENT_BASE}/vouchers/batch_create/"
    rows = [{"code": "BATCH-ONE", "value": "5.00", "price_mode": "subtract"}, {"code": "BATCH-TWO"}]
    response = demo_api.post(url, rows, format="json")
    assert response.status_code == 201, response.content
    created = assert_documented(schema, response)
    assert [v["code"] for v in created] == ["BATCH-ONE", "BATCH-TWO"]
    for refused in ([{"code": "BATCH-3"}, {"code": "batch-3"}], [{"max_usages": -1}], {"code": "X"}, []):
        response = demo_api.post(url, refused, format="json")
        assert response.status_code == 400, (refused, response.content)
        assert_documented(schema, response)


def test_a_sample_of_other_writes_answers_as_documented(demo_api, schema, django_capture_on_commit_callbacks):
    def documented(response, status: int):
        assert response.status_code == status, response.content[:500]
        return assert_documented(schema, response)

    voucher = documented(demo_api.post(f"{EVENT_BASE}/vouchers/", {"code": "SAMPLE-1"}), 201)
    documented(demo_api.patch(f"{EVENT_BASE}/vouchers/{voucher['id']}/", {"max_usages": 3}), 200)
    documented(demo_api.delete(f"{EVENT_BASE}/vouchers/{voucher['id']}/"), 204)
    series = demo_api.get(f"{BASE}/coupon-series/").json()["results"][0]["id"]
    documented(demo_api.post(f"{BASE}/coupon-series/{series}/generate/", {"count": 3}), 201)
    csv = "code\nSAMPLE-CSV-1\nSAMPLE-CSV-2\n"
    documented(demo_api.generic("POST", f"{BASE}/coupon-series/{series}/import/", csv, "text/csv"), 201)
    documented(demo_api.get(f"{BASE}/coupon-series/{series}/export/"), 200)  # text/csv, as documented
    with django_capture_on_commit_callbacks(execute=True):  # the job starts once its row is committed
        job = documented(demo_api.get(f"{BASE}/coupon-series/{series}/export/?async=true"), 202)
    assert documented(demo_api.get(f"{BASE}/jobs/{job['id']}/"), 200)["state"] == "succeeded"
    documented(demo_api.get(f"{BASE}/jobs/{job['id']}/download/"), 200)
    card = demo_api.get(f"{BASE}/giftcards/").json()["results"][0]["id"]
    documented(demo_api.post(f"{BASE}/giftcards/{card}/transact/", {"value": "10.00", "text": "top-up"}), 200)
    documented(demo_api.post(f"{BASE}/giftcards/{card}/transact/", {"value": "-1000.00"}), 409)  # overdrawn
    documented(demo_api.post(f"{BASE}/promo-codes/", {"code": "SAMPLE-PROMO", "value": "2.00"}), 201)


def test_the_errors_every_operation_documents_answer_as_documented(demo_api, schema):
    def documented(response, status: int):
        assert response.status_code == status, response.content[:500]
        return assert_documented(schema, response)

    documented(APIClient().get(f"{EVENT_BASE}/items/"), 401)
    documented(demo_api.get("/api/v1/organizers/no-such-organizer/events/"), 403)
    documented(demo_api.get(f"{EVENT_BASE}/items/999999/"), 404)
    documented(demo_api.generic("POST", f"{EVENT_BASE}/vouchers/", "code=X", "text/plain"), 415)
    documented(demo_api.generic("POST", f"{EVENT_BASE}/vouchers/", HTTP_TRANSFER_ENCODING="chunked"), 411)
    documented(demo_api.post(f"{EVENT_BASE}/vouchers/", {"code": "UNKNOWN", "no_such_field": 1}), 400)
