"""Message-ID unique by a constraint instead of a unique field, which on PostgreSQL also got a
varchar_pattern_ops "_like" index (for LIKE 'abc%') that nothing asks: one index fewer on the
outbox, written with every registration (issue 10). The constraint comes first, so uniqueness
holds throughout."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0005_skipped_state"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="outgoingmessage",
            constraint=models.UniqueConstraint(
                fields=("message_id",), name="outbox_message_id_unique"
            ),
        ),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="message_id",
            field=models.CharField(max_length=255, verbose_name="Message-ID"),
        ),
    ]
