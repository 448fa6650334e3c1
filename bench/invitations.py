"""Benchmark: a 10,000-invitation send-out, end to end, against plain smtplib in the same run.

Needs PostgreSQL and Redis: DATABASE_URL=postgres://... REDIS_URL=redis://... (the database is
migrated; the bench's own rows are deleted afterwards). Starts a local aiosmtpd sink and a real
Celery worker (`celery -A worker worker -Q default,mail`) that sends to it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnerskap_inv \
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python -m bench.invitations

Prints:
- the end-to-end rate (the organiser's request until the sink has accepted the last message,
  through the worker) as a ratio to smtplib sending the same number of pre-rendered messages
  over one connection;
- the time of the organiser's request (create the send-out, then "send now") with 100 and with
  10,000 recipients: it must not grow with the number of recipients.
"""

import datetime as dt
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("BENCH_INVITATIONS", "10000"))
SMALL = 100
REPEATS = 3


class Sink:
    """An aiosmtpd server that only counts what it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self._lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        with self._lock:
            self.count += 1
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                raise SystemExit("sink got %d of %d messages in %ss" % (self.count, count, timeout))
            time.sleep(0.02)


def _require_services() -> None:
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing or not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit(
            "bench.invitations needs PostgreSQL and Redis: set DATABASE_URL=postgres://... "
            "and REDIS_URL=redis://..."
        )


def _setup_django(email_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["EMAIL_URL"] = email_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _data(tag: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from events.models import Event
    from partners.models import Host, Network, OrganiserRole, Person, PersonMembership

    host, _ = Host.objects.get_or_create(
        slug="bench-host-" + tag, defaults={"name": "Bench " + tag}
    )
    networks = {}
    for size in (SMALL, N):
        network = Network.objects.create(
            name="Bench %s %d" % (tag, size), slug="bench-%s-%d" % (tag, size), kind="thematic"
        )
        network.hosts.add(host)
        languages = ("nb", "nn", "en")
        people = Person.objects.bulk_create(
            Person(
                name="Bench Person %d" % i,
                email="bench-%s-%d-%d@example.org" % (tag, size, i),
                language=languages[i % 3],
            )
            for i in range(size)
        )
        PersonMembership.objects.bulk_create(
            PersonMembership(network=network, person=p) for p in people
        )
        networks[size] = network
    user = get_user_model().objects.create_user("bench-" + tag, password="x")
    OrganiserRole.objects.create(user=user, host=host)
    now = timezone.now()

    def event(network):
        return Event.objects.create(
            title="Benchmøte",
            host=host,
            network=network,
            status=Event.Status.PUBLISHED,
            starts_at=now + dt.timedelta(days=30),
            ends_at=now + dt.timedelta(days=30, hours=3),
            registration_closes_at=now + dt.timedelta(days=20),
        )

    return host, networks, user, event


def _organiser_request(client, event, network) -> float:
    """The organiser's two POSTs: create the send-out, then send now. Returns seconds."""
    from invitations.models import SendOut

    start = time.perf_counter()
    response = client.post(
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk,
        {"networks": [network.pk], "message": "Velkommen."},
    )
    assert response.status_code == 302, response.status_code
    sendout = SendOut.objects.filter(event=event).latest("pk")
    response = client.post("/arrangor/invitasjoner/utsending/%d/send/" % sendout.pk, {"now": "1"})
    assert response.status_code == 302, response.status_code
    return time.perf_counter() - start


def _prerendered(count: int) -> list[tuple[str, bytes]]:
    """The same kind of message the worker sends (bodies, calendar), rendered before timing."""
    from django.core.mail import EmailMultiAlternatives

    from events.calendar.itip import Attendee, itip_request
    from events.models import Event
    from invitations.emails import render_invitation
    from partners.models import Host

    event = Event(
        title="Benchmøte",
        host=Host(name="Bench host", slug="bench-host"),
        starts_at=dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC),
        pk=1,
    )
    out = []
    for i in range(count):
        address = "plain-%d@example.org" % i
        rendered = render_invitation(
            event=event, name="P %d" % i, token="t%d" % i, message="Velkommen.", language="nb"
        )
        email = EmailMultiAlternatives(
            rendered.subject, rendered.text_body, "bench@localhost", [address]
        )
        email.attach_alternative(rendered.html_body, "text/html")
        calendar = itip_request(
            event=event,
            attendee=Attendee(email=address, partstat="NEEDS-ACTION", rsvp=True),
            sequence=0,
        )
        email.attach_alternative(calendar, "text/calendar; method=REQUEST")
        email.attach("invite.ics", calendar.encode(), "application/ics")
        out.append((address, email.message().as_bytes(linesep="\r\n")))
    return out


