from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Answer, Event, Question, Registration
from events.services.retention import apply_retention
from partners.models import Host, Organisation
from tests.factories import EventFactory, RegistrationFactory


@pytest.fixture
def past_event(db):
    host = Host.objects.create(name="Telemark fylkeskommune", slug="telemark", retention_days=365)
    now = timezone.now()
    return EventFactory(
        title="Nettverksmøte",
        host=host,
        starts_at=now - timedelta(days=60, hours=2),
        ends_at=now - timedelta(days=60),
        status=Event.Status.PUBLISHED,
        serves_food=True,
        capacity=10,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
    )


def _register(event, **extra):
    organisation, _ = Organisation.objects.get_or_create(
        name="NAV Vestfold og Telemark", sector="public"
    )
    return RegistrationFactory(
        event=event,
        status=Registration.Status.CONFIRMED,
        name="Kari Nordmann",
        email="kari@example.org",
        phone="+47 900 00 000",
        organisation=organisation,
        dietary_consent=True,
        dietary_needs="Glutenfri",
        **extra,
    )


def test_special_needs_are_deleted_thirty_days_after_the_event(past_event):
    registration = _register(past_event)
    result = apply_retention()
    registration.refresh_from_db()
    assert result.special_needs_deleted == 1
    assert registration.dietary_needs == "" and registration.dietary_consent is False
    assert registration.name == "Kari Nordmann"  # the host keeps the rest for a year
    assert apply_retention().special_needs_deleted == 0


def test_special_needs_are_kept_for_a_recent_event(past_event):
    past_event.starts_at = timezone.now() - timedelta(days=3, hours=2)
    past_event.ends_at = timezone.now() - timedelta(days=3)
    past_event.save()
    registration = _register(past_event)
    apply_retention()
    registration.refresh_from_db()
    assert registration.dietary_needs == "Glutenfri"


def test_participants_are_anonymised_after_the_hosts_retention_period_and_counts_survive(
    past_event,
):
    registration = _register(past_event)
    question = Question.objects.create(
        event=past_event, label="Hva vil du snakke om?", kind="short_text"
    )
    Answer.objects.create(registration=registration, question=question, value="Mitt private svar")
    old_token = registration.token
    result = apply_retention(now=timezone.now() + timedelta(days=365))
    registration.refresh_from_db()
    assert result.anonymised == 1
    assert "Kari" not in registration.name and "kari" not in registration.email
    assert registration.phone == "" and registration.token != old_token
    assert registration.anonymised_at is not None
    assert not Answer.objects.filter(registration=registration).exists()
    # Counts per status and organisation survive.
    assert (
        past_event.registrations.filter(
            status="confirmed", organisation__name="NAV Vestfold og Telemark"
        ).count()
        == 1
    )


def test_anonymising_also_empties_the_emails_sent_about_the_event(past_event):
    from django.db import transaction

    from worker.models import OutgoingMessage
    from worker.services import Message, References, queue_messages

    _register(past_event)
    with transaction.atomic():
        [row] = queue_messages(
            messages=[
                Message(
                    to_email="kari@example.org",
                    to_name="Kari Nordmann",
                    subject="Påmelding bekreftet",
                    text_body="Hei Kari, lenken din: https://example.org/p/secret/",
                    refs=References(event=past_event.pk),
                )
            ]
        )
    OutgoingMessage.objects.filter(pk=row.pk).update(state="sent", sent_at=timezone.now())
    apply_retention(now=timezone.now() + timedelta(days=365))
    row.refresh_from_db()
    assert "kari" not in row.to_email and row.to_name == "" and "secret" not in row.text_body
    assert row.state == "sent"  # the count of sent messages survives
