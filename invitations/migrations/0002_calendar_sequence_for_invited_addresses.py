from django.db import migrations


def carry_over(apps, schema_editor):
    """Invitations carried the event's sequence of their day, never more: an invited address
    without a record gets the event's sequence as it is now, so the next calendar goes above."""
    Invitation = apps.get_model("invitations", "Invitation")
    CalendarSequence = apps.get_model("events", "CalendarSequence")
    keys = {
        (event_id, email.strip().lower()): sequence
        for event_id, email, sequence in Invitation.objects.values_list(
            "event_id", "email", "event__sequence"
        ).iterator()
    }
    CalendarSequence.objects.bulk_create(
        [
            CalendarSequence(event_id=event_id, email_key=email_key, sequence=sequence)
            for (event_id, email_key), sequence in keys.items()
        ],
        batch_size=500,
        ignore_conflicts=True,  # registered too: that record is at least as high
    )


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0001_initial"),
        ("events", "0003_calendar_sequence_per_address"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
