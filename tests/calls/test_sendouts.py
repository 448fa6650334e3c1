"""A call's send-out expanded by its task: a batch per transaction, counts, a rerun after a crash
that resumes without a second email, the organiser's page while it runs, a broker outage that
keeps the send-out until the beat hands it over, and a call that closes before it is done."""

import contextlib
import datetime as dt
import socket
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls.models import Call, CallInvitation, CallSendOut
from calls.services import sendouts
from calls.services.invitations import create_call_sendout
from invitations.models import NetworkOptOut
from partners.models import Language, Network, Person, PersonMembership
from tests.calls.organiser_data import klima_call
from tests.factories import NetworkFactory
from tests.html_checks import page_problems
from tests.integration.harness import broker
from worker.models import OutgoingMessage

pytestmark = pytest.mark.usefixtures("private_storage")


@pytest.fixture
def network(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


def _members(network) -> list[Person]:
    return list(
        Person.objects.filter(
            pk__in=PersonMembership.objects.filter(network=network).values("person_id")
        ).order_by("pk")
    )


@contextlib.contextmanager
def broker_down(app) -> Iterator[None]:
    """Publishing fails as with Redis stopped: tasks are not run inline, and the broker is a
    Redis at a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with broker("redis://127.0.0.1:%d/0" % port):
            yield
    finally:
        app.conf.task_always_eager = eager


def _emails_per_address() -> dict[str, int]:
    counts: dict[str, int] = {}
    for address in OutgoingMessage.objects.values_list("to_email", flat=True):
        counts[address.lower()] = counts.get(address.lower(), 0) + 1
    return counts


def test_the_request_records_the_send_out_and_the_task_invites(
    network, root, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr("calls.services.invitations.enqueue_expansion", enqueued.append)
    call = klima_call()
    with django_capture_on_commit_callbacks(execute=True):
        sendout = create_call_sendout(
            call=call,
            by_user=root,
            network_ids=[network.pk],
            addresses="Kari Nordmann <kari@example.org>",
            language="nn",
            note="  Hei!  ",
        )
    assert enqueued == [sendout.pk]
    # Recorded, nobody invited yet: the pasted row is kept with the chosen language.
    assert sendout.state == "scheduled" and sendout.note == "Hei!"
    assert sendout.selection["pasted"] == [["Kari Nordmann", "kari@example.org", "nn"]]
    assert sendout.selection["networks"] == [network.pk] and "scope" not in sendout.selection
    assert not CallInvitation.objects.exists() and not OutgoingMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=False):
        sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    members = _members(network)
    assert sendout.state == "done" and sendout.finished_at is not None
    assert (sendout.invited_count, sendout.already_invited_count, sendout.opted_out_count) == (
        len(members) + 1,
        0,
        0,
    )
    assert set(CallInvitation.objects.values_list("email", flat=True)) == {
        *(p.email for p in members),
        "kari@example.org",
    }
    assert CallInvitation.objects.get(email="kari@example.org").language == "nn"
    assert all(n == 1 for n in _emails_per_address().values())
    assert len(_emails_per_address()) == len(members) + 1


def test_counts_leave_out_the_invited_the_opted_out_and_pasted_members_once(network, root):
    call = klima_call()
    first, second, third, *_rest = _members(network)
    CallInvitation.objects.create(call=call, email=first.email.upper(), state="sent")
    NetworkOptOut.objects.create(network=network, email=second.email)
    outsider = Person.objects.exclude(pk__in=[p.pk for p in _members(network)]).first()
    Person.objects.filter(pk=outsider.pk).update(language=Language.ENGLISH)
    pasted = "\n".join([third.email, "Ny Person <ny@example.org>", outsider.email])
    sendout = create_call_sendout(
        call=call, by_user=root, network_ids=[network.pk], addresses=pasted, language="nn"
    )
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    members = _members(network)
    # A member pasted too is one person, counted once; the outsider keeps their language.
    assert sendout.invited_count == len(members) - 2 + 2
    assert (sendout.already_invited_count, sendout.opted_out_count) == (1, 1)
    invitations = CallInvitation.objects.filter(call=call)
    assert invitations.count() == 1 + len(members) - 2 + 2
    assert invitations.get(email=outsider.email).language == "en"
    assert invitations.get(email="ny@example.org").language == "nn"
    assert not invitations.filter(email=second.email).exists()
    assert _emails_per_address().get(first.email.lower()) is None
    assert _emails_per_address().get(third.email.lower()) == 1


def test_a_crash_mid_batch_loses_only_that_batch_and_the_rerun_resumes(network, root, monkeypatch):
    monkeypatch.setattr(sendouts, "BATCH_SIZE", 2)
    call = klima_call()
    members = _members(network)
    assert len(members) == 3  # batches of 2: two of people, two of the three pasted rows
    pasted = "a@example.org\nb@example.org\nc@example.org"
    sendout = create_call_sendout(
        call=call, by_user=root, network_ids=[network.pk], addresses=pasted
    )
    real_queue = sendouts.queue_messages
    batches = []

    def crash_on_the_second_batch(*, messages):
        batches.append(len(messages))
        if len(batches) == 2:
            raise RuntimeError("the worker was killed")
        return real_queue(messages=messages)

    monkeypatch.setattr(sendouts, "queue_messages", crash_on_the_second_batch)
    with pytest.raises(RuntimeError):
        sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    # The first batch is kept with its cursor; nothing of the second (rolled back together).
    assert sendout.state == "sending"
    assert sendout.people_cursor == members[1].pk and sendout.invited_count == 2
    assert sorted(CallInvitation.objects.values_list("email", flat=True)) == sorted(
        p.email for p in members[:2]
    )
    assert OutgoingMessage.objects.count() == 2

    monkeypatch.setattr(sendouts, "queue_messages", real_queue)
    sendouts.expand_sendout(sendout_id=sendout.pk)  # the task again, as acks_late redelivers it
    sendout.refresh_from_db()
    assert sendout.state == "done" and sendout.pasted_cursor == 3
    assert (sendout.invited_count, sendout.already_invited_count) == (len(members) + 3, 0)
    emails = _emails_per_address()
    assert len(emails) == len(members) + 3 and set(emails.values()) == {1}

    # A third run, and the beat, change nothing.
    sendouts.expand_sendout(sendout_id=sendout.pk)
    assert sendouts.start_due_sendouts(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert OutgoingMessage.objects.count() == len(members) + 3


def test_a_cursor_set_midway_resumes_from_there_without_a_second_email(network, root, monkeypatch):
    """A worker that died after committing some batches: the send-out says where it was."""
    call = klima_call()
    members = _members(network)
    half = len(members) // 2
    sendout = create_call_sendout(call=call, by_user=root, network_ids=[network.pk])
    for person in members[:half]:
        CallInvitation.objects.create(call=call, person=person, email=person.email, state="sent")
    CallSendOut.objects.filter(pk=sendout.pk).update(
        state="sending",
        people_cursor=members[half - 1].pk,
        invited_count=half,
        progressed_at=timezone.now() - dt.timedelta(minutes=30),
    )
    # The beat sees a send-out that stopped moving and hands it over again.
    resumed = []
    monkeypatch.setattr(
        "calls.tasks.expand_sendout.apply_async", lambda kwargs: resumed.append(kwargs)
    )
    assert sendouts.start_due_sendouts() == 1
    assert resumed == [{"sendout_id": sendout.pk}]
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    assert sendout.state == "done"
    assert (sendout.invited_count, sendout.already_invited_count) == (len(members), 0)
    assert sorted(OutgoingMessage.objects.values_list("to_email", flat=True)) == sorted(
        p.email for p in members[half:]
    )


def test_the_organisers_page_shows_the_send_out_while_it_runs_and_when_done(klima_client, network):
    call = klima_call()
    response = klima_client.post(
        "/arrangor/innspill/%d/inviter/" % call.pk,
        {"networks": [str(network.pk)], "language": "nb"},
    )
    assert response.status_code == 302
    sendout = CallSendOut.objects.get()  # enqueued after a commit this test never makes
    page = klima_client.get(response["Location"]).content.decode()
    assert '<strong id="sendout-state">Waiting to start</strong>' in page
    assert 'http-equiv="refresh"' in page
    assert page_problems(page) == []
    sendouts.expand_sendout(sendout_id=sendout.pk)
    page = klima_client.get(response["Location"]).content.decode()
    assert '<strong id="sendout-state">Done</strong>' in page
    assert '<dd id="sendout-invited">%d</dd>' % len(_members(network)) in page
    assert 'http-equiv="refresh"' not in page
    listing = klima_client.get("/arrangor/innspill/%d/inviter/" % call.pk).content.decode()
    assert response["Location"] in listing
    assert page_problems(listing) == []


def test_another_networks_organiser_cannot_see_the_send_out(
    client, folkehelse_organiser, network, root
):
    call = klima_call()
    sendout = create_call_sendout(call=call, by_user=root, network_ids=[network.pk])
    client.force_login(folkehelse_organiser)
    response = client.get("/arrangor/innspill/%d/inviter/%d/" % (call.pk, sendout.pk))
    assert response.status_code in (403, 404)


def test_nobody_to_invite_is_refused(root, demo):
    empty = NetworkFactory()
    call = klima_call()
    with pytest.raises(ValidationError, match="Choose at least one recipient"):
        create_call_sendout(call=call, by_user=root, network_ids=[empty.pk])
    assert not CallSendOut.objects.exists()


def test_redis_down_the_send_out_is_kept_and_the_beat_starts_it_later(
    klima_client, network, eager_celery, django_capture_on_commit_callbacks, caplog
):
    call = klima_call()
    with broker_down(eager_celery):
        with django_capture_on_commit_callbacks(execute=True):
            response = klima_client.post(
                "/arrangor/innspill/%d/inviter/" % call.pk,
                {"networks": [str(network.pk)], "addresses": "kari@example.org", "language": "nb"},
            )
        assert response.status_code == 302
        assert "could not enqueue call send-out" in caplog.text
        sendout = CallSendOut.objects.get()
        assert sendout.state == "scheduled" and sendout.progressed_at is None
        page = klima_client.get(response["Location"])
        assert page.status_code == 200
        assert '<strong id="sendout-state">Waiting to start</strong>' in page.content.decode()
        assert not CallInvitation.objects.exists()
    # Redis is back: the beat's next run hands the send-out over, and it is expanded.
    with django_capture_on_commit_callbacks(execute=True):
        assert sendouts.start_due_sendouts() == 1
    sendout.refresh_from_db()
    assert sendout.state == "done" and sendout.invited_count == len(_members(network)) + 1
    assert len(_emails_per_address()) == len(_members(network)) + 1


def test_the_beat_hands_over_a_send_out_the_broker_never_got(
    network, root, eager_celery, django_capture_on_commit_callbacks
):
    call = klima_call()
    sendout = create_call_sendout(call=call, by_user=root, network_ids=[network.pk])
    # Its after-commit hand-over never ran (Redis was down): progressed_at is still empty.
    assert CallSendOut.objects.get().progressed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert sendouts.start_due_sendouts() == 1
    sendout.refresh_from_db()
    assert sendout.state == "done" and sendout.invited_count == len(_members(network))
    assert OutgoingMessage.objects.count() == len(_members(network))
    assert sendouts.start_due_sendouts(now=timezone.now() + dt.timedelta(hours=1)) == 0


def test_a_send_out_handed_over_just_now_is_left_to_its_task(network, root, monkeypatch):
    handed = []
    monkeypatch.setattr(
        "calls.tasks.expand_sendout.apply_async", lambda kwargs: handed.append(kwargs)
    )
    call = klima_call()
    sendout = create_call_sendout(call=call, by_user=root, network_ids=[network.pk])
    sendouts.enqueue_expansion(sendout.pk)  # what runs after the commit
    assert handed == [{"sendout_id": sendout.pk}]
    assert sendouts.start_due_sendouts() == 0
    later = timezone.now() + sendouts.START_AFTER + dt.timedelta(seconds=1)
    assert sendouts.start_due_sendouts(now=later) == 1  # handed over, never started
    assert len(handed) == 2


def test_a_call_closed_before_the_send_out_runs_invites_nobody(network, root):
    call = klima_call()
    sendout = create_call_sendout(call=call, by_user=root, network_ids=[network.pk])
    Call.objects.filter(pk=call.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=30),
        closes_at=timezone.now() - dt.timedelta(seconds=1),
    )
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    assert sendout.state == "stopped" and sendout.invited_count == 0
    assert not CallInvitation.objects.exists() and not OutgoingMessage.objects.exists()


def test_the_beat_runs_the_hand_over_every_minute(settings):
    import calls.tasks
    from worker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["calls-start-due-sendouts"]
    assert (entry["task"], entry["schedule"]) == ("calls.start_due_sendouts", 60.0)
    assert entry["task"] in app.tasks
    assert app.tasks["calls.expand_sendout"].acks_late is True
    assert calls.tasks.expand_sendout.name == "calls.expand_sendout"
