"""Migration 0006 claims every code stored before it. A text that codes of two kinds share goes to the
code created first (the one a unique index would have let in); the others keep their text unclaimed, and
the migration lists them. Vouchers of several events share their text's claim."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("vouchers", "0005_standalone_unlocks")]
AFTER = [("vouchers", "0006_code_texts")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_codes_are_claimed_the_earliest_first(capsys):
    old = migrate(BEFORE)
    try:
        now = timezone.now()
        at = {n: now - timedelta(days=10 - n) for n in range(10)}
        organizer = old.get_model("ticketing", "Organizer").objects.create(slug="o", name="O")
        other = old.get_model("ticketing", "Organizer").objects.create(slug="p", name="P")
        event = old.get_model("ticketing", "Event")
        first, second = (
            event.objects.create(organizer=organizer, slug=s, name=s, currency="EUR", date_from=now)
            for s in ("a", "b")
        )
        foreign = event.objects.create(organizer=other, slug="c", name="c", currency="EUR", date_from=now)
        series = old.get_model("vouchers", "CouponSeries").objects.create(
            organizer=organizer, name="S", discount_value=10
        )
        voucher, coupon = old.get_model("vouchers", "Voucher"), old.get_model("vouchers", "Coupon")
        card = old.get_model("vouchers", "GiftCard")

        def dated(model, when, **fields):
            row = model.objects.create(**fields)
            field = {voucher: "created", coupon: "created_at"}[model]
            model.objects.filter(pk=row.pk).update(**{field: when})
            return row

        spring_coupon = dated(coupon, at[1], organizer=organizer, series=series, code="SPRING")
        spring_a = dated(voucher, at[2], event=first, code="SPRING")  # after the coupon: left unclaimed
        spring_b = dated(voucher, at[3], event=second, code="SPRING")
        dated(voucher, at[4], event=first, code="SUMMER")
        dated(voucher, at[5], event=second, code="SUMMER")  # the two events' vouchers share the claim
        summer_card = card.objects.create(organizer=organizer, code="SUMMER", currency="EUR", created=at[6])
        autumn = dated(
            coupon, at[7], organizer=organizer, series=series, code="autumn"
        )  # stored unnormalised
        winter_card = card.objects.create(organizer=organizer, code="WINTER", currency="EUR", created=at[8])
        dated(voucher, at[9], event=foreign, code="SPRING")  # another organizer's code space

        new = migrate(AFTER)
        claims = new.get_model("vouchers", "CodeText").objects.values_list(
            "organizer__slug", "text", "holder", "coupon_id", "gift_card_id"
        )
        assert set(claims) == {
            ("o", "SPRING", "coupon", spring_coupon.pk, None),
            ("o", "SUMMER", "voucher", None, None),
            ("o", "AUTUMN", "coupon", autumn.pk, None),
            ("o", "WINTER", "gift_card", None, winter_card.pk),
            ("p", "SPRING", "voucher", None, None),
        }
        o = organizer.pk
        assert capsys.readouterr().out.splitlines()[-4:] == [
            "  3 codes keep a text an earlier code of another kind claimed:",
            f"  organizer {o}: SPRING is the coupon's; voucher {spring_a.pk} keeps it, unclaimed",
            f"  organizer {o}: SPRING is the coupon's; voucher {spring_b.pk} keeps it, unclaimed",
            f"  organizer {o}: SUMMER is the voucher's; gift_card {summer_card.pk} keeps it, unclaimed",
        ]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
