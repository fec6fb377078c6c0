"""Gift cards in the checkout path: which may pay (check stage) and what each pays (price stage).

Gift cards are not discounts: no code, rule or the engine sees them, and they change no price. After
the price stage has decided the total (codes set aside, rules applied), the cards pay it in the order
given — the cart's first, in the order added, then those of the request — each as much as it holds,
until nothing is due. A card the total no longer needs pays 0.00. What is still due is
``amount_due``; an order whose cards pay all of it is stored paid (``orders.checkout.commit``).

Refusals (the vouchers app's rules, ``vouchers.giftcards.gift_card_refusal``): a card given twice,
unknown (another organizer's card is unknown here too), expired, in another currency than the event,
not valid for the event, or with nothing left on it. For an order every card is checked on its row as
locked. A stored cart's card that has become unusable does not fail a cart change or a read: it pays
nothing there and a read lists it in ``invalid_codes``; the checkout refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from orders.checkout.gather import Gathered
from orders.checkout.mode import Mode, Store
from ticketing.currency import currency_exponent
from vouchers.giftcards import GiftCardError, GiftCardErrorCode, GiftCardState, gift_card_refusal

_ZERO = Decimal("0")


@dataclass(frozen=True)
class GiftCardShare:
    """What one card pays of the total (maybe 0.00), and what it held before."""

    card: GiftCardState
    amount: Decimal

    @property
    def code(self) -> str:
        return self.card.code


def check_gift_cards(
    gathered: Gathered, *, mode: Mode
) -> tuple[list[GiftCardState], list[tuple[str, GiftCardError]]]:
    """The cards that may pay, in order, and the stored cart's cards that may not (with why): those
    are only tolerated outside an order. The first refusal of any other card raises."""
    event = gathered.draft.event
    usable: list[GiftCardState] = []
    refused: list[tuple[str, GiftCardError]] = []
    seen: set[str] = set()
    for text, state in gathered.gift_cards:
        if text in seen:
            raise GiftCardError(GiftCardErrorCode.DUPLICATE, gift_card=text)
        seen.add(text)
        refusal = gift_card_refusal(
            state, text=text, event_id=event.pk, currency=event.currency, now=gathered.now
        )
        if refusal is None:
            usable.append(state)
        elif text in gathered.stored_gift_cards and mode.stores != Store.ORDER:
            refused.append((text, refusal))
        else:
            raise refusal
    return usable, refused


def gift_card_shares(cards: list[GiftCardState], total: Decimal, currency: str) -> list[GiftCardShare]:
    """Each card, in order, pays what it holds of what is still due (never below zero, in the
    currency's minor units)."""
    due = total
    shares = []
    for card in cards:
        amount = min(card.balance, due).quantize(currency_exponent(currency), rounding=ROUND_DOWN)
        amount = max(amount, _ZERO)
        shares.append(GiftCardShare(card=card, amount=amount))
        due -= amount
    return shares
