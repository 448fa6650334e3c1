"""The partnership conferences: 2020 and 2021 in the archive, and the next one, open now."""

from datetime import date, datetime, timedelta

from partners.models import Host, Network

from ..models import Event, Question
from .building import (
    DemoQuestion,
    DemoSession,
    add_questions,
    add_sessions,
    at,
    demo_event,
    next_weekday,
)

CONFERENCE_INVITATION = (
    "Fylkesordfører Terje Riis Johansen inviterer ressurspersoner fra frivilligheten, privat og "
    "offentlig sektor til en sosial, faglig og involverende konferanse der samfunnsutvikling er i "
    "fokus."
)

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


def seed_conferences(
    *, telemark: Host, vestfold: Host, partnership: Network, today: date, now: datetime
) -> dict[str, Event]:
    """The three conferences with their agendas and questions, by demo key, oldest first."""
    # Past conferences (the seed text's "gjennomførte partnerskapskonferanser i 2020 og 2021").
    day_2020 = date(2020, 11, 26)
    conference_2020 = demo_event(
        "conference-2020",
        title="Partnerskapskonferansen 2020",
        kind=Event.Kind.CONFERENCE,
        host=vestfold,
        network=partnership,
        description=CONFERENCE_INVITATION
        + "\n\nPå grunn av smittevernreglene ble konferansen holdt digitalt. Tema: "
        "Å utvikle Vestfold og Telemark – partnerskap og nettverk.",
        starts_at=at(day_2020, 9),
        ends_at=at(day_2020, 13),
        meeting_url="https://teams.example.org/partnerskapskonferansen-2020",
        status=Event.Status.PUBLISHED,
        organiser_name="Fylkesordfører Terje Riis Johansen",
        organiser_email="partnerskap@vestfoldfylke.example.org",
        registration_closes_at=at(day_2020 - timedelta(days=3), 23, 59),
    )
    day_2021 = date(2021, 10, 28)
    conference_2021 = demo_event(
        "conference-2021",
        title="Partnerskapskonferansen 2021",
        kind=Event.Kind.CONFERENCE,
        host=telemark,
        network=partnership,
        description=CONFERENCE_INVITATION
        + "\n\nTema: Grønn omstilling og verdiskaping i Vestfold og Telemark.",
        starts_at=at(day_2021, 9, 30),
        ends_at=at(day_2021, 15, 30),
        venue_name="Bølgen kulturhus",
        venue_address="Sjøgata 1, 3263 Larvik",
        capacity=200,
        serves_food=True,
        offers_assistance=True,
        status=Event.Status.PUBLISHED,
        organiser_name="Fylkesordfører Terje Riis Johansen",
        organiser_email="partnerskap@telemarkfylke.example.org",
        registration_closes_at=at(day_2021 - timedelta(days=7), 23, 59),
    )
    add_sessions(
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
    conference_day = next_weekday(today + timedelta(days=150), 3)
    conference = demo_event(
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
        starts_at=at(conference_day, 9),
        ends_at=at(conference_day, 16),
        venue_name="Quality Hotel Skjærgården",
        venue_address="Langesund",
        capacity=250,
        serves_food=True,
        offers_assistance=True,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=at(conference_day - timedelta(days=14), 23, 59),
        status=Event.Status.PUBLISHED,
        organiser_name="Partnerskapssekretariatet",
        organiser_email="partnerskap@telemarkfylke.example.org",
    )
    add_sessions(
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
    add_questions(conference, [CONFERENCE_SECTOR, CONFERENCE_DINNER, CONFERENCE_PRIORITY])
    return {
        "conference-2020": conference_2020,
        "conference-2021": conference_2021,
        "conference-next": conference,
    }
