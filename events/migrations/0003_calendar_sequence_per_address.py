import django.db.models.deletion
from django.db import migrations, models


def carry_over(apps, schema_editor):
    """What each registered address may have been sent: the per-registration column (change
    notices), and at least the event's sequence as it is now (receipts carried the event's
    sequence of their day, never more), so the next message goes above both."""
    Registration = apps.get_model("events", "Registration")
    CalendarSequence = apps.get_model("events", "CalendarSequence")
    highest: dict[tuple[int, str], int] = {}
    sent = Registration.objects.values_list(
        "event_id", "email", "calendar_sequence", "event__sequence"
    )
    for event_id, email, sequence, event_sequence in sent.iterator():
        key = (event_id, email.strip().lower())
        highest[key] = max(highest.get(key, 0), sequence, event_sequence)
    CalendarSequence.objects.bulk_create(
        [
            CalendarSequence(event_id=event_id, email_key=email_key, sequence=sequence)
            for (event_id, email_key), sequence in highest.items()
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_registration_checked_in_by"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email_key", models.CharField(max_length=254)),
                ("sequence", models.PositiveIntegerField()),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="events.event",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "email_key"), name="one_calendar_sequence_per_address"
                    )
                ],
            },
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="registration", name="calendar_sequence"),
    ]
