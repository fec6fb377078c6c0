"""One code text, two requests at the same moment, in two processes: exactly one code gets the text.

Each request runs in a process of its own (forked, with its own database connection), through the whole
API stack; a barrier releases both requests of a try together, ten tries per pair. Before the code space
had its claims (``vouchers.models.CodeText``), both codes were created in most tries (issue 23: voucher
and coupon 10 of 10, promo code and gift card 9 of 10, CSV import and voucher 6 of 10). Now one request
wins each try and the other gets the refusal a request sent after it gets — never a 500. PostgreSQL
only: SQLite serialises writers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from core.tests.processes import at_the_same_moment
from ticketing.tests.factories import EventFactory, TeamFactory, make_token
from vouchers.models import CodeText, Coupon, GiftCard, Voucher
from vouchers.tests.factories import CouponFactory, CouponSeriesFactory

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

TRIES = 10
ORG = "/api/v1/organizers/demo-org/"

VOUCHER_CLASH = "A voucher of one of this organizer's events already uses this code."
DUPLICATE_COUPON = "A coupon or promo code with this code already exists for this organizer."
GIFT_CARD_CLASH = "A gift card of this organizer already uses this code."

Answer = tuple[int, object]  # status, JSON body


def client() -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TOKEN[0]}")
    return api


def answer(response) -> Answer:
    return response.status_code, response.json()


TOKEN: list[str] = []
IDS: dict[str, int] = {}
RENAMED: dict[str, int] = {}


@pytest.fixture
def shop(organizer, event):
    TOKEN[:] = [make_token(TeamFactory(organizer=organizer, all_permissions=True, all_events=True))]
    EventFactory(organizer=organizer, slug="other")
    series = CouponSeriesFactory(organizer=organizer)
    IDS["series"] = series.pk
    for attempt in range(TRIES):  # each try renames a coupon of its own
        RENAMED[f"RACE-{attempt:02d}"] = CouponFactory(series=series, code=f"RENAME-{attempt:02d}").pk


# Each kind of write that gives a code its text, and what it answers when the text is taken, by what
# took it. The texts are new in each try.
def voucher(text: str) -> Answer:
    return answer(client().post(f"{ORG}events/conf/vouchers/", {"code": text}, format="json"))


def other_event_voucher(text: str) -> Answer:
    return answer(client().post(f"{ORG}events/other/vouchers/", {"code": text}, format="json"))


def voucher_batch(text: str) -> Answer:
    rows = [{"code": f"{text}-MORE"}, {"code": text}]
    return answer(client().post(f"{ORG}events/conf/vouchers/batch_create/", rows, format="json"))


def coupon(text: str) -> Answer:
    return answer(client().post(f"{ORG}coupons/", {"series": IDS["series"], "code": text}, format="json"))


def coupon_rename(text: str) -> Answer:
    return answer(client().patch(f"{ORG}coupons/{RENAMED[text]}/", {"code": text}, format="json"))


def promo_code(text: str) -> Answer:
    body = {"code": text, "name": "Race", "value": "5.00", "percentage": False}
    return answer(client().post(f"{ORG}promo-codes/", body, format="json"))


def gift_card(text: str) -> Answer:
    body = {"code": text, "currency": "EUR", "initial_value": "10.00"}
    return answer(client().post(f"{ORG}giftcards/", body, format="json"))


def csv_import(text: str) -> Answer:
    url = f"{ORG}coupon-series/{IDS['series']}/import/"
    return answer(client().generic("POST", url, f"code\n{text}-CSV\n{text}\n", content_type="text/csv"))


CREATED = {voucher: 201, voucher_batch: 201, coupon: 201, coupon_rename: 200, promo_code: 201,
           gift_card: 201, csv_import: 201}  # fmt: skip


def refusal(write: Callable, text: str, message: str) -> object:
    """The body ``write`` answers when ``text`` is already taken, ``message`` saying by what."""
    if write is csv_import:
        return {"file": [f"Line 3: code: {text} already exists for this organizer."]}
    if write is voucher_batch:
        return {"code": "invalid", "detail": "1 of 2 rows are invalid; nothing was created.",
                "errors": [{}, {"code": [message]}]}  # fmt: skip
    return {"code": [message]}


#: What a write hears about the text when this write took it first (no pair here has two gift cards).
TAKEN_BY = {voucher: VOUCHER_CLASH, voucher_batch: VOUCHER_CLASH, coupon: DUPLICATE_COUPON,
            coupon_rename: DUPLICATE_COUPON, promo_code: DUPLICATE_COUPON, csv_import: DUPLICATE_COUPON,
            gift_card: GIFT_CARD_CLASH}  # fmt: skip


def holders(text: str) -> int:
    """How many codes of the organizer have the text."""
    return sum(model.objects.filter(code=text).count() for model in (Voucher, Coupon, GiftCard))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (voucher, coupon),
        (promo_code, gift_card),
        (csv_import, voucher),
        (voucher, promo_code),
        (gift_card, voucher),
        (voucher_batch, coupon_rename),
        (coupon, gift_card),
        (csv_import, promo_code),
    ],
    ids=lambda write: write.__name__,
)
def test_the_same_text_as_two_kinds_of_code_at_once_makes_one_code(shop, first, second):
    writes = (first, second)
    tries = at_the_same_moment([lambda i, w=w: w(f"RACE-{i:02d}") for w in writes], TRIES)
    for attempt, answers in enumerate(tries):
        text = f"RACE-{attempt:02d}"
        won = [index for index, (status, _) in enumerate(answers) if status == CREATED[writes[index]]]
        assert len(won) == 1, (text, answers)
        winner, loser = writes[won[0]], writes[1 - won[0]]
        assert answers[1 - won[0]] == (400, refusal(loser, text, TAKEN_BY[winner])), text
        assert holders(text) == 1
        assert CodeText.objects.filter(text=text).count() == 1


def test_two_events_vouchers_with_one_text_at_once_are_both_created(shop):
    """A voucher is unique per event: vouchers of two events share the text's claim, at once too."""
    tries = at_the_same_moment(
        [lambda i: voucher(f"SHARED-{i:02d}"), lambda i: other_event_voucher(f"SHARED-{i:02d}")], TRIES
    )
    assert [[status for status, _ in answers] for answers in tries] == [[201, 201]] * TRIES
    assert Voucher.objects.filter(code__startswith="SHARED-").count() == 2 * TRIES
    assert CodeText.objects.filter(text__startswith="SHARED-", holder="voucher").count() == TRIES
