"""Claims in the organizer's code space (``vouchers.models.CodeText``): every write that gives a code its
text claims the text in the same transaction, and the unique index decides between two requests that
create the same text at the same moment, whatever the kinds of code.

The checks before a write (``vouchers.services.checks``) answer the usual case with a message naming
what already has the text; a claim refused here is a concurrent request that created the text after
those checks, and :class:`CodeTextTaken` carries the same message.

How a claim is made, for a batch of texts at once (a generation of thousands): insert the claims,
skipping the texts already claimed (``ON CONFLICT DO NOTHING``: a claim another transaction is inserting
is waited for). When every claim was inserted, that is all: one statement. Otherwise read back who
holds each text; a text the vouchers hold (their claim is shared) is taken over by a coupon or gift card
only when, under the claim's row lock, no voucher of the organizer has it any more. Vouchers lock the
claims they rely on until they commit, so such a takeover waits for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import rawsql
from core.errors import ConflictError
from vouchers.codes import chunks
from vouchers.models import CodeHolder, CodeText, Voucher
from vouchers.selectors import with_codes
from vouchers.services.checks import (
    DUPLICATE_COUPON,
    DUPLICATE_GIFT_CARD,
    GIFT_CARD_CLASH,
    VOUCHER_CLASH,
)

#: The claim's column naming the row of each holder (the vouchers share theirs: none).
OWNER_COLUMN = {
    CodeHolder.VOUCHER: None,
    CodeHolder.COUPON: "coupon_id",
    CodeHolder.GIFT_CARD: "gift_card_id",
}
CLAIM_FIELDS = ("organizer", "text", "holder", "coupon", "gift_card")
#: A claim is retried when the text it conflicted with was released before it could be read.
ROUNDS = 3


def taken_message(*, claimer: str, holder: str) -> str:
    """What the checks say when a ``claimer`` finds its text held by ``holder`` (``CodeHolder`` values)."""
    if holder == CodeHolder.VOUCHER:
        return VOUCHER_CLASH
    if holder == CodeHolder.COUPON:
        return DUPLICATE_COUPON
    return DUPLICATE_GIFT_CARD if claimer == CodeHolder.GIFT_CARD else GIFT_CARD_CLASH


class CodeTextTaken(ValidationError):
    """Texts another code of the organizer holds, found when claiming them: ``holders`` maps each text to
    the ``CodeHolder`` holding it. Left alone it answers 400 ``{"code": [message]}`` as the checks do (for
    the first text); a service writing many codes turns it into its own answer."""

    def __init__(self, holders: Mapping[str, str], *, claimer: str) -> None:
        self.holders = dict(sorted(holders.items()))
        self.claimer = claimer
        first = next(iter(self.holders))
        super().__init__({"code": [self.message(first)]})

    def message(self, text: str) -> str:
        return taken_message(claimer=self.claimer, holder=self.holders[text])


def code_collision() -> ConflictError:
    """Several random codes, one of which another request created at the same moment: 409
    ``code_collision`` (drawing again succeeds)."""
    return ConflictError(
        "Another request created one of these codes at the same time; try again.", code="code_collision"
    )


@transaction.atomic  # a refusal leaves no claim behind
def code_texts_claim(*, organizer_id: int, holder: str, codes: Mapping[str, int | None]) -> None:
    """Claim every text of ``codes`` for ``holder`` in the organizer's code space, in the caller's
    transaction. ``codes`` maps each normalised text to the id of the coupon or gift card that has it
    (``None`` for vouchers). Nothing is claimed, and :class:`CodeTextTaken` names the texts, when another
    code holds some of them."""
    owner_column = OWNER_COLUMN[holder]
    pending = dict(sorted(codes.items()))  # one order for every writer: two batches wait, never deadlock
    taken: dict[str, str] = {}
    for _ in range(ROUNDS):
        rows = [
            (organizer_id, text, holder, *_owners(owner_column, owner)) for text, owner in pending.items()
        ]
        if rawsql.insert_new(CodeText, CLAIM_FIELDS, rows, unique=("organizer", "text")) == len(rows):
            pending = {}  # every claim is new, and this transaction's until it ends: the usual case
            break
        held = _claims(organizer_id, pending, lock=holder == CodeHolder.VOUCHER)
        stale = []
        for text, owner in list(pending.items()):
            claim = held.get(text)
            if claim is None:
                continue  # released meanwhile: claimed again in the next round
            del pending[text]
            _, claim_holder, claim_owner = claim
            if claim_holder == holder and (owner_column is None or claim_owner == owner):
                continue
            if claim_holder == CodeHolder.VOUCHER:
                stale.append(text)
            else:
                taken[text] = claim_holder
        if stale:
            taken |= _take_over(organizer_id, holder, {text: codes[text] for text in stale}, held)
        if not pending:
            break
    if pending:
        raise IntegrityError(f"code texts could not be claimed: {', '.join(pending)}")
    if taken:
        raise CodeTextTaken(taken, claimer=holder)


def code_texts_release(*, coupon_ids: Iterable[int] = (), gift_card_ids: Iterable[int] = ()) -> None:
    """The claims of these coupons and gift cards, deleted (before they claim another text). Deleting the
    row deletes its claim with it."""
    CodeText.objects.filter(coupon_id__in=list(coupon_ids)).delete()
    CodeText.objects.filter(gift_card_id__in=list(gift_card_ids)).delete()


def _owners(column: str | None, owner: int | None) -> tuple[int | None, int | None]:
    """``(coupon_id, gift_card_id)`` of a claim."""
    return (owner if column == "coupon_id" else None, owner if column == "gift_card_id" else None)


def _claims(organizer_id: int, texts: Iterable[str], *, lock: bool) -> dict[str, tuple[int, str, int | None]]:
    """``text → (claim id, holder, coupon or gift card id)`` for the texts claimed in the organizer."""
    found: dict[str, tuple[int, str, int | None]] = {}
    for chunk in chunks(list(texts)):
        claims = CodeText.objects.filter(organizer_id=organizer_id, text__in=chunk).order_by("pk")
        if lock:
            claims = claims.select_for_update()
        for pk, text, holder, coupon_id, gift_card_id in claims.values_list(
            "pk", "text", "holder", "coupon_id", "gift_card_id"
        ):
            found[text] = (pk, holder, coupon_id or gift_card_id)
    return found


def _take_over(
    organizer_id: int, holder: str, codes: Mapping[str, int | None], held: Mapping[str, tuple]
) -> dict[str, str]:
    """Of texts the vouchers' claims hold, take over those no voucher of the organizer has any more;
    answer the others, ``text → holder`` (still the vouchers', or taken over by a concurrent claim)."""
    claims = list(
        CodeText.objects.select_for_update().filter(pk__in=[held[text][0] for text in codes]).order_by("pk")
    )
    used = set(
        with_codes(Voucher.objects.filter(event__organizer_id=organizer_id), list(codes)).values_list(
            "code", flat=True
        )
    )
    used = {code.upper() for code in used}
    # The vouchers' claims are deleted only with their organizer: each of these texts is found below.
    taken: dict[str, str] = {}
    free = []
    for claim in claims:
        if claim.holder != CodeHolder.VOUCHER or claim.text in used:
            taken[claim.text] = claim.holder
        else:
            claim.holder = holder
            setattr(claim, OWNER_COLUMN[holder], codes[claim.text])
            free.append(claim)
    CodeText.objects.bulk_update(free, ["holder", "coupon", "gift_card"])
    return taken
