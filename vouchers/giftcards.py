"""Gift cards seen from outside the vouchers app: plain data crossing its boundary, and the refusals.

The checkout (orders app) reads cards as :class:`GiftCardState` (no model instances), asks
:func:`gift_card_refusal` whether one may pay in an event, and hands back :class:`GiftCardCharge`
values to be written to the ledgers (``vouchers.services.giftcards``). Gift cards are not discounts:
no code resolution, rule or pricing sees them; they pay the priced total.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.errors import ConflictError, DomainError


class GiftCardErrorCode(enum.StrEnum):
    """The stable reasons a gift card is refused (400, naming the card in ``gift_card``)."""

    INVALID = "gift_card_invalid"  # unknown here (another organizer's card is unknown too)
    DUPLICATE = "gift_card_duplicate"  # the same card given twice
    EXPIRED = "gift_card_expired"
    CURRENCY = "gift_card_currency"  # the card's currency is not the event's
    NOT_VALID_FOR_EVENT = "gift_card_not_valid_for_event"
    EMPTY = "gift_card_empty"  # nothing left on it


GIFT_CARD_DETAILS = {
    GiftCardErrorCode.INVALID: "This gift card is not known.",
    GiftCardErrorCode.DUPLICATE: "This gift card is given more than once.",
    GiftCardErrorCode.EXPIRED: "This gift card has expired.",
    GiftCardErrorCode.CURRENCY: "This gift card is in another currency than the event.",
    GiftCardErrorCode.NOT_VALID_FOR_EVENT: "This gift card is not valid for this event.",
    GiftCardErrorCode.EMPTY: "This gift card has no balance left.",
}


class GiftCardError(DomainError):
    """A gift card was refused; ``code`` is one of :class:`GiftCardErrorCode`."""

    status_code = 400

    def __init__(self, reason: GiftCardErrorCode | str, *, gift_card: str | None = None, **context) -> None:
        reason = GiftCardErrorCode(reason)
        if gift_card is not None:
            context["gift_card"] = gift_card
        super().__init__(GIFT_CARD_DETAILS[reason], code=reason.value, **context)
        self.reason = reason


class GiftCardOverdrawn(ConflictError):
    code = "gift_card_overdrawn"
    default_detail = "The gift card's balance is too low for this: its balance never goes below zero."


class GiftCardSpent(ConflictError):
    code = "gift_card_spent"
    default_detail = (
        "A gift card this order issued has already paid for something: the order cannot be canceled."
    )


@dataclass(frozen=True)
class GiftCardState:
    """A card as read (under its row lock at checkout): ``balance`` is its ledger's sum then;
    ``event_ids`` None means every event of the organizer."""

    id: int
    code: str
    currency: str
    expires: datetime | None
    balance: Decimal
    event_ids: frozenset[int] | None = None

    def covers(self, event_id: int) -> bool:
        return self.event_ids is None or event_id in self.event_ids


@dataclass(frozen=True)
class GiftCardCharge:
    """What one card pays (or gets back): a positive ``amount``."""

    card_id: int
    amount: Decimal


def gift_card_refusal(
    state: GiftCardState | None, *, text: str, event_id: int, currency: str, now: datetime
) -> GiftCardError | None:
    """Why the card may not pay in this event now, if it may not (the first failing check wins:
    known, not expired, the event's currency, valid for the event, something left on it)."""
    if state is None:
        return GiftCardError(GiftCardErrorCode.INVALID, gift_card=text)
    if state.expires is not None and state.expires < now:
        return GiftCardError(GiftCardErrorCode.EXPIRED, gift_card=state.code)
    if state.currency != currency:
        return GiftCardError(GiftCardErrorCode.CURRENCY, gift_card=state.code, currency=state.currency)
    if not state.covers(event_id):
        return GiftCardError(GiftCardErrorCode.NOT_VALID_FOR_EVENT, gift_card=state.code)
    if state.balance <= 0:
        return GiftCardError(GiftCardErrorCode.EMPTY, gift_card=state.code)
    return None
