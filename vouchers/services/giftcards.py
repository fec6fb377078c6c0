"""Gift cards: issue, generate, change, top up and correct; and what the checkout writes to their ledgers.

Every write that takes value off a card locks the card's row (``SELECT … FOR UPDATE``) and checks
the balance, the ledger's sum, under that lock, so two writers never spend the same balance; the
database refuses an overdrawing transaction as well (migration ``0003_gift_cards``). Several cards
are locked in one statement, by primary key. In the checkout's lock order gift cards come last:
the cart, quotas, vouchers, coupons, then gift cards (``core.locks``).

The orders app calls :func:`gift_cards_find` (locking) inside its checkout transaction and then
:func:`gift_card_charges_record`; :func:`gift_cards_issue` when an order with gift-card items is
paid; :func:`gift_cards_order_reversed` when an order is canceled. It writes none of these tables.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import record_bulk
from core.locks import LockKind, lock_in_order
from ticketing.currency import amount_text
from ticketing.models import Event, Organizer
from vouchers.choices import GiftCardTransactionKind
from vouchers.codes import DEFAULT_LENGTH, normalise_code, unique_random_codes
from vouchers.giftcard_ledger import transactions_write
from vouchers.giftcards import (
    GiftCardCharge,
    GiftCardError,
    GiftCardErrorCode,
    GiftCardOverdrawn,
    GiftCardSpent,
    GiftCardState,
)
from vouchers.models import CodeHolder, GiftCard, GiftCardTransaction
from vouchers.selectors import claimed_texts, gift_card_balances, with_codes
from vouchers.services.checks import DUPLICATE_GIFT_CARD
from vouchers.services.code_texts import CodeTextTaken, code_collision, code_texts_claim

_ZERO = Decimal("0")
#: At most so many cards per ``generate/`` (the caller waits for them).
MAX_GIFT_CARDS_GENERATE = 1_000
UNIQUE_CODE = "uniq_giftcard_code_per_organizer"


def fresh_codes(
    organizer_id: int, count: int, *, length: int = DEFAULT_LENGTH, prefix: str = ""
) -> list[str]:
    """``count`` unused random codes: free among every code of the organizer."""
    return unique_random_codes(
        count=count, length=length, prefix=normalise_code(prefix),
        taken=lambda chunk: claimed_texts(organizer=organizer_id, codes=chunk),
    )  # fmt: skip


def _cards_inserted(cards: list[GiftCard]) -> list[GiftCard]:
    """The cards inserted, their codes claimed in the organizer's code space. A code another request
    created after the checks: for one card a 400 naming ``code`` (as the checks say it), for several a
    409 ``code_collision``."""
    try:
        with transaction.atomic():
            created = GiftCard.objects.bulk_create(cards)
            codes = {card.code: card.pk for card in created}
            code_texts_claim(organizer_id=created[0].organizer_id, holder=CodeHolder.GIFT_CARD, codes=codes)
            record_bulk(GiftCard, created, action="created")
            return created
    except IntegrityError as exc:
        if UNIQUE_CODE not in str(exc):
            raise
        if len(cards) == 1:
            raise ValidationError({"code": [DUPLICATE_GIFT_CARD]}) from exc
        raise code_collision() from exc
    except CodeTextTaken as exc:
        if len(cards) == 1:
            raise
        raise code_collision() from exc


def _issue(
    cards: Sequence[GiftCard],
    values: Sequence[Decimal],
    *,
    now: datetime,
    text: str = "",
    order_id: int | None = None,
    order_code: str = "",
    user=None,
    token=None,
) -> None:
    transactions_write([
        GiftCardTransaction(
            card=card, kind=GiftCardTransactionKind.ISSUE, value=value, created=now, text=text,
            order_id=order_id, order_code=order_code, user=user, token=token,
        )
        for card, value in zip(cards, values, strict=True)
    ], now=now)  # fmt: skip


@transaction.atomic
def gift_card_create(
    *,
    organizer: Organizer,
    currency: str,
    initial_value: Decimal = _ZERO,
    code: str = "",
    expires: datetime | None = None,
    note: str = "",
    allowed_events: Iterable[Event] = (),
    text: str = "",
    user=None,
    token=None,
    now: datetime | None = None,
) -> GiftCard:
    """Issue one card worth ``initial_value`` (its first transaction, kind ``issue``); an empty code is
    generated. The code's text and that it is free are checked by ``validate_gift_card`` beforehand;
    a code a concurrent request took meanwhile is a 400 naming ``code``."""
    now = now or timezone.now()
    code = normalise_code(code) or fresh_codes(organizer.pk, 1)[0]
    card = GiftCard(
        organizer=organizer, code=code, currency=currency, expires=expires, note=note, created=now
    )
    (card,) = _cards_inserted([card])
    card.allowed_events.set(list(allowed_events))
    _issue([card], [initial_value], now=now, text=text, user=user, token=token)
    card.balance = initial_value
    return card


@transaction.atomic
def gift_cards_generate(
    *,
    organizer: Organizer,
    count: int,
    value: Decimal,
    currency: str,
    prefix: str = "",
    length: int = DEFAULT_LENGTH,
    expires: datetime | None = None,
    note: str = "",
    allowed_events: Iterable[Event] = (),
    text: str = "",
    user=None,
    token=None,
    now: datetime | None = None,
) -> list[GiftCard]:
    """Issue ``count`` cards worth ``value`` each, with unpredictable codes free among the organizer's
    codes (``prefix`` + ``length`` random characters), in one transaction; in code order."""
    now = now or timezone.now()
    codes = fresh_codes(organizer.pk, count, length=length, prefix=prefix)
    cards = _cards_inserted([
        GiftCard(organizer=organizer, code=code, currency=currency, expires=expires, note=note, created=now)
        for code in codes
    ])  # fmt: skip
    events = list(allowed_events)
    if events:
        through = GiftCard.allowed_events.through
        through.objects.bulk_create([through(giftcard_id=c.pk, event_id=e.pk) for c in cards for e in events])
    _issue(cards, [value] * len(cards), now=now, text=text, user=user, token=token)
    for card in cards:
        card.balance = value
    return cards


@transaction.atomic
def gift_card_update(
    *, card: GiftCard, allowed_events: Iterable[Event] | None = None, **fields: Any
) -> GiftCard:
    """Change what may change after issue: ``expires``, ``note``, ``allowed_events``. The value only
    moves through transactions (:func:`gift_card_transact`)."""
    refused = set(fields) - {"expires", "note"}
    if refused:
        raise TypeError(f"A gift card's {', '.join(sorted(refused))} cannot be changed.")
    for name, value in fields.items():
        setattr(card, name, value)
    if fields:
        card.save(update_fields=list(fields))
    if allowed_events is not None:
        card.allowed_events.set(list(allowed_events))
    return card


def lock_cards(card_ids: Collection[int]) -> list[GiftCard]:
    """Lock the cards' rows in one statement, by primary key (the order every workflow locks them in)."""
    if not card_ids:
        return []
    rows = GiftCard.objects.select_for_update().filter(pk__in=list(card_ids)).order_by("pk")
    return lock_in_order(gift_card=lambda: list(rows))[LockKind.GIFT_CARD]


