"""Codes together: what each code saved, which codes were set aside, and what each code took off
each position (a position may now carry several stacked coupons and promo codes).

The redemption–position links keep their table: the plain many-to-many becomes the
``RedemptionPosition`` model (state only), which then gains ``amount``. Links stored before
held one code per position, so their amount is the position's code discount.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


def amounts_from_positions(apps, schema_editor):
    link = apps.get_model("orders", "RedemptionPosition")
    position = apps.get_model("orders", "OrderPosition")
    link.objects.update(
        amount=models.Subquery(
            position.objects.filter(pk=models.OuterRef("orderposition_id")).values("code_discount")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_check_constraints")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="set_aside_codes",
            field=models.JSONField(
                blank=True, default=list,
                help_text='Codes of the checkout that were not applied because they would have raised the '
                'total: [{"code": "not_beneficial", "code_text": …, "total_with": "…"}].',
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="warnings",
            field=models.JSONField(
                blank=True, default=list,
                help_text='What the checkout warned of: [{"code": "partly_applied", "code_text": …, '
                '"discounted": k, "eligible": n}].',
            ),
        ),
        migrations.AddField(
            model_name="redemption",
            name="saving",
            field=models.DecimalField(
                blank=True, decimal_places=3, max_digits=13, null=True,
                help_text="What the code saved the customer: the order's total without it minus the total "
                "with it (coupons and promo codes; empty for a voucher).",
            ),
        ),
        migrations.AlterField(
            model_name="redemption",
            name="discount",
            field=models.DecimalField(
                decimal_places=3, default=Decimal("0"), max_digits=13,
                help_text="What the code took off the positions it changed.",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RedemptionPosition",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("redemption", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                         related_name="position_links", to="orders.redemption")),
                        ("orderposition", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                            related_name="code_links", to="orders.orderposition")),
                    ],
                    options={
                        "db_table": "orders_redemption_positions",
                        "ordering": ("redemption_id",),
                        "unique_together": {("redemption", "orderposition")},
                    },
                ),
                migrations.AlterField(
                    model_name="redemption",
                    name="positions",
                    field=models.ManyToManyField(blank=True, related_name="redemptions",
                                                 through="orders.RedemptionPosition", to="orders.orderposition"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="redemptionposition",
            name="amount",
            field=models.DecimalField(decimal_places=3, default=Decimal("0"), help_text="What the code took off it.",
                                      max_digits=13),
        ),
        migrations.RunPython(amounts_from_positions, migrations.RunPython.noop),
    ]
