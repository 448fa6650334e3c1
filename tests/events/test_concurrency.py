"""Capacity under real concurrency, on real PostgreSQL (DESIGN rule 3).

Each thread has its own database connection (Django's are per thread). The pool is kept
below PostgreSQL's max_connections, which colleagues' test runs share: 200 registrations
race through 30 connections, all released together by a gate.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from events.models import Event, Registration
from events.participants import ParticipantDetails
from events.services.errors import RegistrationError, SessionFull
from events.services.registering import cancel_registration, register_participant
from events.services.waiting_list import expire_offers, recount_seats
from tests.factories import EventFactory, QuestionFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 30


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        message = "concurrency tests need PostgreSQL (set DATABASE_URL=postgres://...)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """The broker is a boundary here: these tests commit, and nobody consumes the mail queue."""
    monkeypatch.setattr("worker.services.enqueue_delivery", lambda *, message_ids: None)


def race(jobs):
    """Run the callables at once, each in a thread with its own connection; return outcomes."""
    gate = threading.Event()

    def run(job):
        gate.wait()
        try:
            return job()
        except Exception as exc:  # returned, so the assertion shows what went wrong
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        gate.set()
        return [f.result(timeout=120) for f in futures]


def registering(event_id, n, **kwargs):
    def job():
        return register_participant(
            event=Event.objects.get(pk=event_id),
            details=ParticipantDetails(
                name="Deltaker %d" % n,
                email="deltaker%d@example.org" % n,
                organisation_name="Kommune %d" % (n % 7),
                title="Rådgiver",
                **kwargs,
            ),
        )

    return job


@pytest.mark.parametrize("round_", range(3))
def test_200_concurrent_registrations_for_100_seats(round_):
    event = EventFactory(capacity=100)
    outcomes = race([registering(event.pk, n) for n in range(200)])
    assert [repr(o) for o in outcomes if isinstance(o, Exception)] == []
    statuses = [o.status for o in outcomes]
    assert statuses.count(Registration.Status.CONFIRMED) == 100
    assert statuses.count(Registration.Status.WAITLISTED) == 100
    event.refresh_from_db()
    assert event.seats_taken == 100
    assert Registration.objects.filter(event=event, status="confirmed").count() == 100
    positions = sorted(
        Registration.objects.filter(event=event, status="waitlisted").values_list(
            "waitlisted_at", flat=True
        )
    )
    assert len(positions) == 100
    assert recount_seats() == []


def test_200_concurrent_registrations_for_a_30_seat_session():
    event = EventFactory(capacity=None)
    workshop = SessionFactory(event=event, capacity=30)
    outcomes = race([registering(event.pk, n, session_ids=[workshop.pk]) for n in range(200)])
    got_it = [o for o in outcomes if isinstance(o, Registration)]
    refused = [o for o in outcomes if isinstance(o, SessionFull)]
    assert [repr(o) for o in outcomes if isinstance(o, Exception) and o not in refused] == []
    assert len(got_it) == 30 and len(refused) == 170
    assert all(o.code == "session_full" and o.session == workshop for o in refused)
    workshop.refresh_from_db()
    event.refresh_from_db()
    assert workshop.seats_taken == 30 and event.seats_taken == 30
    assert Registration.objects.filter(event=event).count() == 30  # the refused wrote nothing
    assert recount_seats() == []


def test_200_concurrent_registrations_with_no_waiting_list_refuse_the_rest():
    event = EventFactory(capacity=100, waiting_list_mode=Event.WaitingListMode.NONE)
    outcomes = race([registering(event.pk, n) for n in range(200)])
    assert sum(isinstance(o, Registration) for o in outcomes) == 100
    assert Registration.objects.filter(event=event).count() == 100
    event.refresh_from_db()
    assert event.seats_taken == 100 and recount_seats() == []


def test_same_email_twice_concurrently_gives_one_registration():
    event = EventFactory(capacity=100)
    outcomes = race([registering(event.pk, 1) for _ in range(20)])
    assert sum(isinstance(o, Registration) for o in outcomes) == 1
    assert all(o.code == "duplicate" for o in outcomes if isinstance(o, RegistrationError))
    event.refresh_from_db()
    assert event.seats_taken == 1


@pytest.mark.parametrize("round_", range(3))
def test_same_email_through_both_ways_of_saving_gives_one_registration(round_):
    """One statement (no answers) and the transaction (answers) take the event row and the
    email's index entry in opposite orders; a deadlock between them is retried, never a 500."""
    event = EventFactory(capacity=100)
    question = QuestionFactory(event=event, required=False)
    jobs = [
        registering(event.pk, 1, answers={question.pk: "Ja"} if i % 2 else {}) for i in range(8)
    ]
    outcomes = race(jobs)
    assert [repr(o) for o in outcomes if not isinstance(o, Registration | RegistrationError)] == []
    assert sum(isinstance(o, Registration) for o in outcomes) == 1
    assert all(o.code == "duplicate" for o in outcomes if isinstance(o, RegistrationError))
    event.refresh_from_db()
    assert event.seats_taken == 1 and recount_seats() == []


def test_registering_inside_a_callers_transaction_is_refused():
    from django.db import transaction

    event = EventFactory(capacity=10)
    question = QuestionFactory(event=event, required=False)
    for answers in ({}, {question.pk: "Ja"}):
        with pytest.raises(RuntimeError), transaction.atomic():
            registering(event.pk, 1, answers=answers)()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("mode", [Event.WaitingListMode.OFFER, Event.WaitingListMode.AUTOMATIC])
def test_concurrent_cancel_and_register_never_lose_or_double_a_seat(mode):
    event = EventFactory(capacity=60, waiting_list_mode=mode)
    seated = race([registering(event.pk, n) for n in range(80)])
    assert [repr(o) for o in seated if isinstance(o, Exception)] == []
    confirmed = [r for r in seated if r.status == Registration.Status.CONFIRMED]
    assert len(confirmed) == 60
    cancels = [(lambda pk=r.pk: cancel_registration(registration_id=pk)) for r in confirmed[:40]]
    newcomers = [registering(event.pk, n) for n in range(1000, 1080)]
    outcomes = race(cancels + newcomers)
    assert [repr(o) for o in outcomes if isinstance(o, Exception)] == []
    # A seat freed while a newcomer was joining the line unseen is handed on by the sweep.
    expire_offers()
    event.refresh_from_db()
    holding = Registration.objects.filter(event=event, status__in=["confirmed", "offered"]).count()
    assert holding == event.seats_taken == 60  # demand exceeds supply: every seat is held
    assert recount_seats() == []


def test_concurrent_calendars_for_one_address_never_share_a_sequence():
    """A worker composing a receipt, an organiser moving the event and a reminder, all at
    once for one person: each calendar still gets its own, higher SEQUENCE."""
    from events.calendar.sequences import take_sequence, take_sequences

    event = EventFactory()
    others = ["other%d@example.org" % n for n in range(20)]

    def one() -> list[int]:
        return [take_sequence(event=event, email="Kari@Example.org")]

    def many() -> list[int]:
        taken = take_sequences(event=event, emails=[*others, "kari@example.org"])
        return [taken["kari@example.org"]]

    outcomes = race([one if n % 2 else many for n in range(60)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    kari = sorted(sequence for outcome in outcomes for sequence in outcome)
    assert kari == list(range(60))
