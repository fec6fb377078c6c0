from django.db import migrations, models


class Migration(migrations.Migration):
    """Stand-alone coupons (a private series of kind ``standalone``) and the hidden items a series unlocks."""

    dependencies = [
        ("ticketing", "0003_item_issues_gift_card"),
        ("vouchers", "0004_event_discount_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="couponseries",
            name="kind",
            field=models.CharField(
                choices=[
                    ("coupon", "Coupon series"),
                    ("promo_code", "Promo code"),
                    ("standalone", "Stand-alone coupon"),
                ],
                default="coupon",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="couponseries",
            name="unlocks",
            field=models.ManyToManyField(
                blank=True,
                help_text=(
                    "Hidden items a cart holding one of its codes may buy (besides what reveal_allowed_items "
                    "reveals); discounted only when also among the allowed items."
                ),
                related_name="unlocking_series",
                to="ticketing.item",
            ),
        ),
        migrations.CreateModel(
            name="StandaloneCoupon",
            fields=[],
            options={"verbose_name": "stand-alone coupon", "proxy": True, "indexes": [], "constraints": []},
            bases=("vouchers.coupon",),
        ),
    ]
