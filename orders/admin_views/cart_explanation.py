"""A priced preview (``orders.checkout.price.PricedView``) told in words, for the "try a cart" page.

Every figure comes from the view as the checkout path priced it; nothing is computed here but the
sentences. A line reads ``list price 10.00; TEN-PCT took 1.00 off; "3 for 2" took 9.00 off; price 0.00``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders.checkout.price import PricedPosition, PricedView
from ticketing.currency import amount_text
from vouchers.choices import CodeKind


@dataclass(frozen=True)
class ExplainedLine:
    """One position (``number``: its place in the cart, from 1): what it is, and how its price came about."""

    number: int
    label: str
    list_price: str
    changes: list[str]
    price: str


@dataclass(frozen=True)
class CartExplanation:
    """The whole preview in words: the lines, the codes, the totals and what gift cards would pay."""

    lines: list[ExplainedLine]
    codes: list[str]
    totals: list[tuple[str, str]]
    gift_cards: list[str]
    amount_due: str


def money_change(who: str, amount: Decimal, currency: str) -> str:
    if amount >= 0:
        return f"{who} took {amount_text(amount, currency)} off"
    return f"{who} added {amount_text(-amount, currency)}"  # a voucher setting a price above the list price


def line_changes(priced: PricedPosition, currency: str) -> list[str]:
    line = priced.line
    changes = [money_change(share.code, share.amount, currency) for share in line.codes]
    if priced.rule is not None:
        rule = f'rule "{priced.rule.internal_name}"'
        if line.rule_discount:
            changes.append(money_change(rule, line.rule_discount, currency))
        else:
            changes.append(f"counted by {rule}, which took nothing off this position")
    return changes or ["no code or rule changed it"]


@dataclass(frozen=True)
class CatalogNames:
    """Names of the event's items, variations and dates, by id, to label the positions."""

    items: dict[int, str]
    variations: dict[int, str]
    subevents: dict[int, str]

    def label(self, priced: PricedPosition) -> str:
        spec = priced.spec
        text = self.items.get(spec.item, f"item {spec.item}")
        if spec.variation is not None:
            text += f" – {self.variations.get(spec.variation, spec.variation)}"
        if spec.subevent is not None:
            text += f", {self.subevents.get(spec.subevent, spec.subevent)}"
        if spec.addon_to is not None:
            text += f", {'bundled with' if spec.is_bundled else 'add-on to'} #{spec.addon_to + 1}"
        return text


def explain_cart(view: PricedView, names: CatalogNames) -> CartExplanation:
    currency = view.currency
    lines = []
    for number, priced in enumerate(view.positions, start=1):
        lines.append(
            ExplainedLine(
                number=number,
                label=names.label(priced),
                list_price=amount_text(priced.line.list_price, currency),
                changes=line_changes(priced, currency),
                price=amount_text(priced.line.price, currency),
            )
        )
    codes = []
    for summary in view.applied_codes():
        kind = CodeKind(summary.code.kind).label.lower()
        text = money_change(f"{summary.code.code} ({kind})", summary.discount, currency)
        text += " on the positions"
        if summary.saving is not None:
            text += f"; it saves the customer {amount_text(summary.saving, currency)} on the total"
        codes.append(text)
    codes += [
        f"{entry.code.code} set aside: with it the total would have been "
        f"{amount_text(entry.total_with, currency)}"
        for entry in view.set_aside
    ]
    codes += [
        f"{entry.code.code} applied to {entry.discounted} of {entry.eligible} eligible positions "
        "(no tickets left for the others)"
        for entry in view.warnings
    ]
    totals = [
        ("List total", amount_text(view.list_total, currency)),
        ("Codes took off", amount_text(view.code_discount_total, currency)),
        ("Rules took off", amount_text(view.rule_discount_total, currency)),
        ("Total", amount_text(view.total, currency)),
    ]
    gift_cards = [
        f"{share.code} would pay {amount_text(share.amount, currency)} "
        f"(it holds {amount_text(share.card.balance, currency)})"
        for share in view.gift_cards
    ]
    return CartExplanation(
        lines=lines, codes=codes, totals=totals, gift_cards=gift_cards,
        amount_due=amount_text(view.amount_due, currency),
    )  # fmt: skip
