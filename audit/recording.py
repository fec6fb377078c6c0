"""Recording changes of the audited models into the audit log.

Why model signals, plus an explicit signal from the services, rather than database triggers: the log
must work on SQLite (the embedded default) as on PostgreSQL, and must know who acted (a user, a token, a
job), which only the application knows. The model signals see every save and delete through the ORM,
whoever calls it (the API's services, the admin, a shell); the few writes that bypass them
(``bulk_create``, ``QuerySet.update``, the checkout's hand-written INSERTs) are sent by their services
with ``core.audit.record_bulk``. A test lists those writes, so a new one cannot slip by unrecorded.

Before values come from a snapshot taken when the object was loaded (``post_init``): no query is added
to a save. The entry is written in the same transaction as the change, so a rolled-back change leaves no
entry.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from core.audit import Actor, bulk_written, current_actor
from core.requestid import current_request_id

#: The audited models and the ``object_type`` their entries carry.
AUDITED: dict[str, str] = {
    "ticketing.Event": "event",
    "ticketing.EventSettings": "event_settings",  # object_id: the event's id (one row per event)
    "ticketing.Item": "item",
    "ticketing.Quota": "quota",
    "discounts.Discount": "discount",
    "vouchers.Voucher": "voucher",
    "vouchers.CouponSeries": "coupon_series",
    "vouchers.Coupon": "coupon",
    "vouchers.PromoCode": "promo_code",
    "vouchers.StandaloneCoupon": "coupon",  # the stand-alone coupons' admin saves its proxy rows
    "vouchers.GiftCard": "gift_card",
    "vouchers.EventDiscountCode": "event_discount_code",
    "orders.Order": "order",
}

#: Models deleted in their thousands by a cascade (a series' coupons): a delete listener would make Django
#: load and signal them one by one (a 100,000-coupon series took minutes to delete). Their own deletes are
#: recorded by their service (``record_bulk``); those a cascade deletes go with the parent's entry.
CASCADED = {"vouchers.Coupon", "vouchers.StandaloneCoupon"}

SNAPSHOT = "_audit_before"
M2M_SNAPSHOT = "_audit_m2m_before"
BATCH = 1000

_types: dict[type, str] = {}


def connect() -> None:
    """Connect the handlers to every audited model (``AuditConfig.ready``)."""
    for label, object_type in AUDITED.items():
        model = apps.get_model(label)
        _types[model] = object_type
        uid = f"audit:{label}"
        post_init.connect(_loaded, sender=model, dispatch_uid=f"{uid}:init", weak=False)
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        if label not in CASCADED:
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _m2m_handler(field.name), sender=field.remote_field.through,
                dispatch_uid=f"{uid}:{field.name}", weak=False,
            )  # fmt: skip
        bulk_written.connect(_bulk, sender=model, dispatch_uid=f"{uid}:bulk", weak=False)


def object_type_of(model: type) -> str:
    return _types[model]


def _values(instance: models.Model) -> dict[str, Any]:
    """The loaded concrete fields, by attribute name (``event_id``); deferred ones are left out."""
    loaded = instance.__dict__
    values = {}
    for field in instance._meta.concrete_fields:
        if field.attname in loaded:
            value = loaded[field.attname]
            if isinstance(value, (list, dict)):
                value = copy.deepcopy(value)
            elif isinstance(value, Decimal):
                value = _amount(value)
            values[field.attname] = value
    return values


def _amount(value: Decimal) -> Decimal:
    """One spelling per amount, whether read back from the database (``50.000``: money columns keep three
    places) or set by a caller (``50``, ``50.00``): at least two places, and the third only when it counts
    (``50.00``, ``1.235``). Before and after then differ only when the amount did."""
    if not value.is_finite():
        return value
    exact = value.normalize()
    places = max(2, -exact.as_tuple().exponent) if exact.as_tuple().exponent < 0 else 2
    return value.quantize(Decimal(1).scaleb(-places))


def _loaded(sender, instance, **kwargs) -> None:
    instance.__dict__[SNAPSHOT] = _values(instance)


def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw:  # loaddata: not a change anybody made
        return
    after = _values(instance)
    if created:
        changes = {name: [None, value] for name, value in after.items() if name != "id"}
        action = AuditAction.CREATED
    else:
        before = instance.__dict__.get(SNAPSHOT, {})
        names = after.keys()
        if update_fields is not None:
            names = [sender._meta.get_field(name).attname for name in update_fields]
        changes = {
            name: [before.get(name), after[name]]
            for name in names
            if name in after and (name not in before or before[name] != after[name])
        }
        action = AuditAction.CHANGED
        if not changes:
            return
    instance.__dict__[SNAPSHOT] = after
    _write([_entry(instance, action, changes)])


def _deleted(sender, instance, **kwargs) -> None:
    before = instance.__dict__.get(SNAPSHOT) or _values(instance)
    changes = {name: [value, None] for name, value in before.items() if name != "id"}
    _write([_entry(instance, AuditAction.DELETED, changes)])


def _m2m_handler(name: str):
    def changed(sender, instance, action, reverse, **kwargs) -> None:
        if reverse or type(instance) not in _types:
            return  # changed from the other side (item.quotas.add(...)): not recorded
        relation = getattr(instance, name)
        if action.startswith("pre_"):
            instance.__dict__.setdefault(M2M_SNAPSHOT, {})[name] = sorted(
                relation.values_list("pk", flat=True)
            )
            return
        before = instance.__dict__.get(M2M_SNAPSHOT, {}).pop(name, None)
        after = sorted(relation.values_list("pk", flat=True))
        if before != after:
            _write([_entry(instance, AuditAction.CHANGED, {name: [before, after]})])

    return changed


def _bulk(sender, objects: Iterable[models.Model], action: str, changes: dict, **kwargs) -> None:
    entries = []
    for instance in objects:
        if action == AuditAction.CREATED:
            values = {name: [None, value] for name, value in _values(instance).items() if name != "id"}
        elif action == AuditAction.DELETED:
            values = {name: [value, None] for name, value in _values(instance).items() if name != "id"}
        elif changes:
            values = changes
        else:  # changed in memory and written with bulk_update: against the snapshot of its load
            before, after = instance.__dict__.get(SNAPSHOT, {}), _values(instance)
            values = {n: [before.get(n), v] for n, v in after.items() if n in before and before[n] != v}
            instance.__dict__[SNAPSHOT] = after
            if not values:
                continue
        entries.append(_entry(instance, action, values))
    _write(entries)


def _scope(instance: models.Model) -> tuple[int | None, int | None]:
    """The organizer and event an entry belongs to."""
    if isinstance(instance, apps.get_model("ticketing.Event")):
        return instance.organizer_id, instance.pk
    event_id = getattr(instance, "event_id", None)
    organizer_id = getattr(instance, "organizer_id", None)
    if organizer_id is None and event_id is not None:
        cached = instance._state.fields_cache.get("event")
        if cached is not None:
            organizer_id = cached.organizer_id
        else:
            event_model = apps.get_model("ticketing.Event")
            organizer_id = (
                event_model.objects.filter(pk=event_id).values_list("organizer_id", flat=True).first()
            )
    return organizer_id, event_id


def _entry(instance: models.Model, action: str, changes: dict) -> AuditEntry | None:
    organizer_id, event_id = _scope(instance)
    if organizer_id is None:
        return None  # its organizer is gone (deleted with everything in it): nothing to show it to
    actor: Actor = current_actor()
    return AuditEntry(
        organizer_id=organizer_id,
        event_id=event_id,
        created=timezone.now(),
        object_type=_types[type(instance)],
        object_id=str(instance.pk),
        object_repr=_text(instance),
        action=action,
        changes=changes,
        source=actor.source,
        user_id=actor.user_id,
        token_id=actor.token_id,
        actor=actor.label[:200],
        request_id=current_request_id() or "",
    )


def _text(instance: models.Model) -> str:
    for name in ("code", "name", "internal_name", "slug"):
        value = instance.__dict__.get(name)
        if value:
            return str(value)[:200]
    return f"{instance._meta.verbose_name} {instance.pk}"[:200]


def _write(entries: list[AuditEntry | None]) -> None:
    kept = [entry for entry in entries if entry is not None]
    if kept:
        AuditEntry.objects.bulk_create(kept, batch_size=BATCH)
