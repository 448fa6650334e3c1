"""Who registered for the demo events: checked in, cancelled, waiting, with needs and answers."""

from ..models import Event, Registration
from .building import DemoRegistration, add_registrations
from .conferences import CONFERENCE_DINNER, CONFERENCE_SECTOR, WORKSHOPS


def seed_registrations(
    *, conferences: dict[str, Event], upcoming: dict[str, Event], past: dict[str, Event]
) -> None:
    """A few registrations per event, from the demo partnership's people."""
    conference_2020 = conferences["conference-2020"]
    conference_2021 = conferences["conference-2021"]
    conference = conferences["conference-next"]
    R = Registration.Status
    add_registrations(
        conference_2021,
        [
            DemoRegistration("kari.nordmann@example.org", checked_in=True),
            DemoRegistration("ola.hansen@example.org", checked_in=True),
            DemoRegistration("ingrid.bakke@example.org", checked_in=True),
            DemoRegistration("per.olsen@example.org"),
        ],
    )
    add_registrations(
        conference_2020,
        [
            DemoRegistration("kari.nordmann@example.org"),
            DemoRegistration("ingrid.bakke@example.org"),
        ],
    )
    sector = CONFERENCE_SECTOR.label
    dinner = CONFERENCE_DINNER.label
    add_registrations(
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
    add_registrations(
        upcoming["folkehelse"],
        [
            DemoRegistration("nora.eriksen@example.org", dietary_needs="Vegetar"),
            DemoRegistration("sofie.larsen@example.org"),
            DemoRegistration("ahmed.ali@example.org", assistance_needs="Rullestolplass"),
            DemoRegistration("ingrid.bakke@example.org"),
            DemoRegistration("maria.johansen@example.org", status=R.WAITLISTED),
        ],
    )
    add_registrations(
        upcoming["klima-og-miljo"],
        [
            DemoRegistration("sigrid.lunde@example.org"),
            DemoRegistration("jonas.berg@example.org"),
            DemoRegistration("emma.wilson@example.org"),
        ],
    )
    add_registrations(
        upcoming["samferdsel-og-mobilitet"],
        [
            DemoRegistration("lars.dahl@example.org"),
            DemoRegistration("anne.solberg@example.org"),
        ],
    )
    add_registrations(
        past["klima-og-miljo"],
        [
            DemoRegistration("sigrid.lunde@example.org", checked_in=True),
            DemoRegistration("jonas.berg@example.org", checked_in=True),
            DemoRegistration("emma.wilson@example.org"),
        ],
    )
