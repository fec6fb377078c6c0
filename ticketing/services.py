"""Writes and workflows of the ticketing app."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from core.errors import ConflictError
from ticketing.models import (
    Event,
    EventSettings,
    Item,
    ItemAddOn,
    ItemBundle,
    ItemCategory,
    ItemVariation,
    Organizer,
    SalesChannel,
    SubEvent,
    SubEventItem,
    SubEventItemVariation,
    Team,
    TeamAPIToken,
)
from ticketing.models.base import field_values
from ticketing.selectors import event_settings_of
from ticketing.validation import validate_event_settings

TOKEN_BYTES = 32


def token_digest(raw_token: str) -> str:
    """Tokens are long random strings, so an unsalted SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: TeamAPIToken
    raw: str  # shown once, never stored


@transaction.atomic
def organizer_create(*, slug: str, name: str) -> Organizer:
    organizer = Organizer.objects.create(slug=slug, name=name)
    sales_channel_ensure_web(organizer=organizer)
    return organizer


def sales_channel_ensure_web(*, organizer: Organizer) -> SalesChannel:
    """Every organizer sells on the web: make sure the ``web`` channel exists."""
    channel, _ = SalesChannel.objects.get_or_create(
        organizer=organizer, identifier=SalesChannel.WEB, defaults={"label": "Online shop"}
    )
    return channel


def team_token_create(*, team: Team, name: str) -> CreatedToken:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = TeamAPIToken.objects.create(team=team, name=name, digest=token_digest(raw), prefix=raw[:8])
    return CreatedToken(token=token, raw=raw)


def sales_channel_delete(*, channel: SalesChannel) -> None:
    if channel.identifier == SalesChannel.WEB:
        raise ConflictError(
            "The 'web' sales channel always exists and cannot be deleted.", code="sales_channel_required"
        )
    _delete_unless_in_use(
        channel, code="sales_channel_in_use",
        detail="Orders were placed through this sales channel; it cannot be deleted.",
    )


