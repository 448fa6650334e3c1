"""One address, one key: the calendar's sequence records and the active-registration lookup
strip and lower-case an address by the same rule (events.models.email_key)."""

import pytest

from events.models import CalendarSequence, email_key
from events.services.personal_link import resend_personal_link
from tests.events.registration_helpers import outbox, register
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

TYPED = "  KARI.Nordmann@Example.ORG "


@pytest.mark.parametrize(
    "address", [TYPED, "kari.nordmann@example.org", "\tKari.Nordmann@example.org"]
)
def test_email_key_strips_and_lowers(address):
    assert email_key(address) == "kari.nordmann@example.org"


def test_email_key_is_the_key_of_the_sequence_record_and_of_the_registration_lookup():
    event = EventFactory()
    registration = register(event, email="Kari.Nordmann@example.org")
    outbox()  # composes the confirmation, which takes the address's SEQUENCE

    keys = list(CalendarSequence.objects.filter(event=event).values_list("email_key", flat=True))
    assert keys == [email_key(TYPED)]

    resend_personal_link(event_id=event.pk, email=TYPED)
    [mail] = outbox(kind="events.personal_link")
    assert mail.registration_ref == registration.pk
