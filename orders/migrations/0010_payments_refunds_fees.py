"""Payments, refunds and fees as rows; order deadlines and the expired status; canceled positions.

A gift card's payment of an order (``GiftCardPayment``) becomes an ``OrderPayment`` of provider
``giftcard``: confirmed, or refunded with a done ``OrderRefund`` back to the card when the order was
canceled. Nothing is lost: each old row becomes one payment, each refunded one also one refund.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def payments_from_gift_card_rows(apps, schema_editor):
    OrderPayment = apps.get_model("orders", "OrderPayment")
    OrderRefund = apps.get_model("orders", "OrderRefund")
    numbers: dict[int, int] = {}
    refunds = []
    for payment in OrderPayment.objects.order_by("order_id", "id").iterator():
        numbers[payment.order_id] = numbers.get(payment.order_id, 0) + 1
        payment.local_id = numbers[payment.order_id]
        payment.provider = "giftcard"
        payment.payment_date = payment.created
        payment.state = "refunded" if payment.refunded else "confirmed"
        payment.save(update_fields=["local_id", "provider", "payment_date", "state"])
        if payment.refunded:
            refunds.append(payment)
    refund_numbers: dict[int, int] = {}
    for payment in refunds:
        refund_numbers[payment.order_id] = refund_numbers.get(payment.order_id, 0) + 1
        OrderRefund.objects.create(
            order_id=payment.order_id, local_id=refund_numbers[payment.order_id], state="done",
            source="admin", provider="giftcard", amount=payment.amount, payment=payment,
            created=payment.refunded_at or payment.created,
            execution_date=payment.refunded_at or payment.created,
            comment="The order was canceled.",
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_position_price_manual"),
        ("vouchers", "0006_code_texts"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="giftcardpayment", name="giftcardpayment_amount_gt_0"),
        migrations.RemoveConstraint(model_name="giftcardpayment", name="uniq_giftcardpayment_per_order"),
        migrations.RenameModel(old_name="GiftCardPayment", new_name="OrderPayment"),
        migrations.RenameField(model_name="orderpayment", old_name="code", new_name="gift_card_code"),
        migrations.AlterField(
            model_name="orderpayment",
            name="gift_card_code",
            field=models.CharField(blank=True, help_text="The card's code when it paid.", max_length=255),
        ),
        migrations.AlterField(
            model_name="orderpayment",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="payments", to="orders.order"
            ),
        ),
        migrations.AlterField(
            model_name="orderpayment",
            name="gift_card",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="vouchers.giftcard",
            ),
        ),
        migrations.AddField(
            model_name="orderpayment",
            name="local_id",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="orderpayment",
            name="state",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("pending", "Pending"),
                    ("confirmed", "Confirmed"),
                    ("canceled", "Canceled"),
                    ("failed", "Failed"),
                    ("refunded", "Refunded"),
                ],
                default="created",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="orderpayment",
            name="provider",
            field=models.CharField(
                default="giftcard", help_text='"giftcard", "manual", or the shop\'s own name.', max_length=64
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="orderpayment",
            name="payment_date",
            field=models.DateTimeField(blank=True, help_text="When it was confirmed.", null=True),
        ),
        migrations.AddField(
            model_name="orderpayment",
            name="info",
            field=models.JSONField(blank=True, default=dict, help_text="What the provider recorded."),
        ),
        migrations.AlterModelOptions(name="orderpayment", options={"ordering": ("order", "local_id")}),
        migrations.CreateModel(
            name="OrderRefund",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("local_id", models.PositiveIntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("created", "Created"),
                            ("transit", "In transit"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                            ("canceled", "Canceled"),
                            ("external", "Found externally"),
                        ],
                        default="created",
                        max_length=12,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("admin", "Organizer"), ("buyer", "Customer"), ("external", "External")],
                        default="admin",
                        max_length=10,
                    ),
                ),
                ("provider", models.CharField(max_length=64)),
                ("amount", models.DecimalField(decimal_places=3, max_digits=13)),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "execution_date",
                    models.DateTimeField(blank=True, help_text="When it was done.", null=True),
                ),
                ("info", models.JSONField(blank=True, default=dict)),
                ("comment", models.TextField(blank=True)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="refunds", to="orders.order"
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refunds",
                        to="orders.orderpayment",
                    ),
                ),
            ],
            options={
                "ordering": ("order", "local_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="orderrefund_amount_gt_0"
                    ),
                    models.UniqueConstraint(fields=("order", "local_id"), name="uniq_orderrefund_local_id"),
                ],
            },
        ),
        migrations.RunPython(payments_from_gift_card_rows, migrations.RunPython.noop),
        migrations.RemoveField(model_name="orderpayment", name="refunded"),
        migrations.RemoveField(model_name="orderpayment", name="refunded_at"),
        migrations.AddConstraint(
            model_name="orderpayment",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="orderpayment_amount_gt_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderpayment",
            constraint=models.UniqueConstraint(
                fields=("order", "local_id"), name="uniq_orderpayment_local_id"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderpayment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("gift_card__isnull", False), ("provider", "giftcard")),
                    models.Q(models.Q(("provider", "giftcard"), _negated=True), ("gift_card__isnull", True)),
                    _connector="OR",
                ),
                name="orderpayment_giftcard_has_card",
            ),
        ),
        migrations.CreateModel(
            name="OrderFee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "fee_type",
                    models.CharField(
                        choices=[
                            ("payment", "Payment fee"),
                            ("shipping", "Shipping fee"),
                            ("service", "Service fee"),
                            ("cancellation", "Cancellation fee"),
                            ("insurance", "Insurance fee"),
                            ("late", "Late fee"),
                            ("other", "Other fee"),
                            ("giftcard", "Gift card"),
                        ],
                        max_length=16,
                    ),
                ),
                ("value", models.DecimalField(decimal_places=3, max_digits=13)),
                ("description", models.CharField(blank=True, max_length=255)),
                ("internal_type", models.CharField(blank=True, max_length=255)),
                ("canceled", models.BooleanField(default=False)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="fees", to="orders.order"
                    ),
                ),
            ],
            options={
                "ordering": ("order", "id"),
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("value__gte", 0)), name="orderfee_value_ge_0")
                ],
            },
        ),
        migrations.AddField(
            model_name="order",
            name="fee_total",
            field=models.DecimalField(decimal_places=3, default=0, max_digits=13),
        ),
        migrations.AddField(
            model_name="order",
            name="expires",
            field=models.DateTimeField(
                blank=True, help_text="The payment deadline of a pending order: then it expires.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("paid", "Paid"),
                    ("expired", "Expired"),
                    ("canceled", "Canceled"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("fee_total__gte", 0)), name="order_fee_total_ge_0"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status", "pending")), fields=["expires"], name="order_pending_expires"
            ),
        ),
        migrations.AlterField(
            model_name="productsales",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("paid", "Paid"),
                    ("expired", "Expired"),
                    ("canceled", "Canceled"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="orderposition",
            name="canceled",
            field=models.BooleanField(
                default=False,
                help_text="Canceled on its own (an order change, or a cancel that kept a fee): it no longer "
                "counts against quotas nor in the order's totals.",
            ),
        ),
    ]