def _delete_unless_in_use(obj, *, code: str, detail: str) -> None:
    """Delete, or answer 409 when records that must be kept (orders) still point at the object."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise ConflictError(detail, code=code) from exc


def item_delete(*, item: Item) -> None:
    _delete_unless_in_use(
        item, code="item_in_use",
        detail="The item (or a variation of it) has been ordered; deactivate it instead.",
    )


def item_variation_delete(*, variation: ItemVariation) -> None:
    _delete_unless_in_use(
        variation, code="variation_in_use", detail="The variation has been ordered; deactivate it instead."
    )


def subevent_delete(*, subevent: SubEvent) -> None:
    _delete_unless_in_use(
        subevent, code="subevent_in_use", detail="The date has orders; deactivate it instead."
    )


def event_delete(*, event: Event) -> None:
    """Delete an event with its items and quotas; an event that has orders cannot be deleted."""
    try:
        with transaction.atomic():
            event.delete()
    except ProtectedError as exc:
        raise ConflictError(
            "The event has orders or other records that must be kept; take it offline instead.",
            code="event_in_use",
        ) from exc


@dataclass(frozen=True)
class NewVariation:
    value: str
    default_price: Decimal | None = None  # None: the item's default price
    active: bool = True
    position: int = 0


@dataclass(frozen=True)
class NewAddOn:
    addon_category: ItemCategory
    min_count: int = 0
    max_count: int = 1
    price_included: bool = False
    position: int = 0


@dataclass(frozen=True)
class NewBundle:
    bundled_item: Item
    bundled_variation: ItemVariation | None = None
    count: int = 1
    designated_price: Decimal = Decimal("0")


@transaction.atomic
def item_create(
    *,
    event: Event,
    sales_channels: Iterable[SalesChannel] = (),
    variations: Sequence[NewVariation] = (),
    addons: Sequence[NewAddOn] = (),
    bundles: Sequence[NewBundle] = (),
    **fields: Any,
) -> Item:
    """Create an item with its variations, add-on offers and bundles, all or nothing.

    ``fields`` are the item's own fields; the caller has validated everything
    (``validate_item``, ``validate_addon``, ``validate_bundle``).
    """
    item = Item.objects.create(event=event, **fields)
    channels = list(sales_channels)
    if channels:
        item.limit_sales_channels.set(channels)
    ItemVariation.objects.bulk_create(
        ItemVariation(
            item=item, value=v.value, default_price=v.default_price, active=v.active, position=v.position
        )
        for v in variations
    )
    ItemAddOn.objects.bulk_create(
        ItemAddOn(
            base_item=item, addon_category=a.addon_category, min_count=a.min_count, max_count=a.max_count,
            price_included=a.price_included, position=a.position,
        )
        for a in addons
    )
    ItemBundle.objects.bulk_create(
        ItemBundle(
            base_item=item, bundled_item=b.bundled_item, bundled_variation=b.bundled_variation, count=b.count,
            designated_price=b.designated_price,
        )
        for b in bundles
    )
    return item


def _subevent_set_prices(
    subevent: SubEvent,
    item_prices: Mapping[Item, Decimal] | None,
    variation_prices: Mapping[ItemVariation, Decimal] | None,
) -> None:
    # The overrides are one value of the date: a write replaces them as a whole.
    if item_prices is not None:
        subevent.item_overrides.all().delete()
        SubEventItem.objects.bulk_create(
            SubEventItem(subevent=subevent, item=item, price=price) for item, price in item_prices.items()
        )
    if variation_prices is not None:
        subevent.variation_overrides.all().delete()
        SubEventItemVariation.objects.bulk_create(
            SubEventItemVariation(subevent=subevent, variation=variation, price=price)
            for variation, price in variation_prices.items()
        )


@transaction.atomic
def subevent_create(
    *,
    event: Event,
    item_prices: Mapping[Item, Decimal] | None = None,
    variation_prices: Mapping[ItemVariation, Decimal] | None = None,
    **fields: Any,
) -> SubEvent:
    """Create a date of a series with its price overrides (validated by the caller)."""
    subevent = SubEvent.objects.create(event=event, **fields)
    _subevent_set_prices(subevent, item_prices, variation_prices)
    return subevent


@transaction.atomic
def subevent_update(
    *,
    subevent: SubEvent,
    item_prices: Mapping[Item, Decimal] | None = None,
    variation_prices: Mapping[ItemVariation, Decimal] | None = None,
    **fields: Any,
) -> SubEvent:
    """Change a date; price overrides given (not None) replace the existing ones as a whole."""
    for name, value in fields.items():
        setattr(subevent, name, value)
    if fields:
        subevent.save(update_fields=list(fields))
    _subevent_set_prices(subevent, item_prices, variation_prices)
    return subevent


#: What ``event_settings_update`` changes: the fields of ``EventSettings``, with the last date of payments as
#: one value (``payment_term_last``: a ``LastPaymentDate`` or None).
EVENT_SETTING_KEYS = (
    "payment_term_mode", "payment_term_days", "payment_term_weekdays", "payment_term_minutes",
    "payment_term_last", "payment_term_expire_automatically", "payment_term_accept_late",
)  # fmt: skip


def _setting_columns(name: str) -> list[str]:
    if name == "payment_term_last":
        return ["payment_term_last_date", "payment_term_last_days_before"]
    return [name]


@transaction.atomic
def event_settings_update(*, event: Event, changes: Mapping[str, Any]) -> EventSettings:
    """Change the settings named in ``changes`` (``EVENT_SETTING_KEYS``), keeping the others; the event's row
    is made on its first change. Raises Django's ``ValidationError`` naming the field for a value
    ``validate_event_settings`` refuses (the API and the admin check first, with the same function)."""
    unknown = sorted(set(changes) - set(EVENT_SETTING_KEYS))
    if unknown:
        raise ValueError(f"Not an event setting: {', '.join(unknown)}.")
    if not changes:
        return event_settings_of(event)  # nothing to write: no row made for it
    row = _locked_settings(event)
    if row is None:
        row = _changed(EventSettings(event=event), changes)
        try:
            with transaction.atomic():  # a savepoint: a concurrent first change may make the row meanwhile
                row.save(force_insert=True)
            return row
        except IntegrityError:
            row = _locked_settings(event)
            if row is None:
                raise
    row = _changed(row, changes)
    row.save(update_fields=[column for name in changes for column in _setting_columns(name)])
    return row


def _locked_settings(event: Event) -> EventSettings | None:
    row = EventSettings.objects.select_for_update().filter(event_id=event.pk).first()
    if row is not None:
        row.event = event
    return row


def _changed(row: EventSettings, changes: Mapping[str, Any]) -> EventSettings:
    for name, value in changes.items():
        setattr(row, name, value)
    validate_event_settings(**field_values(row))
    return row
