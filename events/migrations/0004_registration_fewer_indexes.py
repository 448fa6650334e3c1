"""Three indexes fewer on the registration table, the busiest INSERT (issue 10).

- event_id alone: the (event, status, waitlisted_at) index starts with it and serves every
  lookup by event, and the cascade from an event.
- token and ticket_code: unique by constraints instead of unique fields, which on PostgreSQL
  also got a varchar_pattern_ops "_like" index (for LIKE 'abc%'); every lookup by them is
  exact, and the admin's search (icontains) cannot use such an index. The constraints are
  added before the fields lose unique=True, so uniqueness holds throughout.
"""

import django.db.models.deletion
from django.db import migrations, models

import events.models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_calendar_sequence_per_address"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(fields=("token",), name="registration_token_unique"),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                fields=("ticket_code",), name="registration_ticket_code_unique"
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="token",
            field=models.CharField(default=events.models.new_token, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="registration",
            name="ticket_code",
            field=models.CharField(
                default=events.models.new_ticket_code,
                editable=False,
                max_length=16,
                verbose_name="ticket code",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="event",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="registrations",
                to="events.event",
            ),
        ),
    ]
