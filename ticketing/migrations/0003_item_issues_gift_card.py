from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ticketing', '0002_check_constraints'),
    ]

    operations = [
        migrations.AddField(
            model_name='item',
            name='issues_gift_card',
            field=models.BooleanField(db_default=False, default=False, help_text="Each position of a paid order issues a gift card worth the position's price."),
        ),
    ]
