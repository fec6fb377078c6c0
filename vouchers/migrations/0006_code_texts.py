import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

# Every code stored before this migration gets its claim. A text that codes of two kinds share (two
# requests created it at the same moment, before the claims existed) is claimed by the code created
# first — the one the unique index would have let in — and, at the same instant, by a voucher before a
# coupon before a gift card. The other codes keep their text unclaimed: a checkout still finds the event's
# voucher first, as before; renaming or deleting one is what the organizer may want, and the migration
# lists them. The vouchers of one text share its claim (a voucher is unique per event only).
CODES = """
SELECT e.organizer_id, UPPER(v.code) AS text, 'voucher' AS holder, CAST(NULL AS BIGINT) AS coupon_id,
       CAST(NULL AS BIGINT) AS gift_card_id, v.created AS created, 0 AS rank, v.id AS row_id
FROM {voucher} v JOIN {event} e ON e.id = v.event_id
UNION ALL
SELECT organizer_id, UPPER(code), 'coupon', id, NULL, created_at, 1, id FROM {coupon}
UNION ALL
SELECT organizer_id, UPPER(code), 'gift_card', NULL, id, created, 2, id FROM {giftcard}
"""
RANKED = f"""
SELECT organizer_id, text, holder, coupon_id, gift_card_id, row_id,
       ROW_NUMBER() OVER (PARTITION BY organizer_id, text ORDER BY created, rank, row_id) AS place,
       FIRST_VALUE(holder) OVER (PARTITION BY organizer_id, text ORDER BY created, rank, row_id) AS winner
FROM ({CODES}) AS codes
"""
CLAIM = f"""
INSERT INTO {{codetext}} (organizer_id, text, holder, coupon_id, gift_card_id)
SELECT organizer_id, text, holder, coupon_id, gift_card_id FROM ({RANKED}) AS ranked WHERE place = 1
"""
UNCLAIMED = f"""
SELECT organizer_id, text, winner, holder, row_id FROM ({RANKED}) AS ranked
WHERE holder <> winner ORDER BY organizer_id, text, holder, row_id
"""


def claim_existing_codes(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    tables = {
        name: quote(apps.get_model(app, model)._meta.db_table)
        for name, (app, model) in {
            "codetext": ("vouchers", "CodeText"),
            "voucher": ("vouchers", "Voucher"),
            "event": ("ticketing", "Event"),
            "coupon": ("vouchers", "Coupon"),
            "giftcard": ("vouchers", "GiftCard"),
        }.items()
    }
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CLAIM.format(**tables))
        cursor.execute(UNCLAIMED.format(**tables))
        unclaimed = cursor.fetchall()
    if unclaimed:
        print(f"\n  {len(unclaimed)} codes keep a text an earlier code of another kind claimed:")
        for organizer_id, text, winner, holder, row_id in unclaimed:
            print(
                f"  organizer {organizer_id}: {text} is the {winner}'s; {holder} {row_id} keeps it, unclaimed"
            )


class Migration(migrations.Migration):
    """The organizer's code space (``vouchers.models.CodeText``), and a claim for every code stored."""

    dependencies = [
        ("ticketing", "0003_item_issues_gift_card"),
        ("vouchers", "0005_standalone_unlocks"),
    ]

    operations = [
        migrations.CreateModel(
            name="CodeText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "text",
                    models.CharField(
                        help_text="The normalised code (vouchers.codes.normalise_code).", max_length=255
                    ),
                ),
                (
                    "holder",
                    models.CharField(
                        choices=[
                            ("voucher", "Vouchers of the organizer's events"),
                            ("coupon", "A coupon, promo code or stand-alone coupon"),
                            ("gift_card", "A gift card"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "coupon",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="code_text",
                        to="vouchers.coupon",
                    ),
                ),
                (
                    "gift_card",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="code_text",
                        to="vouchers.giftcard",
                    ),
                ),
                (
                    "organizer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="ticketing.organizer",
                    ),
                ),
            ],
            options={
                "ordering": ("id",),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organizer", "text"), name="uniq_code_text_per_organizer"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("text", django.db.models.functions.text.Upper("text"))),
                        name="code_text_upper",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("coupon__isnull", True), ("gift_card__isnull", True), ("holder", "voucher")
                            ),
                            models.Q(
                                ("coupon__isnull", False), ("gift_card__isnull", True), ("holder", "coupon")
                            ),
                            models.Q(
                                ("coupon__isnull", True),
                                ("gift_card__isnull", False),
                                ("holder", "gift_card"),
                            ),
                            _connector="OR",
                        ),
                        name="code_text_holder_row",
                    ),
                ],
            },
        ),
        migrations.RunPython(claim_existing_codes, migrations.RunPython.noop),
    ]
