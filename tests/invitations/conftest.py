import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from invitations.models import Invitation
from partners.models import Network, Organisation
from tests.factories import EventFactory, PersonFactory, PersonMembershipFactory
from worker import handlers
from worker.delivery import deliver_queued
from worker.mailbox import parse
from worker.models import InboundMessage, OutgoingMessage

from .helpers import send_out

_uids = itertools.count(1)


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def folkehelse(demo):
    return Network.objects.get(slug="folkehelse")


@pytest.fixture
def make_event(demo, klima):
    """Klima meetings (tests/factories.py) whose registration closes ten days ahead."""

    def make(**fields):
        now = timezone.now()
        values = {
            "title": "Klimamøte",
            "network": klima,
            "starts_at": now + dt.timedelta(days=20),
            "ends_at": now + dt.timedelta(days=20, hours=3),
            "registration_closes_at": now + dt.timedelta(days=10),
            "organiser_name": "",
            "organiser_email": "arrangor@example.org",
            "venue_name": "Quality Hotel Tønsberg",
            "venue_address": "",
            "capacity": None,
        }
        values.update(fields)
        return EventFactory(**values)

    return make


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def make_person(db):
    def make(network=None, organisation=None, language="nb", name=None, email=None):
        fields = {"organisation": organisation, "language": language, "title": ""}
        fields.update({k: v for k, v in {"name": name, "email": email}.items() if v})
        person = PersonFactory(**fields)
        if network is not None:
            PersonMembershipFactory(network=network, person=person)
        return person

    return make


@pytest.fixture
def klima_organiser(make_organiser, klima):
    return make_organiser("klima-arrangor", network=klima)


@pytest.fixture
def folkehelse_organiser(make_organiser, folkehelse):
    return make_organiser("folkehelse-arrangor", network=folkehelse)


@pytest.fixture
def klima_client(client, klima_organiser):
    client.force_login(klima_organiser)
    return client


@pytest.fixture
def organisations(demo):
    return {o.short_name or o.name: o for o in Organisation.objects.all()}


@pytest.fixture
def eager_celery():
    """Run tasks inline (task bodies only); the integration tier runs a real worker."""
    from worker.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def mailbox(mailbox_read, django_capture_on_commit_callbacks):
    """Hand raw mail to the registered handlers as worker/mailbox.py does: one transaction that
    records the InboundMessage, then what runs after the commit. Returns the outcome line."""

    def deliver(raw: bytes, *, after_commit: bool = True) -> str:
        message = parse(raw)
        with django_capture_on_commit_callbacks(execute=after_commit):
            with transaction.atomic():
                row = InboundMessage.objects.create(
                    folder="INBOX",
                    uidvalidity=1,
                    uid=next(_uids),
                    message_id=str(message["Message-ID"]),
                    state=InboundMessage.State.HANDLED,
                )
                row.outcome = handlers.handle(message)
                row.save(update_fields=["outcome"])
        return row.outcome

    return deliver


@pytest.fixture
def invite(mailbox_read):
    """Invite a demo person and send the invitation (the outbox row is sent)."""

    def invite(event, email="jonas.berg@example.org") -> tuple[Invitation, OutgoingMessage]:
        send_out(event=event, person_emails=[email])
        deliver_queued()
        invitation = Invitation.objects.get(event=event, email=email)
        row = OutgoingMessage.objects.get(invitation_ref=invitation.pk, kind="invitation")
        assert row.state == OutgoingMessage.State.SENT
        return invitation, row

    return invite
