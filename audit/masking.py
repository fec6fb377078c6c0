"""Gift card codes in the audit log: shown whole to who may read gift cards, else masked.

A gift card's code is money to whoever holds it. Its entries carry it (the entry's ``object_repr`` and the
``code`` in ``changes``); the API's ``logs/``, the back office's audit log and every History page show an
entry through ``shown_entry``, which masks the code for a reader without the gift cards' read right
(``ticketing.rights.GIFT_CARDS``: ``can_view_vouchers`` in a team with all events). The read rules
(``audit.selectors.readable_entries_q``) already keep those entries from such a reader; masking is the
second lock, for wherever an entry is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit.models import AuditEntry
from ticketing.rights import GIFT_CARDS
from ticketing.selectors import OrganizerAccess

GIFT_CARD = "gift_card"
#: A masked code shows its last characters only, and only when the code is longer than twice as many.
SHOWN_END = 4
MASK = "••••"


def masked_code(code: Any) -> Any:
    """``"••••7XQ2"`` for ``"GIFT-KD93-7XQ2"``; a short code is masked whole; None stays None."""
    if not isinstance(code, str) or not code:
        return code
    return MASK + code[-SHOWN_END:] if len(code) > 2 * SHOWN_END else MASK


def reveals_gift_cards(access: OrganizerAccess | None) -> bool:
    """Whether the caller may read the organizer's gift cards, and so their codes."""
    if access is None:
        return False
    return access.holds(GIFT_CARDS.read, all_events=GIFT_CARDS.all_events)


@dataclass(frozen=True)
class ShownEntry:
    object_repr: str
    changes: dict


def shown_entry(entry: AuditEntry, *, reveals_codes: bool) -> ShownEntry:
    """What a reader sees of the entry's object and changes: a gift card's code masked unless
    ``reveals_codes``."""
    if entry.object_type != GIFT_CARD or reveals_codes:
        return ShownEntry(object_repr=entry.object_repr, changes=entry.changes)
    changes = dict(entry.changes)
    if "code" in changes:
        changes["code"] = [masked_code(value) for value in changes["code"]]
    return ShownEntry(object_repr=masked_code(entry.object_repr), changes=changes)
