"""Demo events: the partnership's past conferences and meetings, and upcoming ones open for
registration now. Idempotent: every row is keyed (events by a fixed UID), created once and
never moved, so running the seed again changes nothing.

Depends on partners.demo.seed_partners having run (hosts, networks and people).
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from partners.models import Host, Network, Person

from ..models import Answer, Event, Question, Registration, Session, SessionChoice

OSLO = ZoneInfo("Europe/Oslo")
DEMO_NAMESPACE = uuid.UUID("6f1c2b0e-7d4a-4b8e-9a51-3c2d1e0f9a77")

CONFERENCE_INVITATION = (
    "Fylkesordfører Terje Riis Johansen inviterer ressurspersoner fra frivilligheten, privat og "
    "offentlig sektor til en sosial, faglig og involverende konferanse der samfunnsutvikling er i "
    "fokus."
)


def demo_uid(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, "partnerskap-demo:" + key)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def _next_weekday(day: date, weekday: int) -> date:
    """The first day on or after `day` that falls on `weekday` (Monday = 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@dataclass
class DemoSession:
    title: str
    start: tuple[int, int]
    end: tuple[int, int]
    room: str = ""
    speakers: str = ""
    description: str = ""
    capacity: int | None = None


@dataclass
class DemoQuestion:
    label: str
    kind: str
    choices: list[str] = field(default_factory=list)
    required: bool = False
    help_text: str = ""


@dataclass
class DemoRegistration:
    email: str
    status: str = Registration.Status.CONFIRMED
    checked_in: bool = False
    dietary_needs: str = ""
    assistance_needs: str = ""
    sessions: list[str] = field(default_factory=list)
    answers: dict[str, object] = field(default_factory=dict)


def _person(email: str) -> Person:
    return Person.objects.select_related("organisation").get(email__iexact=email)


def _event(key: str, **values: object) -> Event:
    event, _ = Event.objects.get_or_create(uid=demo_uid(key), defaults=values)
    return event


def _sessions(event: Event, day: date, sessions: list[DemoSession]) -> None:
    for item in sessions:
        Session.objects.get_or_create(
            event=event,
            title=item.title,
            defaults={
                "starts_at": _at(day, *item.start),
                "ends_at": _at(day, *item.end),
                "room": item.room,
                "speakers": item.speakers,
                "description": item.description,
                "requires_signup": item.capacity is not None,
                "capacity": item.capacity,
            },
        )


def _questions(event: Event, questions: list[DemoQuestion]) -> None:
    for position, item in enumerate(questions):
        Question.objects.get_or_create(
            event=event,
            label=item.label,
            defaults={
                "kind": item.kind,
                "choices": item.choices,
                "required": item.required,
                "help_text": item.help_text,
                "position": position,
            },
        )


def _registrations(event: Event, rows: list[DemoRegistration]) -> None:
    sessions = {s.title: s for s in event.sessions.all()}
    questions = {q.label: q for q in event.questions.all()}
    for offset, row in enumerate(rows):
        person = _person(row.email)
        registered_at = min(event.starts_at, timezone.now()) - timedelta(hours=20 - offset)
        registration, created = Registration.objects.get_or_create(
            event=event,
            email=person.email,
            defaults={
                "person": person,
                "name": person.name,
                "organisation": person.organisation,
                "title": person.title,
                "language": person.language,
                "status": row.status,
                "dietary_consent": bool(row.dietary_needs),
                "dietary_needs": row.dietary_needs,
                "assistance_consent": bool(row.assistance_needs),
                "assistance_needs": row.assistance_needs,
                "list_consent": True,
                "waitlisted_at": registered_at
                if row.status == Registration.Status.WAITLISTED
                else None,
                "checked_in_at": event.starts_at - timedelta(minutes=20 - offset)
                if row.checked_in
                else None,
            },
        )
        if not created:
            continue
        # auto_now_add ignores defaults; spread the demo sign-ups over the hours before.
        Registration.objects.filter(pk=registration.pk).update(created_at=registered_at)
        for title in row.sessions:
            SessionChoice.objects.get_or_create(registration=registration, session=sessions[title])
        for label, value in row.answers.items():
            Answer.objects.get_or_create(
                registration=registration, question=questions[label], defaults={"value": value}
            )


def _recount(event: Event) -> None:
    """Seat counters from the rows, so the demo never starts with drift."""
    holding = [Registration.Status.CONFIRMED, Registration.Status.OFFERED]
    taken = event.registrations.filter(status__in=holding).count()
    Event.objects.filter(pk=event.pk).update(seats_taken=taken)
    for session in event.sessions.annotate(
        taken=Count("choices", filter=Q(choices__registration__status__in=holding))
    ):
        if session.seats_taken != session.taken:
            Session.objects.filter(pk=session.pk).update(seats_taken=session.taken)


CONFERENCE_SECTOR = DemoQuestion(
    "Hvilken sektor representerer du?",
    Question.Kind.SINGLE_CHOICE,
    [
        "Offentlig sektor",
        "Privat sektor",
        "Forskning og utdanning",
        "Arbeidstakerorganisasjon",
        "Frivillig sektor",
    ],
    required=True,
)
CONFERENCE_DINNER = DemoQuestion(
    "Blir du med på nettverksmiddagen kvelden før?", Question.Kind.YES_NO
)
CONFERENCE_PRIORITY = DemoQuestion(
    "Hva bør partnerskapet prioritere det neste året?",
    Question.Kind.LONG_TEXT,
    help_text="Valgfritt. Innspillene tas med inn i verkstedene.",
)
WORKSHOPS = {
    "klima-og-miljo": "Verksted: Klima og miljø – kutt i utslipp og klimatilpasning",
    "samferdsel-og-mobilitet": "Verksted: Samferdsel og mobilitet – hele regionen på skinner",
    "verdiskaping-og-kompetanse": "Verksted: Verdiskaping og kompetanse – grønn omstilling i næringslivet",
    "folkehelse": "Verksted: Folkehelse – mindre utenforskap",
}


@transaction.atomic
def seed_events() -> None:
    telemark = Host.objects.get(slug="telemark")
    vestfold = Host.objects.get(slug="vestfold")
    partnership = Network.objects.get(slug="baerekraftige-vestfold-og-telemark")
    networks = {n.slug: n for n in Network.objects.all()}
    today = timezone.localdate()
    now = timezone.now()

    # Past conferences (the seed text's "gjennomførte partnerskapskonferanser i 2020 og 2021").
    day_2020 = date(2020, 11, 26)
    conference_2020 = _event(
        "conference-2020",
        title="Partnerskapskonferansen 2020",
        kind=Event.Kind.CONFERENCE,
        host=vestfold,
        network=partnership,
        description=CONFERENCE_INVITATION
        + "\n\nPå grunn av smittevernreglene ble konferansen holdt digitalt. Tema: "
        "Å utvikle Vestfold og Telemark – partnerskap og nettverk.",
        starts_at=_at(day_2020, 9),
        ends_at=_at(day_2020, 13),
        meeting_url="https://teams.example.org/partnerskapskonferansen-2020",
        status=Event.Status.PUBLISHED,
        organiser_name="Fylkesordfører Terje Riis Johansen",
        organiser_email="partnerskap@vestfoldfylke.example.org",
        registration_closes_at=_at(day_2020 - timedelta(days=3), 23, 59),
    )
    day_2021 = date(2021, 10, 28)
    conference_2021 = _event(
        "conference-2021",
        title="Partnerskapskonferansen 2021",
        kind=Event.Kind.CONFERENCE,
        host=telemark,
        network=partnership,
        description=CONFERENCE_INVITATION
        + "\n\nTema: Grønn omstilling og verdiskaping i Vestfold og Telemark.",
        starts_at=_at(day_2021, 9, 30),
        ends_at=_at(day_2021, 15, 30),
        venue_name="Bølgen kulturhus",
        venue_address="Sjøgata 1, 3263 Larvik",
        capacity=200,
        serves_food=True,
        offers_assistance=True,
        status=Event.Status.PUBLISHED,
        organiser_name="Fylkesordfører Terje Riis Johansen",
        organiser_email="partnerskap@telemarkfylke.example.org",
        registration_closes_at=_at(day_2021 - timedelta(days=7), 23, 59),
    )
    _sessions(
        conference_2021,
        day_2021,
        [
            DemoSession(
                "Velkommen", (9, 30), (9, 45), "Store sal", "Fylkesordfører Terje Riis Johansen"
            ),
            DemoSession(
                "Bærekraftsmålene i regionen – hvor står vi?", (9, 45), (11, 0), "Store sal"
            ),
            DemoSession("Lunsj", (11, 30), (12, 15)),
            DemoSession("Paneldebatt: Grønn omstilling", (12, 15), (13, 30), "Store sal"),
        ],
    )

    # The next partnership conference, about five months ahead, on a Thursday.
    conference_day = _next_weekday(today + timedelta(days=150), 3)
    conference = _event(
        "conference-next",
        title="Partnerskapskonferansen %s" % conference_day.year,
        kind=Event.Kind.CONFERENCE,
        host=telemark,
        network=partnership,
        description=(
            "Den årlige partnerskapskonferansen for Bærekraftige Vestfold og Telemark samler "
            "ressurspersoner fra frivilligheten, privat og offentlig sektor til en sosial, faglig og "
            "involverende dag der samfunnsutvikling er i fokus.\n\n"
            "Etter lunsj deltar du i ett av fire parallelle verksteder, ett for hvert fagnettverk. "
            "Velg verksted når du melder deg på."
        ),
        starts_at=_at(conference_day, 9),
        ends_at=_at(conference_day, 16),
        venue_name="Quality Hotel Skjærgården",
        venue_address="Langesund",
        capacity=250,
        serves_food=True,
        offers_assistance=True,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=_at(conference_day - timedelta(days=14), 23, 59),
        status=Event.Status.PUBLISHED,
        organiser_name="Partnerskapssekretariatet",
        organiser_email="partnerskap@telemarkfylke.example.org",
    )
    _sessions(
        conference,
        conference_day,
        [
            DemoSession("Registrering og kaffe", (9, 0), (9, 30), "Foajeen"),
            DemoSession("Velkommen ved fylkesordføreren", (9, 30), (9, 45), "Skjærgårdssalen"),
            DemoSession(
                "Bærekraftsmålene i Vestfold og Telemark – hvor står vi?",
                (9, 45),
                (10, 45),
                "Skjærgårdssalen",
                "Universitetet i Sørøst-Norge",
            ),
            DemoSession("Lunsj", (11, 30), (12, 30), "Restauranten"),
            *(
                DemoSession(title, (12, 30), (14, 0), "Grupperom %d" % (i + 1), capacity=60)
                for i, title in enumerate(WORKSHOPS.values())
            ),
            DemoSession("Oppsummering og veien videre", (14, 15), (15, 30), "Skjærgårdssalen"),
        ],
    )
    _questions(conference, [CONFERENCE_SECTOR, CONFERENCE_DINNER, CONFERENCE_PRIORITY])

    # Network meetings: one of each kind, registration open now.
    meetings = [
        (
            "klima-og-miljo",
            14,
            dict(
                title="Nettverksmøte klima og miljø: klimabudsjett i kommunene",
                meeting_url="https://teams.example.org/klima-og-miljo",
                starts=(9, 0),
                ends=(11, 0),
                host=vestfold,
            ),
        ),
        (
            "samferdsel-og-mobilitet",
            21,
            dict(
                title="Nettverksmøte samferdsel og mobilitet: kollektivtilbudet over fylkesgrensen",
                venue_name="Fylkeshuset i Tønsberg",
                venue_address="Svend Foyns gate 9, 3126 Tønsberg",
                meeting_url="https://teams.example.org/samferdsel-og-mobilitet",
                capacity=30,
                starts=(12, 0),
                ends=(15, 0),
                host=vestfold,
            ),
        ),
        (
            "verdiskaping-og-kompetanse",
            28,
            dict(
                title="Nettverksmøte verdiskaping og kompetanse: kompetanse for grønn industri",
                venue_name="Universitetet i Sørøst-Norge, campus Porsgrunn",
                venue_address="Kjølnes ring 56, 3918 Porsgrunn",
                capacity=40,
                serves_food=True,
                starts=(10, 0),
                ends=(14, 0),
                host=telemark,
            ),
        ),
        (
            "folkehelse",
            10,
            dict(
                title="Nettverksmøte folkehelse: frivilligheten som inkluderingsarena",
                venue_name="Fylkeshuset i Skien",
                venue_address="Fylkesbakken 1, 3715 Skien",
                capacity=4,
                serves_food=True,
                offers_assistance=True,
                starts=(12, 0),
                ends=(15, 0),
                host=telemark,
            ),
        ),
        (
            "digitv",
            35,
            dict(
                title="DigiTV: styringsgruppemøte",
                venue_name="Tønsberg rådhus",
                venue_address="Halfdan Wilhelmsens allé 1, 3116 Tønsberg",
                meeting_url="https://teams.example.org/digitv",
                starts=(13, 0),
                ends=(15, 0),
                host=vestfold,
            ),
        ),
    ]
    upcoming: dict[str, Event] = {}
    for slug, days_ahead, spec in meetings:
        day = today + timedelta(days=days_ahead)
        starts, ends = spec.pop("starts"), spec.pop("ends")
        assert isinstance(starts, tuple) and isinstance(ends, tuple)
        upcoming[slug] = _event(
            "meeting-%s-next" % slug,
            kind=Event.Kind.NETWORK_MEETING,
            network=networks[slug],
            starts_at=_at(day, *starts),
            ends_at=_at(day, *ends),
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=_at(day - timedelta(days=2), 12),
            status=Event.Status.PUBLISHED,
            waiting_list_mode=Event.WaitingListMode.OFFER,
            description="Møte i fagnettverket %s." % networks[slug].name,
            **spec,
        )

    # Earlier meetings, for the archive ("Tidligere møter").
    past: dict[str, Event] = {}
    for slug, days_ago in (("klima-og-miljo", 70), ("folkehelse", 45)):
        day = today - timedelta(days=days_ago)
        past[slug] = _event(
            "meeting-%s-previous" % slug,
            title="Nettverksmøte %s: oppstart og arbeidsplan" % networks[slug].name.lower(),
            kind=Event.Kind.NETWORK_MEETING,
            host=telemark,
            network=networks[slug],
            starts_at=_at(day, 10),
            ends_at=_at(day, 13),
            venue_name="Fylkeshuset i Skien",
            venue_address="Fylkesbakken 1, 3715 Skien",
            status=Event.Status.PUBLISHED,
        )

    # A few registrations, from the demo partnership's people.
    R = Registration.Status
    _registrations(
        conference_2021,
        [
            DemoRegistration("kari.nordmann@example.org", checked_in=True),
            DemoRegistration("ola.hansen@example.org", checked_in=True),
            DemoRegistration("ingrid.bakke@example.org", checked_in=True),
            DemoRegistration("per.olsen@example.org"),
        ],
    )
    _registrations(
        conference_2020,
        [
            DemoRegistration("kari.nordmann@example.org"),
            DemoRegistration("ingrid.bakke@example.org"),
        ],
    )
    sector = CONFERENCE_SECTOR.label
    dinner = CONFERENCE_DINNER.label
    _registrations(
        conference,
        [
            DemoRegistration(
                "kari.nordmann@example.org",
                sessions=[WORKSHOPS["verdiskaping-og-kompetanse"]],
                answers={sector: "Forskning og utdanning", dinner: True},
            ),
            DemoRegistration(
                "ola.hansen@example.org",
                dietary_needs="Glutenfri",
                sessions=[WORKSHOPS["verdiskaping-og-kompetanse"]],
                answers={sector: "Privat sektor", dinner: True},
            ),
            DemoRegistration(
                "sigrid.lunde@example.org",
                sessions=[WORKSHOPS["klima-og-miljo"]],
                answers={sector: "Offentlig sektor", dinner: False},
            ),
            DemoRegistration(
                "lars.dahl@example.org",
                assistance_needs="Trenger teleslynge",
                sessions=[WORKSHOPS["samferdsel-og-mobilitet"]],
                answers={sector: "Offentlig sektor", dinner: False},
            ),
            DemoRegistration(
                "nora.eriksen@example.org",
                dietary_needs="Vegetar",
                sessions=[WORKSHOPS["folkehelse"]],
                answers={sector: "Offentlig sektor", dinner: True},
            ),
            DemoRegistration(
                "ahmed.ali@example.org",
                dietary_needs="Halal",
                sessions=[WORKSHOPS["folkehelse"]],
                answers={sector: "Frivillig sektor", dinner: False},
            ),
            DemoRegistration(
                "hakon.strand@example.org",
                status=R.CANCELLED,
                answers={sector: "Arbeidstakerorganisasjon"},
            ),
        ],
    )
    # The folkehelse meeting is full: four seats taken, one on the waiting list.
    _registrations(
        upcoming["folkehelse"],
        [
            DemoRegistration("nora.eriksen@example.org", dietary_needs="Vegetar"),
            DemoRegistration("sofie.larsen@example.org"),
            DemoRegistration("ahmed.ali@example.org", assistance_needs="Rullestolplass"),
            DemoRegistration("ingrid.bakke@example.org"),
            DemoRegistration("maria.johansen@example.org", status=R.WAITLISTED),
        ],
    )
    _registrations(
        upcoming["klima-og-miljo"],
        [
            DemoRegistration("sigrid.lunde@example.org"),
            DemoRegistration("jonas.berg@example.org"),
            DemoRegistration("emma.wilson@example.org"),
        ],
    )
    _registrations(
        upcoming["samferdsel-og-mobilitet"],
        [
            DemoRegistration("lars.dahl@example.org"),
            DemoRegistration("anne.solberg@example.org"),
        ],
    )
    _registrations(
        past["klima-og-miljo"],
        [
            DemoRegistration("sigrid.lunde@example.org", checked_in=True),
            DemoRegistration("jonas.berg@example.org", checked_in=True),
            DemoRegistration("emma.wilson@example.org"),
        ],
    )
    for event in [conference_2020, conference_2021, conference, *upcoming.values(), *past.values()]:
        _recount(event)
