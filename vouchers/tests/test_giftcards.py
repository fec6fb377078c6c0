"""Gift card services, the ledger and its guards, and code uniqueness across every kind of code."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ticketing.tests.factories import EventFactory, OrganizerFactory, UserFactory
from vouchers.giftcards import (
    GiftCardCharge,
    GiftCardError,
    GiftCardOverdrawn,
    GiftCardSpent,
    GiftCardState,
    gift_card_refusal,
)
from vouchers.models import GiftCard, GiftCardTransaction, GiftCardTransactionKind
from vouchers.selectors import (
    gift_card_balance,
    gift_card_balances,
    organizer_codes_taken,
    with_balance,
)
from vouchers.services.checks import (
    validate_coupon,
    validate_gift_card,
    validate_promo_code,
    validate_voucher,
)
from vouchers.services.giftcards import (
    gift_card_charges_record,
    gift_card_create,
    gift_card_transact,
    gift_card_update,
    gift_cards_find,
    gift_cards_generate,
    gift_cards_issue,
    gift_cards_order_reversed,
)
from vouchers.tests.factories import (
    CouponFactory,
    CouponSeriesFactory,
    GiftCardFactory,
    PromoCodeFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
Kind = GiftCardTransactionKind


def kinds(card) -> list[tuple[str, Decimal]]:
    return list(GiftCardTransaction.objects.filter(card=card).order_by("id").values_list("kind", "value"))


# --- issue ---------------------------------------------------------------------------------------


def test_create_issues_the_initial_value_as_the_first_transaction(organizer, event):
    user = UserFactory()
    card = gift_card_create(
        organizer=organizer, currency="EUR", initial_value=D("50.00"), code=" my-card-1 ",
        allowed_events=[event], note="raffle", user=user, text="Raffle prize",
    )  # fmt: skip
    card.refresh_from_db()
    assert (card.code, card.currency, card.note) == ("MY-CARD-1", "EUR", "raffle")
    assert list(card.allowed_events.all()) == [event]
    [row] = GiftCardTransaction.objects.filter(card=card)
    assert (row.kind, row.value, row.user, row.token) == ("issue", D("50.000"), user, None)
    assert row.text == "Raffle prize"
    assert gift_card_balance(card) == D("50.00")


def test_an_empty_code_is_generated_from_the_code_alphabet(organizer):
    card = gift_card_create(organizer=organizer, currency="EUR")
    assert len(card.code) == 16 and not set(card.code) & set("IJO01")
    assert gift_card_balance(card) == D("0")
    assert kinds(card) == [("issue", D("0"))]


def test_generate_issues_count_cards_with_distinct_codes(organizer, event):
    cards = gift_cards_generate(
        organizer=organizer, count=5, value=D("25.00"), currency="EUR", prefix="xmas-", length=8,
        allowed_events=[event],
    )  # fmt: skip
    assert len({c.code for c in cards}) == 5
    assert all(c.code.startswith("XMAS-") and len(c.code) == 13 for c in cards)
    assert set(gift_card_balances([c.pk for c in cards]).values()) == {D("25.00")}
    assert GiftCard.allowed_events.through.objects.filter(event=event).count() == 5
    assert GiftCardTransaction.objects.filter(kind="issue").count() == 5


def test_issue_for_an_order_names_the_order_on_each_card(organizer):
    cards = gift_cards_issue(organizer_id=organizer.pk, currency="EUR", values=[D("25.00"), D("10.00")],
                             order_id=7, order_code="ORDER7", now=timezone.now())  # fmt: skip
    rows = GiftCardTransaction.objects.filter(card__in=cards).order_by("card_id")
    assert [(r.kind, r.value, r.order_id, r.order_code) for r in rows] == [
        ("issue", D("25.000"), 7, "ORDER7"), ("issue", D("10.000"), 7, "ORDER7"),
    ]  # fmt: skip
    assert gift_cards_issue(organizer_id=organizer.pk, currency="EUR", values=[], order_id=7, order_code="X",
                            now=timezone.now()) == []  # fmt: skip


def test_update_changes_expiry_note_and_events_only(organizer, event):
    card = GiftCardFactory(organizer=organizer)
    expires = timezone.now() + timedelta(days=30)
    gift_card_update(card=card, expires=expires, note="later", allowed_events=[event])
    card.refresh_from_db()
    assert (card.expires, card.note, list(card.allowed_events.all())) == (expires, "later", [event])
    with pytest.raises(TypeError):
        gift_card_update(card=card, currency="USD")


# --- balance, top-ups, corrections ---------------------------------------------------------------


def test_the_balance_is_the_sum_of_the_ledger_for_one_card_and_for_a_list(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("50.00"))
    other = GiftCardFactory(organizer=organizer, value=D("0"))
    gift_card_transact(card=card, value=D("20.00"), text="Birthday")
    gift_card_transact(card=card, value=D("-15.50"), text="Typo")
    assert gift_card_balance(card) == D("54.50")
    listed = {c.code: c.balance for c in with_balance(GiftCard.objects.filter(organizer=organizer))}
    assert listed == {card.code: D("54.50"), other.code: D("0")}
    assert kinds(card) == [("issue", D("50")), ("top_up", D("20")), ("correction", D("-15.5"))]


def test_a_correction_may_empty_the_card_but_not_overdraw_it(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    with pytest.raises(GiftCardOverdrawn) as refused:
        gift_card_transact(card=card, value=D("-10.01"))
    assert (refused.value.status_code, refused.value.code) == (409, "gift_card_overdrawn")
    assert refused.value.context == {"balance": "10.00", "value": "-10.01"}
    gift_card_transact(card=card, value=D("-10.00"))
    assert gift_card_balance(card) == D("0")


def test_an_expired_card_takes_no_transaction(organizer):
    card = GiftCardFactory(organizer=organizer, expires=timezone.now() - timedelta(seconds=1))
    for value in (D("5.00"), D("-5.00")):
        with pytest.raises(GiftCardError) as refused:
            gift_card_transact(card=card, value=value)
        assert (refused.value.status_code, refused.value.code) == (400, "gift_card_expired")
    assert kinds(card) == [("issue", D("50"))]


def test_a_transaction_of_nothing_is_refused(organizer):
    card = GiftCardFactory(organizer=organizer)
    with pytest.raises(ValidationError):
        gift_card_transact(card=card, value=D("0"))


# --- the database's guards -----------------------------------------------------------------------


def test_the_database_refuses_a_transaction_that_overdraws_the_card(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCardTransaction.objects.create(card=card, kind=Kind.PAYMENT, value=D("-10.01"))
    GiftCardTransaction.objects.create(card=card, kind=Kind.PAYMENT, value=D("-10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCardTransaction.objects.create(card=card, kind=Kind.CORRECTION, value=D("-0.01"))
    assert gift_card_balance(card) == D("0")


def test_the_database_refuses_an_update_that_overdraws_the_card(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    row = GiftCardTransaction.objects.create(card=card, kind=Kind.PAYMENT, value=D("-4.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCardTransaction.objects.filter(pk=row.pk).update(value=D("-12.00"))


def test_sums_of_many_small_amounts_are_not_refused_by_rounding(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("0.30"))
    for _ in range(3):
        GiftCardTransaction.objects.create(card=card, kind=Kind.PAYMENT, value=D("-0.10"))
    assert gift_card_balance(card) == D("0")


@pytest.mark.parametrize(
    ("kind", "value"),
    [(Kind.ISSUE, "-1"), (Kind.TOP_UP, "0"), (Kind.PAYMENT, "1"), (Kind.PAYMENT, "0"), (Kind.REFUND, "-1"),
     (Kind.CORRECTION, "0")],
)  # fmt: skip
def test_each_kind_of_transaction_has_its_sign(organizer, kind, value):
    card = GiftCardFactory(organizer=organizer, value=D("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCardTransaction.objects.create(card=card, kind=kind, value=D(value))


def test_the_code_is_unique_per_organizer_ignoring_case(organizer):
    GiftCardFactory(organizer=organizer, code="SAME-CODE")
    GiftCardFactory(organizer=OrganizerFactory(), code="SAME-CODE")  # another organizer may
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCard.objects.create(organizer=organizer, code="same-code", currency="EUR")


# --- code uniqueness across kinds, both ways -----------------------------------------------------


def message(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


@pytest.mark.parametrize("kind", ["coupon", "promo_code", "voucher", "gift_card"])
def test_a_gift_card_cannot_take_a_code_of_another_kind(organizer, event, kind):
    if kind == "coupon":
        CouponFactory(series__organizer=organizer, code="TAKEN-CODE")
    elif kind == "promo_code":
        PromoCodeFactory(series__organizer=organizer, code="TAKEN-CODE")
    elif kind == "voucher":
        VoucherFactory(event=EventFactory(organizer=organizer), code="TAKEN-CODE")
    else:
        GiftCardFactory(organizer=organizer, code="TAKEN-CODE")
    with pytest.raises(ValidationError) as refused:
        validate_gift_card(organizer=organizer, code="taken-code", currency="EUR")
    assert "code" in refused.value.message_dict
    assert organizer_codes_taken(organizer=organizer, codes=["TAKEN-CODE"]) == {"TAKEN-CODE"}


def test_a_gift_card_may_keep_its_own_code_and_another_organizer_may_have_it(organizer):
    card = GiftCardFactory(organizer=organizer, code="MINE-CODE")
    validate_gift_card(id=card.pk, organizer=organizer, code="MINE-CODE", currency="EUR")
    validate_gift_card(organizer=OrganizerFactory(), code="MINE-CODE", currency="EUR")


def test_no_other_kind_of_code_can_take_a_gift_cards_code(organizer, event):
    GiftCardFactory(organizer=organizer, code="GIFT-TAKEN")
    series = CouponSeriesFactory(organizer=organizer)
    with pytest.raises(ValidationError) as refused:
        validate_coupon(organizer=organizer, series=series, code="gift-taken")
    assert "gift card" in message(refused.value)
    with pytest.raises(ValidationError) as refused:
        validate_promo_code(organizer=organizer, code="GIFT-TAKEN", value=D("5"))
    assert "gift card" in message(refused.value)
    with pytest.raises(ValidationError) as refused:
        validate_voucher(event=event, code="GIFT-TAKEN")
    assert "gift card" in message(refused.value)


def test_the_gift_card_checks_name_the_currency_and_the_code_text(organizer):
    with pytest.raises(ValidationError) as refused:
        validate_gift_card(organizer=organizer, code="ab", currency="EURO")
    assert set(refused.value.message_dict) == {"code", "currency"}
    foreign = EventFactory()
    with pytest.raises(ValidationError) as refused:
        validate_gift_card(organizer=organizer, currency="EUR", allowed_events=[foreign])
    assert "allowed_events" in refused.value.message_dict


def test_a_code_taken_meanwhile_is_a_400_naming_the_code(organizer):
    GiftCardFactory(organizer=organizer, code="RACE-CODE")
    with pytest.raises(ValidationError) as refused:
        gift_card_create(organizer=organizer, currency="EUR", code="RACE-CODE")
    assert "code" in refused.value.message_dict


def test_generated_codes_of_every_kind_avoid_gift_card_codes(organizer, event):
    """Coupon, voucher and gift card generation ask ``organizer_codes_taken`` / ``event_codes_taken``."""
    from vouchers.selectors import event_codes_taken

    GiftCardFactory(organizer=organizer, code="ABCDEFGH")
    assert organizer_codes_taken(organizer=organizer, codes=["ABCDEFGH", "FREEFREE"]) == {"ABCDEFGH"}
    assert event_codes_taken(event=event, codes=["ABCDEFGH", "FREEFREE"]) == {"ABCDEFGH"}


# --- what the checkout and the order services use -------------------------------------------------


def test_find_reads_cards_by_code_with_their_balance_and_events(organizer, event, django_assert_num_queries):
    card = GiftCardFactory(organizer=organizer, code="FIND-ME", value=D("12.00"), allowed_events=[event])
    GiftCardFactory(organizer=OrganizerFactory(), code="FOREIGN")
    with django_assert_num_queries(3):
        found = gift_cards_find(organizer_id=organizer.pk, codes=["FIND-ME", "FOREIGN", "NOPE"], lock=True)
    expected = GiftCardState(id=card.pk, code="FIND-ME", currency="EUR", expires=None, balance=D("12.00"),
                             event_ids=frozenset({event.pk}))  # fmt: skip
    assert found == {"FIND-ME": expected}
    with django_assert_num_queries(1):
        assert gift_cards_find(organizer_id=organizer.pk, codes=["NOPE"]) == {}
    with django_assert_num_queries(0):
        assert gift_cards_find(organizer_id=organizer.pk, codes=[]) == {}


def test_refusals_come_in_a_fixed_order(event):
    now = timezone.now()
    good = GiftCardState(id=1, code="C", currency="EUR", expires=None, balance=D("1"))

    def reason(state):
        refused = gift_card_refusal(state, text="TYPED", event_id=event.pk, currency="EUR", now=now)
        return None if refused is None else (refused.code, refused.context["gift_card"])

    assert reason(good) is None
    assert reason(None) == ("gift_card_invalid", "TYPED")
    past = now - timedelta(seconds=1)
    assert reason(GiftCardState(1, "C", "USD", past, D("0"), frozenset())) == ("gift_card_expired", "C")
    assert reason(GiftCardState(1, "C", "USD", None, D("0"), frozenset())) == ("gift_card_currency", "C")
    assert reason(GiftCardState(1, "C", "EUR", None, D("0"), frozenset({0}))) == (
        "gift_card_not_valid_for_event", "C",
    )  # fmt: skip
    empty = GiftCardState(1, "C", "EUR", None, D("0"), frozenset({event.pk}))
    assert reason(empty) == ("gift_card_empty", "C")


def test_charges_are_payments_naming_the_order(organizer):
    card = GiftCardFactory(organizer=organizer, value=D("30.00"))
    gift_card_charges_record(charges=[GiftCardCharge(card.pk, D("12.50")), GiftCardCharge(card.pk, D("0"))],
                             order_id=3, order_code="ABC", now=timezone.now())  # fmt: skip
    assert kinds(card) == [("issue", D("30")), ("payment", D("-12.5"))]
    assert gift_card_balance(card) == D("17.50")


def test_reversing_refunds_and_voids_unused_cards(organizer):
    paying = GiftCardFactory(organizer=organizer, value=D("30.00"))
    gift_card_charges_record(charges=[GiftCardCharge(paying.pk, D("30.00"))], order_id=1, order_code="A",
                             now=timezone.now())  # fmt: skip
    bought = GiftCardFactory(organizer=organizer, value=D("25.00"))
    gift_cards_order_reversed(refunds=[GiftCardCharge(paying.pk, D("30.00"))], voided=[bought.pk],
                              order_id=1, order_code="A", now=timezone.now())  # fmt: skip
    assert (gift_card_balance(paying), gift_card_balance(bought)) == (D("30.00"), D("0"))
    assert kinds(bought) == [("issue", D("25")), ("correction", D("-25"))]


def test_reversing_is_refused_when_a_voided_card_paid_for_something(organizer):
    bought = GiftCardFactory(organizer=organizer, value=D("25.00"))
    other = GiftCardFactory(organizer=organizer, value=D("10.00"))
    gift_card_charges_record(charges=[GiftCardCharge(bought.pk, D("1.00"))], order_id=2, order_code="B",
                             now=timezone.now())  # fmt: skip
    with pytest.raises(GiftCardSpent) as refused:
        gift_cards_order_reversed(refunds=[GiftCardCharge(other.pk, D("5.00"))], voided=[bought.pk],
                                  order_id=1, order_code="A", now=timezone.now())  # fmt: skip
    assert (refused.value.status_code, refused.value.code, refused.value.context) == (
        409, "gift_card_spent", {"gift_card": bought.code},
    )  # fmt: skip
    assert kinds(other) == [("issue", D("10"))]  # nothing written
