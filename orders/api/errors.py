"""pretix's field-keyed shape for the refusals of ``POST orders/``, beside the one error shape.

pretix answers a refused position with ``{"positions": [{}, {"voucher": ["…"]}]}``: one object per
position sent, the refused one naming its field. This API's clients read ``{"code", "detail",
"position"}``; a refusal of ``POST orders/`` carries both, so either kind of client reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import DomainError
from orders.checkout.draft import PositionSpec
from vouchers.codes import normalise_code

#: The position field a refusal is about, by the first word of its code; codes of typed codes
#: (``expired``, ``budget_exhausted`` …) are about the position's ``voucher``.
FIELD_BY_PREFIX = {"item": "item", "variation": "variation", "subevent": "subevent", "addon": "addon_to"}
FIELD_BY_CODE = {
    "max_per_order": "item", "min_per_order": "item", "no_quota": "item", "position_bundled": "item",
}  # fmt: skip


def position_field(code: str) -> str:
    prefix = code.split("_", 1)[0]
    return FIELD_BY_CODE.get(code) or FIELD_BY_PREFIX.get(prefix) or "voucher"


def add_position_fields(exc: DomainError, positions: Sequence[PositionSpec]) -> None:
    """Give ``exc`` pretix's ``positions`` list when it is about positions of the request: the one it
    names (``position``), or, for a refused code, those carrying it (``code_text``). Other refusals
    (a quota without room, an order-wide code) keep the one error shape only."""
    refused: set[int] = set()
    if isinstance(exc.context.get("position"), int):
        refused = {exc.context["position"]}
    elif exc.context.get("code_text"):
        text = exc.context["code_text"]
        refused = {
            i for i, spec in enumerate(positions) if spec.voucher and normalise_code(spec.voucher) == text
        }
    refused &= set(range(len(positions)))  # bundled positions the request did not send have no entry
    if not refused:
        return
    field = "voucher" if "position" not in exc.context else position_field(exc.code)
    exc.context["positions"] = [{field: [exc.detail]} if i in refused else {} for i in range(len(positions))]