@transaction.atomic
def gift_card_transact(
    *, card: GiftCard, value: Decimal, text: str = "", user=None, token=None, now: datetime | None = None
) -> GiftCardTransaction:
    """Top up (a positive ``value``) or correct (a negative one) the card, under its row lock.

    An expired card takes neither (400 ``gift_card_expired``); a correction that would take the balance
    below zero is a 409 ``gift_card_overdrawn`` with the ``balance`` there is."""
    now = now or timezone.now()
    if not value:
        raise ValidationError({"value": ["A transaction moves some value: 0 is not one."]})
    (locked,) = lock_cards([card.pk])
    if locked.is_expired(now):
        raise GiftCardError(GiftCardErrorCode.EXPIRED, gift_card=locked.code)
    balance = gift_card_balances([locked.pk])[locked.pk]
    if balance + value < 0:
        raise GiftCardOverdrawn(
            balance=amount_text(balance, locked.currency), value=amount_text(value, locked.currency)
        )
    kind = GiftCardTransactionKind.TOP_UP if value > 0 else GiftCardTransactionKind.CORRECTION
    entry = GiftCardTransaction(
        card=locked, kind=kind, value=value, created=now, text=text, user=user, token=token
    )
    (entry,) = transactions_write([entry], now=now)
    return entry


# --- what the checkout and the order services call ----------------------------------------------


