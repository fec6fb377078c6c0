"""Creating, changing, deleting vouchers; generating their codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import record_bulk
from core.errors import ConflictError
from core.locks import locking_transaction
from ticketing.models import Event
from ticketing.models.base import field_values
from vouchers.codes import DEFAULT_LENGTH, normalise_code, unique_random_codes
from vouchers.models import CodeHolder, Voucher
from vouchers.quotas import asked_block, blocks_check
from vouchers.selectors import event_codes_taken
from vouchers.services.checks import DUPLICATE_VOUCHER, USED_VOUCHER_CODE
from vouchers.services.code_texts import code_texts_claim


def voucher_codes_generate(*, event: Event, count: int, exclude: Sequence[str] = ()) -> list[str]:
    """``count`` fresh voucher codes, unused in the event, by its organizer's coupons and in ``exclude``."""
    excluded = set(exclude)
    return unique_random_codes(
        count=count,
        length=DEFAULT_LENGTH,
        prefix="",
        taken=lambda chunk: event_codes_taken(event=event, codes=chunk) | (set(chunk) & excluded),
    )


def voucher_create(*, event: Event, **fields: Any) -> Voucher:
    """Create a validated voucher; an empty code is generated. A blocking one must fit in its quotas."""
    return voucher_batch_create(event=event, rows=[fields])[0]


def voucher_batch_create(*, event: Event, rows: Sequence[dict[str, Any]]) -> list[Voucher]:
    """Create validated vouchers all or nothing, generating the codes left empty. Blocking vouchers must
    fit, together, in what their quotas have left: checked under the quotas' locks, the first that does
    not fit raises :class:`~vouchers.quotas.QuotaShortfall` naming its row."""
    given = [normalise_code(row.get("code")) for row in rows]
    fresh = iter(voucher_codes_generate(event=event, count=given.count(""), exclude=[c for c in given if c]))
    vouchers = [
        Voucher(**{**row, "event": event, "code": code or next(fresh)})
        for row, code in zip(rows, given, strict=True)
    ]
    now = timezone.now()
    with locking_transaction():
        blocks_check([asked_block(**row, event=event, now=now) for row in rows], now=now)
        codes = dict.fromkeys(voucher.code for voucher in vouchers)
        code_texts_claim(organizer_id=event.organizer_id, holder=CodeHolder.VOUCHER, codes=codes)
        try:
            with transaction.atomic():
                created = Voucher.objects.bulk_create(vouchers)
                record_bulk(Voucher, created, action="created")
                return created
        except IntegrityError as exc:  # a concurrent request took a code after validation
            raise duplicate_voucher_code_or(exc) from exc


def duplicate_voucher_code_or(exc: IntegrityError) -> Exception:
    """The unique-code violation as a 400 naming ``code``; any other integrity error unchanged."""
    if "uniq_voucher_code_per_event" in str(exc):
        return ValidationError({"code": [DUPLICATE_VOUCHER]})
    return exc


#: The fields that change what a voucher holds back of its quotas.
BLOCKING_FIELDS = frozenset(
    {
        "block_quota",
        "allow_ignore_quota",
        "max_usages",
        "valid_until",
        "item",
        "variation",
        "quota",
        "subevent",
    }
)


def voucher_update(*, voucher: Voucher, **fields: Any) -> Voucher:
    """Change a validated voucher. When the change touches what it holds back of its quotas, a blocking
    voucher must fit in what they have left (its own hold given back), under their locks."""
    if "code" in fields:
        fields["code"] = normalise_code(fields["code"]) or voucher.code
    if not fields:
        return voucher
    with locking_transaction():
        if BLOCKING_FIELDS & set(fields):
            now = timezone.now()
            stored = Voucher.objects.filter(pk=voucher.pk).values("redeemed").first() or {}
            values = {**field_values(voucher), **fields, "redeemed": stored.get("redeemed", voucher.redeemed)}
            blocks_check([asked_block(**values, now=now)], now=now)
        for name, value in fields.items():
            setattr(voucher, name, value)
        return _voucher_save(voucher, fields)


def _voucher_save(voucher: Voucher, fields: dict[str, Any]) -> Voucher:
    try:
        with transaction.atomic():
            if "code" in fields:
                voucher_code_change(voucher=voucher, code=fields["code"])
            # Only the fields sent: the usage counters (redeemed, budget_used) are the checkouts',
            # which may have changed them since this voucher was read; saving the whole row wrote
            # the stale counts back.
            voucher.save(update_fields=list(fields))
    except IntegrityError as exc:
        raise duplicate_voucher_code_or(exc) from exc
    voucher.refresh_from_db(fields=["redeemed", "budget_used"])
    return voucher


def voucher_code_change(*, voucher: Voucher, code: str) -> None:
    """A new code for the voucher, claimed in its organizer's code space; refused (409
    ``voucher_redeemed`` naming ``code``) once orders have redeemed it, whose code must stay the one they
    used. Decided on the row as stored, under its lock (the one the save takes next): a checkout that
    redeemed it meanwhile is seen."""
    stored = Voucher.objects.select_for_update().filter(pk=voucher.pk)
    stored_code, redeemed, budget_used = stored.values_list("code", "redeemed", "budget_used").get()
    if stored_code == code:
        return
    if redeemed > 0 or budget_used > 0:
        raise ConflictError(USED_VOUCHER_CODE, code="voucher_redeemed", field="code")
    organizer_id = Event.objects.values_list("organizer_id", flat=True).get(pk=voucher.event_id)
    code_texts_claim(organizer_id=organizer_id, holder=CodeHolder.VOUCHER, codes={code: None})


def voucher_delete(*, voucher: Voucher) -> None:
    """A voucher that orders have used is kept for their sake: shorten its validity instead."""
    if voucher.redeemed > 0 or voucher.budget_used > 0:
        raise ConflictError(
            "This voucher has been redeemed and cannot be deleted; set valid_until to end it.",
            code="voucher_redeemed",
        )
    voucher.delete()
