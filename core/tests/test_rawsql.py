"""core.rawsql gives the same instances as the ORM (converters included) and inserts like bulk_create."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core import rawsql
from orders.models import Order
from ticketing.models import Item
from ticketing.tests.factories import ItemCategoryFactory, ItemFactory, OrganizerFactory, SalesChannelFactory
from vouchers.models import CodeText

pytestmark = pytest.mark.django_db


def values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_select_equals_the_orm():
    category = ItemCategoryFactory()
    item = ItemFactory(
        event=category.event, category=category, default_price=Decimal("12.50"), active=False,
        available_from=timezone.now() - timedelta(days=1), max_per_order=4,
    )  # fmt: skip
    other = ItemFactory(event=category.event)
    found = rawsql.select(Item, f"id IN ({rawsql.placeholders([item.pk, other.pk])})", [item.pk, other.pk],
                          order_by="id")  # fmt: skip
    expected = list(Item.objects.filter(pk__in=[item.pk, other.pk]).order_by("id"))
    assert [values(f) for f in found] == [values(e) for e in expected]
    assert type(found[0].default_price) is Decimal and found[0].active is False
    assert found[0]._state.adding is False


def test_insert_sets_primary_keys_and_stores_what_the_orm_reads_back():
    channel = SalesChannelFactory()
    item = ItemFactory(event__organizer=channel.organizer)
    orders = [
        Order(event=item.event, sales_channel=channel, email=f"{n}@example.com", total=Decimal("9.99"),
              tags=["a", "b"])
        for n in range(3)
    ]  # fmt: skip
    rawsql.insert(orders)
    assert all(o.pk for o in orders) and len({o.pk for o in orders}) == 3
    for order in orders:
        stored = Order.objects.get(pk=order.pk)
        assert model_to_dict(stored) == model_to_dict(order)
        assert stored.datetime == order.datetime and stored.code == order.code


def test_insert_new_stores_what_bulk_create_stores_skips_taken_rows_and_counts_the_new_ones():
    organizer = OrganizerFactory()
    CodeText.objects.create(organizer=organizer, text="TAKEN", holder="voucher")
    fields = ("organizer", "text", "holder", "coupon", "gift_card")
    rows = [(organizer.pk, text, "voucher", None, None) for text in ("NEW-1", "TAKEN", "NEW-2")]
    assert rawsql.insert_new(CodeText, fields, rows, unique=("organizer", "text")) == 2
    assert rawsql.insert_new(CodeText, fields, rows, unique=("organizer", "text")) == 0
    assert rawsql.insert_new(CodeText, fields, [], unique=("organizer", "text")) == 0
    CodeText.objects.bulk_create([CodeText(organizer=organizer, text="ORM", holder="voucher")])
    stored = CodeText.objects.filter(organizer=organizer).order_by("pk")
    by_orm = stored.get(text="ORM")
    assert [model_to_dict(c, exclude=["id"]) for c in stored] == [
        {**model_to_dict(by_orm, exclude=["id"]), "text": text} for text in ("TAKEN", "NEW-1", "NEW-2", "ORM")
    ]
    with pytest.raises(IntegrityError, match="code_text_upper"), transaction.atomic():  # not skipped
        rawsql.insert_new(
            CodeText, fields, [(organizer.pk, "lower", "voucher", None, None)], unique=("organizer", "text")
        )
