"""Demo data of the ticketing app: the ``demo`` organizer with a conference and a festival.

``ensure_demo_ticketing()`` is idempotent: objects are looked up by their natural
names and only created when missing (existing ones, and edits made to them, are
left alone), so running ``manage.py demo`` twice creates nothing new. The one
exception is the API token: only its digest is stored, so every run replaces the
demo team's ``demo token`` with a fresh one and returns the raw token to print.

Other apps add their demo data on top (``discounts/demo.py`` ...), starting from
the objects returned in ``DemoTicketing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from ticketing.models import (
    Event,
    Item,
    ItemAddOn,
    ItemBundle,
    ItemCategory,
    ItemVariation,
    Organizer,
    Quota,
    SalesChannel,
    SubEvent,
    SubEventItem,
    SubEventItemVariation,
    Team,
)
from ticketing.services import sales_channel_ensure_web, team_token_create

ORGANIZER_SLUG = "demo"
TEAM_NAME = "Demo team"
TOKEN_NAME = "demo token"
TIMEZONE = "Europe/Berlin"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"  # a local demo only: README tells to change it anywhere else

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class DemoTicketing:
    organizer: Organizer
    web: SalesChannel
    box: SalesChannel
    conference: Event
    conference_items: dict[str, Item]  # by name
    festival: Event
    festival_dates: list[SubEvent]
    festival_items: dict[str, Item]
    quotas: list[Quota]
    team: Team
    admin: AbstractBaseUser
    token: str  # raw API token of the demo team, valid until the next run


def ensure(model: type[M], lookup: dict[str, Any], defaults: dict[str, Any] | None = None) -> tuple[M, bool]:
    """The first object matching ``lookup``, else a new, validated one with ``defaults``."""
    obj = model.objects.filter(**lookup).order_by("pk").first()
    if obj is not None:
        return obj, False
    obj = model(**lookup, **(defaults or {}))
    obj.full_clean()
    obj.save()
    return obj, True


def at(days: int, hour: int) -> datetime:
    """``hour`` o'clock in the demo events' time zone, ``days`` from today (set once, on creation)."""
    day = timezone.now().date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(TIMEZONE))


def ensure_items(event: Event, specs: list[dict[str, Any]]) -> dict[str, Item]:
    """Items by name; a spec's ``variations`` maps value -> price (None: the item's price)."""
    items = {}
    for position, spec in enumerate(specs):
        spec = dict(spec)
        variations = spec.pop("variations", {})
        name = spec.pop("name")
        item, _ = ensure(Item, {"event": event, "name": name}, {"position": position, **spec})
        for var_position, (value, price) in enumerate(variations.items()):
            ensure(ItemVariation, {"item": item, "value": value},
                   {"default_price": price, "position": var_position})
        items[name] = item
    return items


def ensure_quota(
    event: Event, name: str, size: int, items: list[Item], subevent: SubEvent | None = None
) -> Quota:
    quota, created = ensure(Quota, {"event": event, "subevent": subevent, "name": name}, {"size": size})
    if created:
        quota.items.set(items)
        quota.variations.set(ItemVariation.objects.filter(item__in=items))
    return quota


def ensure_conference(organizer: Organizer) -> tuple[Event, dict[str, Item], list[Quota]]:
    event, _ = ensure(Event, {"organizer": organizer, "slug": "conference"}, {
        "name": "Demo Conference", "currency": "EUR", "live": True, "timezone": TIMEZONE,
        "date_from": at(60, 9), "date_to": at(61, 18),
    })
    tickets, _ = ensure(ItemCategory, {"event": event, "name": "Tickets"}, {"position": 0})
    workshops, _ = ensure(ItemCategory, {"event": event, "name": "Workshops"}, {
        "position": 1, "is_addon": True, "description": "Half-day workshops, booked with a ticket.",
    })
    extras, _ = ensure(ItemCategory, {"event": event, "name": "Extras"}, {"position": 2})
    money = Decimal
    items = ensure_items(event, [
        {"name": "Regular ticket", "category": tickets, "default_price": money("23.00")},
        {"name": "Student ticket", "category": tickets, "default_price": money("15.00")},
        {"name": "VIP ticket", "category": tickets, "default_price": money("99.00")},
        {"name": "Speaker ticket", "category": tickets, "default_price": money("0.00"),
         "hide_without_voucher": True},
        {"name": "Workshop: Django deep dive", "category": workshops, "default_price": money("49.00"),
         "admission": False},
        {"name": "Workshop: API design", "category": workshops, "default_price": money("49.00"),
         "admission": False},
        {"name": "Parking pass", "category": extras, "default_price": money("10.00"), "admission": False},
        {"name": "T-shirt", "category": extras, "default_price": money("20.00"), "admission": False,
         "variations": {"S": None, "M": None, "L": None}},
    ])
    for name, max_count, included in (("Regular ticket", 2, False), ("Student ticket", 1, False),
                                      ("VIP ticket", 2, True)):
        ensure(ItemAddOn, {"base_item": items[name], "addon_category": workshops},
               {"min_count": 0, "max_count": max_count, "price_included": included})
    ensure(ItemBundle, {"base_item": items["VIP ticket"], "bundled_item": items["Parking pass"]},
           {"count": 1, "designated_price": money("5.00")})
    def some(*names: str) -> list[Item]:
        return [items[name] for name in names]

    quotas = [
        ensure_quota(
            event, "Tickets", 500, some("Regular ticket", "Student ticket", "VIP ticket", "Speaker ticket")
        ),
        ensure_quota(event, "Workshops", 40, some("Workshop: Django deep dive", "Workshop: API design")),
        ensure_quota(event, "Parking", 100, some("Parking pass")),
        ensure_quota(event, "T-shirts", 300, some("T-shirt")),
    ]
    return event, items, quotas


def ensure_festival(organizer: Organizer) -> tuple[Event, list[SubEvent], dict[str, Item], list[Quota]]:
    event, _ = ensure(Event, {"organizer": organizer, "slug": "festival"}, {
        "name": "Demo Festival", "currency": "EUR", "live": True, "has_subevents": True,
        "timezone": TIMEZONE, "date_from": at(90, 14), "date_to": at(92, 23),
    })
    passes, _ = ensure(ItemCategory, {"event": event, "name": "Passes"}, {"position": 0})
    items = ensure_items(event, [
        {"name": "Day pass", "category": passes, "default_price": Decimal("45.00"),
         "variations": {"Standard": None, "Reduced": Decimal("30.00")}},
        {"name": "Camping spot", "category": passes, "default_price": Decimal("15.00"), "admission": False},
    ])
    dates = []
    for offset, day in enumerate(("Friday", "Saturday", "Sunday")):
        date, _ = ensure(SubEvent, {"event": event, "name": f"Demo Festival – {day}"}, {
            "date_from": at(90 + offset, 14), "date_to": at(90 + offset, 23), "active": True,
        })
        dates.append(date)
    saturday = dates[1]
    ensure(SubEventItem, {"subevent": saturday, "item": items["Day pass"]}, {"price": Decimal("55.00")})
    reduced = items["Day pass"].variations.get(value="Reduced")
    ensure(SubEventItemVariation, {"subevent": saturday, "variation": reduced}, {"price": Decimal("35.00")})
    quotas = []
    for date in dates:
        day = date.name.rsplit(" ", 1)[-1]
        quotas.append(ensure_quota(event, f"Day passes {day}", 1000, [items["Day pass"]], subevent=date))
        quotas.append(ensure_quota(event, f"Camping {day}", 200, [items["Camping spot"]], subevent=date))
    return event, dates, items, quotas


def ensure_admin() -> AbstractBaseUser:
    """The ``admin`` superuser, created with password ``admin`` only if absent (never reset)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        user = user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
    return user