def gift_cards_find(
    *, organizer_id: int, codes: Collection[str], lock: bool = False
) -> dict[str, GiftCardState]:
    """The organizer's cards with these normalised codes, by code, with their balance (and allowed
    events); a code that is not one of its cards is absent. ``lock``: the rows are locked
    (``SELECT … FOR UPDATE``, by primary key, one statement) before the balances are read, so the
    balances are those every other writer will see until the transaction ends. Nothing is asked of the
    database without codes; three queries when a card is found, one otherwise."""
    texts = sorted(set(codes))
    if not texts:
        return {}
    rows = with_codes(GiftCard.objects.filter(organizer_id=organizer_id), texts).order_by("pk")
    if lock:
        rows = rows.select_for_update()
    cards = list(rows)
    if not cards:
        return {}
    ids = [card.pk for card in cards]
    balances = gift_card_balances(ids)
    events: dict[int, set[int]] = {}
    through = GiftCard.allowed_events.through.objects.filter(giftcard_id__in=ids)
    for card_id, event_id in through.values_list("giftcard_id", "event_id"):
        events.setdefault(card_id, set()).add(event_id)
    return {
        card.code.upper(): GiftCardState(
            id=card.pk,
            code=card.code,
            currency=card.currency,
            expires=card.expires,
            balance=balances[card.pk],
            event_ids=frozenset(events[card.pk]) if card.pk in events else None,
        )  # fmt: skip
        for card in cards
    }


def gift_card_charges_record(
    *, charges: Sequence[GiftCardCharge], order_id: int, order_code: str, now: datetime
) -> None:
    """An order paid these amounts with these cards (their rows locked by :func:`gift_cards_find` with
    ``lock``, the amounts within the balances read then): one ``payment`` transaction each."""
    transactions_write([
        GiftCardTransaction(
            card_id=charge.card_id, kind=GiftCardTransactionKind.PAYMENT, value=-charge.amount, created=now,
            order_id=order_id, order_code=order_code, text=f"Payment of order {order_code}",
        )
        for charge in charges
        if charge.amount > 0
    ], now=now)  # fmt: skip


def gift_cards_issue(
    *,
    organizer_id: int,
    currency: str,
    values: Sequence[Decimal],
    order_id: int,
    order_code: str,
    now: datetime,
) -> list[GiftCard]:
    """New cards worth ``values`` (one each, in order), bought by an order that is now paid: usable in
    every event of the organizer, their issue transactions naming the order."""
    if not values:
        return []
    codes = fresh_codes(organizer_id, len(values))
    cards = _cards_inserted([
        GiftCard(organizer_id=organizer_id, code=code, currency=currency, created=now,
                 note=f"Bought with order {order_code}.")
        for code in codes
    ])  # fmt: skip
    _issue(cards, values, now=now, text=f"Bought with order {order_code}", order_id=order_id,
           order_code=order_code)  # fmt: skip
    return cards


def gift_card_used(card_id: int) -> bool:
    """Whether the card has paid for anything that was not given back (its payments and refunds do not
    cancel out)."""
    kinds = (GiftCardTransactionKind.PAYMENT, GiftCardTransactionKind.REFUND)
    moved = GiftCardTransaction.objects.filter(card_id=card_id, kind__in=kinds).values_list(
        "value", flat=True
    )
    return sum(moved, _ZERO) != 0


def gift_cards_order_reversed(
    *,
    refunds: Sequence[GiftCardCharge],
    voided: Collection[int],
    order_id: int,
    order_code: str,
    now: datetime,
    text: str = "",
) -> None:
    """An order gives back what its cards paid (``refund`` transactions: it was canceled or expired, or
    the organizer refunded a card's payment) and voids the cards it issued: each one's remaining value
    goes to zero by a ``correction`` — unless some of it has already paid for something, then nothing
    is written and the cancel is a 409 ``gift_card_spent``. ``text``: why (default "Order … canceled").

    Every card concerned is locked first, in one statement by primary key."""
    cards = {card.pk: card for card in lock_cards({c.card_id for c in refunds} | set(voided))}
    for card_id in sorted(voided):
        if gift_card_used(card_id):
            raise GiftCardSpent(gift_card=cards[card_id].code)
    text = text or f"Order {order_code} canceled"
    transactions_write([
        GiftCardTransaction(
            card_id=charge.card_id, kind=GiftCardTransactionKind.REFUND, value=charge.amount, created=now,
            order_id=order_id, order_code=order_code, text=text,
        )
        for charge in refunds
        if charge.amount > 0
    ], now=now)  # fmt: skip
    balances = gift_card_balances(sorted(voided))
    transactions_write([
        GiftCardTransaction(
            card_id=card_id, kind=GiftCardTransactionKind.CORRECTION, value=-balance, created=now,
            order_id=order_id, order_code=order_code, text=f"{text}: the card it issued is void",
        )
        for card_id, balance in balances.items()
        if balance > 0
    ], now=now)  # fmt: skip
