"""The checks of vouchers, coupons and promo codes that query the database, beside the services that write.

``vouchers.validation`` holds the rules that look only at the values given (``Model.clean()`` runs
those). What needs a lookup lives here: whether a code is already taken — by a voucher of the event,
by a coupon or promo code of the organizer, by a voucher of one of the organizer's events — whether
the quotas have room for the uses a blocking voucher holds back, and which items a series may be
limited to. The entry points the API serializers and the admin forms call are here too:

* ``validate_voucher``, ``validate_coupon``, ``validate_promo_code``: every rule of the resource, those
  of ``vouchers.validation`` and the lookups below together, with the messages, fields and order of
  errors of one check;
* ``validate_voucher_conflicts``, ``validate_coupon_conflicts``: the lookups alone, for the admin forms
  (and the demo data) whose ``Model.clean()`` already reports the other rules, so no message is
  shown twice;
* ``validate_series_items``: the items a series is limited to.

The unique indexes (voucher codes per event, coupon and promo codes per organizer) stay the last word:
a concurrent request may take a code after these checks, and the services turn that ``IntegrityError``
into the same ``DUPLICATE_*`` message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from ticketing.validation import Errors
from vouchers.codes import code_text_errors, normalise_code
from vouchers.models import Coupon, SeriesKind, Voucher
from vouchers.quotas import QuotaShortfall, asked_block, blocks_check
from vouchers.selectors import (
    coupon_code_taken,
    gift_card_code_taken,
    organizer_voucher_code_taken,
    voucher_code_taken,
)
from vouchers.validation import (
    check_code_text,
    check_coupon_series,
    check_customer_email,
    check_events_and_items,
    check_gift_card,
    check_promo_code,
    check_voucher,
)

DUPLICATE_VOUCHER = "A voucher with this code already exists in this event."
DUPLICATE_COUPON = "A coupon or promo code with this code already exists for this organizer."
VOUCHER_CLASH = "A voucher of one of this organizer's events already uses this code."
GIFT_CARD_CLASH = "A gift card of this organizer already uses this code."
DUPLICATE_GIFT_CARD = "A gift card with this code already exists for this organizer."
#: A code that orders used keeps its text (their redemptions name it), and a used coupon its series (its
#: uses count against that series' limits). The services refuse such a change with 409 under the row's
#: lock; :func:`validate_used_code_kept` says so beforehand in a form.
USED_VOUCHER_CODE = "This voucher has been redeemed: its code cannot change."
USED_COUPON_CODE = "This coupon has been used: its code cannot change."
USED_PROMO_CODE = "This promo code has been used: its code cannot change."
USED_COUPON_SERIES = "This coupon has been used: it cannot move to another series."


def check_voucher_code_free(
    errors: Errors, *, id: int | None = None, event=None, code: str | None = None, **_: Any
) -> None:
    """A voucher's code is not taken by another voucher of the event nor by a coupon, promo code or gift
    card of its organizer. Asked only of a code whose text is fine (the rules name what is wrong with it);
    an empty code is generated on create."""
    code = normalise_code(code)
    if not code or code_text_errors(code) or event is None:
        return
    if voucher_code_taken(event=event, code=code, exclude_id=id):
        errors.add("code", DUPLICATE_VOUCHER)
    elif coupon_code_taken(organizer=event.organizer_id, code=code):
        errors.add("code", DUPLICATE_COUPON)
    elif gift_card_code_taken(organizer=event.organizer_id, code=code):
        errors.add("code", GIFT_CARD_CLASH)


def check_quota_room(errors: Errors, **values: Any) -> None:
    """A voucher that blocks quota (and may not ignore it) finds room for its remaining uses in every
    quota it draws from, under those quotas' locks (``vouchers.quotas.blocks_check``): call it inside the
    transaction that saves the voucher, and only once every other check passed — a voucher in error is
    not saved, and its scope may not be one yet."""
    try:
        now = timezone.now()
        blocks_check([asked_block(**values, now=now)], now=now)
    except QuotaShortfall as exc:
        errors.add("block_quota", exc.message_dict["block_quota"][0])


def check_organizer_code_free(
    errors: Errors, *, organizer, code: str | None, exclude_id: int | None = None, kind: str = "coupon"
) -> None:
    """A code of the organizer (``kind`` ``"coupon"``: a coupon's or promo code's, which share one table;
    ``"gift_card"``: a gift card's) is unique among all its codes: its coupons and promo codes, its gift
    cards and the vouchers of its events. Its own table is asked first (``exclude_id``: the row being
    changed). Asked only of a code whose text is fine."""
    code = normalise_code(code)
    if not code or code_text_errors(code) or organizer is None:
        return
    if kind == "gift_card":
        own = (gift_card_code_taken, DUPLICATE_GIFT_CARD)
        others = ((coupon_code_taken, DUPLICATE_COUPON), (organizer_voucher_code_taken, VOUCHER_CLASH))
    else:
        own = (coupon_code_taken, DUPLICATE_COUPON)
        others = ((organizer_voucher_code_taken, VOUCHER_CLASH), (gift_card_code_taken, GIFT_CARD_CLASH))
    taken, message = own
    if taken(organizer=organizer, code=code, exclude_id=exclude_id):
        errors.add("code", message)
        return
    for taken, message in others:
        if taken(organizer=organizer, code=code):
            errors.add("code", message)
            return


def validate_voucher(**values: Any) -> None:
    """Every rule of a voucher that needs no lock (docs/codes.md, "Voucher behaviour: validation"): the
    code is free and the rules of :func:`vouchers.validation.check_voucher`. An empty code is fine (it is
    generated on create). Room in the quotas for a blocking voucher is checked by the services that save
    it, under the quotas' locks and counting the other vouchers of a batch."""
    errors = Errors()
    check_voucher_code_free(errors, **values)
    check_voucher(errors, **values)
    errors.raise_if_any()


def validate_voucher_conflicts(**values: Any) -> None:
    """The checks that query, for a form whose ``Voucher.clean()`` reports the other rules: the code is
    free, and — when everything else passes — the quotas have room, under their locks (the back office
    saves the form in the transaction that checked it)."""
    errors = Errors()
    check_voucher_code_free(errors, **values)
    if not errors.errors:
        rules = Errors()
        check_voucher(rules, **values)
        if not rules.errors:
            check_quota_room(errors, **values)
    errors.raise_if_any()


def validate_used_code_kept(*, stored: Voucher | Coupon | None, code: str | None = None, series=None) -> None:
    """A voucher that orders redeemed, or a coupon or promo code that orders used (``stored``, the row as
    saved; ``None`` on create), keeps its code, and the coupon its series. An empty ``code`` keeps it."""
    if stored is None or stored.pk is None:
        return
    errors = Errors()
    if isinstance(stored, Voucher):
        used, message = stored.redeemed > 0 or stored.budget_used > 0, USED_VOUCHER_CODE
    else:
        promo = stored.series.kind == SeriesKind.PROMO_CODE
        used, message = stored.used_orders > 0, USED_PROMO_CODE if promo else USED_COUPON_CODE
    if used and normalise_code(code) not in ("", stored.code):
        errors.add("code", message)
    if used and series is not None and series.pk != stored.series_id:
        errors.add("series", USED_COUPON_SERIES)
    errors.raise_if_any()


def validate_coupon(
    *,
    id: int | None = None,
    organizer=None,
    series=None,
    code: str | None = None,
    customer_email: str | None = None,
    **_: Any,
) -> None:
    """Every rule of a coupon: its series, its code (text, free in the organizer; empty: generated on
    create) and the customer's email."""
    errors = Errors()
    check_coupon_series(errors, organizer=organizer, series=series)
    code = normalise_code(code)
    if code and check_code_text(errors, code):
        check_organizer_code_free(errors, organizer=organizer, code=code, exclude_id=id)
    check_customer_email(errors, customer_email)
    errors.raise_if_any()


def validate_coupon_conflicts(
    *, id: int | None = None, organizer=None, code: str | None = None, **_: Any
) -> None:
    """Only the check of :func:`validate_coupon` that queries (the code is free), for a form whose
    ``Coupon.clean()`` reports the other rules."""
    errors = Errors()
    check_organizer_code_free(errors, organizer=organizer, code=code, exclude_id=id)
    errors.raise_if_any()


def validate_promo_code(
    *, id: int | None = None, organizer=None, code: str | None = None, **values: Any
) -> None:
    """Every rule of a promo code: its code (required, free in the organizer), value and dates.
    ``id`` is the promo code's coupon row."""
    errors = Errors()
    check_organizer_code_free(errors, organizer=organizer, code=code, exclude_id=id)
    check_promo_code(errors, code=code, organizer=organizer, **values)
    errors.raise_if_any()


def validate_series_items(*, organizer=None, series=None, items: Iterable = ()) -> None:
    """The items a series is limited to (its ticket-level scope): at least one, of its allowed events
    (read from the stored series)."""
    errors = Errors()
    check_events_and_items(
        errors,
        organizer=organizer,
        allow_all_events=series.allow_all_events,
        allowed_events=None if series.allow_all_events else list(series.allowed_events.all()),
        allow_all_items=False,
        allowed_items=items,
    )
    if "allowed_items" in errors.errors:
        errors.errors["items"] = errors.errors.pop("allowed_items")
    errors.raise_if_any()


def validate_gift_card(
    *, id: int | None = None, organizer=None, code: str | None = None, **values: Any
) -> None:
    """Every rule of a gift card: its code (text, free among the organizer's codes; empty: generated on
    create), its currency and its events."""
    errors = Errors()
    check_gift_card(errors, organizer=organizer, code=code, **values)
    if "code" not in errors.errors:
        check_organizer_code_free(errors, organizer=organizer, code=code, exclude_id=id, kind="gift_card")
    errors.raise_if_any()