def demo_token_renew(team: Team) -> str:
    """Replace the team's demo tokens with a new one and return it (only its digest is kept)."""
    team.tokens.filter(name=TOKEN_NAME).delete()
    return team_token_create(team=team, name=TOKEN_NAME).raw


@transaction.atomic
def ensure_demo_ticketing() -> DemoTicketing:
    organizer, _ = ensure(Organizer, {"slug": ORGANIZER_SLUG}, {"name": "Demo Organizer"})
    web = sales_channel_ensure_web(organizer=organizer)
    box, _ = ensure(SalesChannel, {"organizer": organizer, "identifier": "box"}, {"label": "Box office",
                                                                                  "position": 1})
    conference, conference_items, conference_quotas = ensure_conference(organizer)
    festival, dates, festival_items, festival_quotas = ensure_festival(organizer)
    admin = ensure_admin()
    team, created = ensure(Team, {"organizer": organizer, "name": TEAM_NAME},
                           {"all_events": True, **{permission: True for permission in Team.PERMISSIONS}})
    if created:
        team.members.add(admin)
    return DemoTicketing(
        organizer=organizer, web=web, box=box,
        conference=conference, conference_items=conference_items,
        festival=festival, festival_dates=dates, festival_items=festival_items,
        quotas=conference_quotas + festival_quotas, team=team, admin=admin, token=demo_token_renew(team),
    )
