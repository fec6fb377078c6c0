"""Reads of the vouchers app: finding codes, and which codes exist where.

Lookups compare ``UPPER(code)`` with the normalised input: that is the
expression the unique indexes are built on, so a lookup among millions of codes
is an index scan (see ``docs/codes.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Upper

from ticketing.models import Event, Item, Organizer
from vouchers.codes import chunks
from vouchers.models import CodeText, Coupon, CouponSeries, GiftCard, GiftCardTransaction, Voucher


def with_code(queryset: QuerySet, code: str) -> QuerySet:
    """Rows whose code equals the normalised ``code``, through the ``UPPER(code)`` index."""
    return queryset.alias(code_upper=Upper("code")).filter(code_upper=code)


def with_codes(queryset: QuerySet, codes: Iterable[str]) -> QuerySet:
    return queryset.alias(code_upper=Upper("code")).filter(code_upper__in=list(codes))


def voucher_code_taken(*, event: Event, code: str, exclude_id: int | None = None) -> bool:
    return with_code(Voucher.objects.filter(event=event), code).exclude(pk=exclude_id).exists()


def coupon_code_taken(*, organizer: Organizer | int, code: str, exclude_id: int | None = None) -> bool:
    """Taken by a coupon or promo code of the organizer."""
    return with_code(Coupon.objects.filter(organizer=organizer), code).exclude(pk=exclude_id).exists()


def organizer_voucher_code_taken(*, organizer: Organizer | int, code: str) -> bool:
    """Some event of the organizer has a voucher with this code."""
    return with_code(Voucher.objects.filter(event__organizer=organizer), code).exists()


def gift_card_code_taken(*, organizer: Organizer | int, code: str, exclude_id: int | None = None) -> bool:
    """Taken by a gift card of the organizer."""
    return with_code(GiftCard.objects.filter(organizer=organizer), code).exclude(pk=exclude_id).exists()


def organizer_codes_taken(*, organizer: Organizer | int, codes: list[str]) -> set[str]:
    """Which of ``codes`` exist as a coupon, promo code, gift card or voucher of the organizer (one query
    per kind and chunk)."""
    taken: set[str] = set()
    for chunk in chunks(codes):
        taken.update(
            with_codes(Coupon.objects.filter(organizer=organizer), chunk).values_list("code", flat=True)
        )
        taken.update(
            with_codes(Voucher.objects.filter(event__organizer=organizer), chunk).values_list(
                "code", flat=True
            )
        )
        taken.update(
            with_codes(GiftCard.objects.filter(organizer=organizer), chunk).values_list("code", flat=True)
        )
    return {code.upper() for code in taken}


def claimed_texts(*, organizer: Organizer | int, codes: list[str]) -> set[str]:
    """Which of the normalised ``codes`` are claimed in the organizer's code space (one query per chunk):
    what a random draw must avoid. It may avoid more than needed — the claim of vouchers since deleted
    — and misses only the few codes stored before the claims that kept an earlier code's text (migration
    0006); their own unique index, or the claim, still refuses such a draw."""
    claimed: set[str] = set()
    for chunk in chunks(codes):
        claimed.update(
            CodeText.objects.filter(organizer=organizer, text__in=chunk).values_list("text", flat=True)
        )
    return claimed


def event_codes_taken(*, event: Event, codes: list[str]) -> set[str]:
    """Which of ``codes`` exist as a voucher of the event or a coupon, promo code or gift card of its
    organizer."""
    taken: set[str] = set()
    for chunk in chunks(codes):
        taken.update(with_codes(Voucher.objects.filter(event=event), chunk).values_list("code", flat=True))
        taken.update(
            with_codes(Coupon.objects.filter(organizer_id=event.organizer_id), chunk).values_list(
                "code", flat=True
            )
        )
        taken.update(
            with_codes(GiftCard.objects.filter(organizer_id=event.organizer_id), chunk).values_list(
                "code", flat=True
            )
        )
    return {code.upper() for code in taken}


def series_allows_event_q(event: Event) -> Q:
    """On coupons (or promo codes): their series allows ``event``."""
    allowed = CouponSeries.allowed_events.through.objects.filter(
        couponseries_id=OuterRef("series_id"), event_id=event.pk
    )
    return Q(series__allow_all_events=True) | Q(Exists(allowed))


def usable_in_event(queryset: QuerySet, event: Event) -> QuerySet:
    """Coupons (or promo codes) whose series allows ``event``."""
    return queryset.filter(series_allows_event_q(event))


# --- gift cards ----------------------------------------------------------------------------------

_MONEY = DecimalField(max_digits=13, decimal_places=3)
_ZERO = Decimal("0")
_PLACES = Decimal("0.001")  # GiftCardTransaction.value's decimal places


def balance_subquery():
    """A card's balance as an expression: the sum of its ledger (0 without transactions)."""
    total = (
        GiftCardTransaction.objects.filter(card=OuterRef("pk"))
        .order_by()
        .values("card")
        .annotate(total=Sum("value"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), Value(_ZERO), output_field=_MONEY)


def with_balance(queryset: QuerySet[GiftCard]) -> QuerySet[GiftCard]:
    """Gift cards annotated with ``balance``, the sum of their transactions (one subquery per row,
    filterable and orderable)."""
    return queryset.annotate(balance=balance_subquery())


def gift_card_balances(card_ids: Iterable[int]) -> dict[int, Decimal]:
    """The balance of each card, by id, in one aggregate query (cards without transactions: 0)."""
    ids = list(card_ids)
    if not ids:
        return {}
    rows = (
        GiftCardTransaction.objects.filter(card_id__in=ids)
        .order_by()
        .values("card_id")
        .annotate(total=Sum("value"))
        .values_list("card_id", "total")
    )
    balances = dict.fromkeys(ids, _ZERO)
    # SQLite sums decimals as floating point (0.30 − 3 × 0.10 is −2.8e-17): back to the column's places.
    balances.update({card_id: Decimal(total).quantize(_PLACES) for card_id, total in rows})
    return balances


def gift_card_balance(card: GiftCard | int) -> Decimal:
    card_id = card if isinstance(card, int) else card.pk
    return gift_card_balances([card_id])[card_id]


def organizer_gift_cards(organizer: Organizer) -> QuerySet[GiftCard]:
    """The organizer's gift cards with their balance and allowed events."""
    return with_balance(GiftCard.objects.filter(organizer=organizer)).prefetch_related("allowed_events")


def gift_card_lookup(*, organizer_id: int, code: str, event_id: int | None = None) -> GiftCard | None:
    """The organizer's card with this normalised code, with ``balance`` and ``usable_here`` (valid for
    ``event_id``: all events, or that one among its events; True without an event), in one query
    whether it exists or not (the public lookup answers as fast either way)."""
    through = GiftCard.allowed_events.through.objects
    limited = Exists(through.filter(giftcard_id=OuterRef("pk")))
    allowed = Exists(through.filter(giftcard_id=OuterRef("pk"), event_id=event_id or 0))
    cards = with_balance(GiftCard.objects.filter(organizer_id=organizer_id)).annotate(
        usable_here=Value(True)
        if event_id is None
        else ExpressionWrapper(Q(~limited) | Q(allowed), output_field=BooleanField())
    )
    return with_code(cards, code).first()


def series_limited_items(series: CouponSeries | None) -> list[Item] | None:
    """The items a stored series (a promo code's too) is limited to (``items/``), with their events;
    None when it is valid for all of them."""
    if series is None or series.allow_all_items:
        return None
    return list(series.allowed_items.select_related("event"))
