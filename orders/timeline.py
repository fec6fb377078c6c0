"""An order's timeline in words: one line per notification it announced (``orders.announce``)."""

from __future__ import annotations

from notifications.models import Notification

WORDS = {
    "order.placed": "Placed ({status}, total {total}).",
    "order.paid": "Paid (total {total}).",
    "order.expired": "Expired: its places, codes and gift card money were given back.",
    "order.canceled": "Canceled (was {was}){fee}.",
    "order.changed": "Changed: total {total_before} → {total_after}; positions added {added}, canceled "
    "{canceled}, changed {changed}.",
    "order.reactivated": "Reactivated (was {was}), now {status}.",
    "order.deadline_changed": "Payment deadline moved to {expires}.",
    "order.payment.created": "Payment #{payment} of {amount} by {provider} created.",
    "order.payment.confirmed": "Payment #{payment} of {amount} by {provider} confirmed.",
    "order.payment.canceled": "Payment #{payment} of {amount} by {provider} canceled.",
    "order.refund.created": "Refund #{refund} of {amount} by {provider} created ({state}).",
    "order.refund.done": "Refund #{refund} of {amount} by {provider} done.",
    "order.refund.canceled": "Refund #{refund} of {amount} by {provider} canceled.",
    "code.redeemed": "Code {code} redeemed.",
    "code.released": "Code {code} given back.",
    "giftcard.transaction": "Gift card {code}: {kind} of {value} (balance {balance}).",
}


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def timeline_text(row: Notification) -> str:
    data = _Missing(row.data or {})
    if row.type == "order.canceled":
        data["fee"] = (
            f", keeping a fee of {data['cancellation_fee']}" if row.data.get("cancellation_fee") else ""
        )
    if row.type == "order.changed":
        positions = row.data.get("positions", {})
        data["total_before"] = row.data.get("before", {}).get("total", "?")
        data["total_after"] = row.data.get("after", {}).get("total", "?")
        for key in ("added", "canceled", "changed"):
            data[key] = ", ".join(str(p) for p in positions.get(key, [])) or "none"
    template = WORDS.get(row.type)
    return template.format_map(data) if template else row.type