def _start_worker(email_url: str) -> subprocess.Popen:
    env = {**os.environ, "EMAIL_URL": email_url, "CELERY_TASK_ALWAYS_EAGER": "0"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "-Q",
            "default,mail",
            "-c",
            os.environ.get("BENCH_WORKER_CONCURRENCY", "2"),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    from worker.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the Celery worker did not start")
    return process


def _cleanup(host, networks, user) -> None:
    from django.db.models import Q

    from events.models import Event
    from invitations.models import NetworkOptOut
    from partners.models import Person
    from worker.models import OutgoingMessage

    events = Event.objects.filter(host=host)
    OutgoingMessage.objects.filter(event_ref__in=list(events.values_list("pk", flat=True))).delete()
    events.delete()  # invitations and send-outs cascade
    NetworkOptOut.objects.filter(network__in=networks.values()).delete()
    Person.objects.filter(Q(memberships__network__in=networks.values())).delete()
    for network in networks.values():
        network.delete()
    user.delete()
    host.delete()


def main() -> None:
    _require_services()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    sink.controller.start()
    email_url = "smtp://127.0.0.1:%d" % sink.port
    _setup_django(email_url)
    from django.test import Client

    tag = str(int(time.time()))
    host, networks, user, new_event = _data(tag)
    client = Client()
    client.force_login(user)
    worker = None
    try:
        # 1. The organiser's request, before any worker runs (its tasks then find nothing to do).
        from invitations.models import SendOut

        timings = {SMALL: [], N: []}
        for _ in range(REPEATS):
            for size in (SMALL, N):
                event = new_event(networks[size])
                timings[size].append(_organiser_request(client, event, networks[size]))
                SendOut.objects.filter(event=event).delete()

        # 2. Baseline: plain smtplib, pre-rendered, one connection.
        messages = _prerendered(N)
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            for address, raw in messages:
                smtp.sendmail("bench@localhost", [address], raw)
        baseline = time.perf_counter() - start
        sink.wait_for(N, timeout=60)

        # 3. End to end: request -> task expands -> outbox -> worker -> SMTP sink.
        worker = _start_worker(email_url)
        event = new_event(networks[N])
        before = sink.count
        start = time.perf_counter()
        request_seconds = _organiser_request(client, event, networks[N])
        sink.wait_for(before + N, timeout=3600)
        end_to_end = time.perf_counter() - start
        time.sleep(1)
        extra = sink.count - before - N
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        sink.controller.stop()
        _cleanup(host, networks, user)

    small, large = statistics.median(timings[SMALL]), statistics.median(timings[N])
    print(
        "invitations bench (%d recipients, PostgreSQL + Redis, worker concurrency %s)"
        % (N, os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
    )
    print(
        "  plain smtplib, pre-rendered, one connection: %.1f s (%.0f msg/s)"
        % (baseline, N / baseline)
    )
    print(
        "  end to end (request -> worker -> SMTP sink):  %.1f s (%.0f msg/s), %d duplicates"
        % (end_to_end, N / end_to_end, extra)
    )
    print("  end-to-end rate / smtplib rate:               %.2fx" % (baseline / end_to_end))
    print(
        "  organiser's request, %5d recipients (median of %d): %.1f ms"
        % (SMALL, REPEATS, small * 1000)
    )
    print(
        "  organiser's request, %5d recipients (median of %d): %.1f ms (%.2fx the small one)"
        % (N, REPEATS, large * 1000, large / small)
    )
    print("  organiser's request in the end-to-end run: %.1f ms" % (request_seconds * 1000))


if __name__ == "__main__":
    main()
