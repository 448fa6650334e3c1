"""The demo partnership, exactly as the seed text names it. Idempotent: keyed on names and slugs."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import (
    Host,
    Network,
    Organisation,
    OrganisationMembership,
    OrganiserRole,
    Person,
    PersonMembership,
)

S = Organisation.Sector

# (name, short name, sector, website)
MEMBERS = [
    ("Universitetet i Sørøst-Norge", "USN", S.RESEARCH, "https://www.usn.no"),
    ("NHO Vestfold og Telemark", "NHO", S.PRIVATE, "https://www.nho.no"),
    ("LO Vestfold og Telemark", "LO", S.LABOUR, "https://www.lo.no"),
    ("Industrial Green Tech", "IGT", S.PRIVATE, ""),
    ("NAV Vestfold og Telemark", "NAV", S.PUBLIC, "https://www.nav.no"),
    ("Forskningsrådet", "", S.RESEARCH, "https://www.forskningsradet.no"),
    (
        "Innovasjon Norge Vestfold og Telemark",
        "Innovasjon Norge",
        S.PUBLIC,
        "https://www.innovasjonnorge.no",
    ),
    (
        "Kommunene i Vestfold og Telemark ved KS Vestfold og Telemark",
        "KS",
        S.PUBLIC,
        "https://www.ks.no",
    ),
    (
        "Statsforvalteren i Vestfold og Telemark",
        "Statsforvalteren",
        S.PUBLIC,
        "https://www.statsforvalteren.no",
    ),
    ("Vestfold fylkeskommune", "VFK", S.PUBLIC, "https://www.vestfoldfylke.no"),
    ("Telemark fylkeskommune", "TFK", S.PUBLIC, "https://www.telemarkfylke.no"),
]
OBSERVERS = [
    ("Statens vegvesen", "SVV", S.PUBLIC, "https://www.vegvesen.no"),
    ("Nye Veier", "", S.PUBLIC, "https://www.nyeveier.no"),
    ("Avinor", "", S.PUBLIC, "https://avinor.no"),
    ("Kystverket", "", S.PUBLIC, "https://www.kystverket.no"),
    ("Jernbanedirektoratet", "", S.PUBLIC, "https://www.jernbanedirektoratet.no"),
    ("Helse Sør-Øst", "", S.PUBLIC, "https://www.helse-sorost.no"),
    ("NVE", "", S.PUBLIC, "https://www.nve.no"),
]
OTHER_ORGANISATIONS = [
    ("Tønsberg kommune", "", S.PUBLIC, "https://www.tonsberg.kommune.no"),
    ("Frivillighet Norge", "", S.VOLUNTARY, "https://www.frivillighetnorge.no"),
]

PARTNERSHIP_DESCRIPTION = (
    "Det overordnete partnerskapet skal søke å se helheten og ulike perspektiv og sette dagsorden. "
    "Partnerskapet skal stimulere til utvikling i regionen, koble ulike miljøer og legge til rette "
    "for synergier innenfor målene om en bærekraftig samfunnsutvikling.\n\n"
    "Partnerskapet skal samle tunge samfunnsaktører i regionen om viktige veivalg for hele regionen "
    "og forene kreftene om tiltak som oppfyller bærekraftsmålene og fremmer verdiskaping gjennom "
    "grønn omstilling. Deltakerne i partnerskapet er toppledere i de mest toneangivende regionale aktørene."
)

# The seed text: "Etableringen av partnerskapet ble vedtatt i Fylkestingets sak 25/20 31.03.2020
# «Å utvikle Vestfold og Telemark - partnerskap og nettverk» vedtaket finnes her", and its contact.
# It gives no address for the decision or the contact, so the link is an example.org one.
PARTNERSHIP_PAGE = {
    "founding_decision": (
        "Fylkestingets sak 25/20, 31.03.2020: «Å utvikle Vestfold og Telemark – partnerskap og "
        "nettverk»"
    ),
    "founding_decision_url": "https://www.vestfoldfylke.example.org/politikk/fylkestinget/sak-25-20",
    "contact_name": "Tom Omnes Lia",
    "contact_title": "Rådgiver",
}

# (slug, name, kind, sdgs, description, host municipality)
NETWORKS = [
    (
        "klima-og-miljo",
        "Klima og miljø",
        Network.Kind.THEMATIC,
        [7, 12, 13, 14, 15],
        "Fagnettverk for klima og miljø: operativt og prosjektbasert arbeid med utslippskutt, klimatilpasning og naturmangfold.",
        "",
    ),
    (
        "samferdsel-og-mobilitet",
        "Samferdsel og mobilitet",
        Network.Kind.THEMATIC,
        [9, 11, 13],
        "Fagnettverk for samferdsel og mobilitet: transport, infrastruktur og bærekraftig mobilitet i hele regionen.",
        "",
    ),
    (
        "verdiskaping-og-kompetanse",
        "Verdiskaping og kompetanse",
        Network.Kind.THEMATIC,
        [4, 8, 9],
        "Fagnettverk for verdiskaping og kompetanse: grønn omstilling, næringsutvikling og kompetanse for framtidas arbeidsliv.",
        "",
    ),
    (
        "folkehelse",
        "Folkehelse",
        Network.Kind.THEMATIC,
        [3, 10],
        "Fagnettverk for folkehelse: gode levekår, inkludering og mindre utenforskap.",
        "",
    ),
    (
        "digitv",
        "DigiTV – Digitale Telemark og Vestfold",
        Network.Kind.PROJECT,
        [9, 11, 17],
        "Forprosjektet DigiTV (Digitale Telemark og Vestfold), der Vestfold fylkeskommune og Telemark fylkeskommune deltar.",
        "Tønsberg kommune",
    ),
]

# Fictional people per network (example.org addresses): (name, title, organisation, role, language)
PEOPLE = {
    "baerekraftige-vestfold-og-telemark": [
        ("Kari Nordmann", "Rektor", "Universitetet i Sørøst-Norge", "member", "nb"),
        ("Ola Hansen", "Regiondirektør", "NHO Vestfold og Telemark", "member", "nb"),
        ("Ingrid Bakke", "Fylkesdirektør", "Telemark fylkeskommune", "leader", "nn"),
        ("Per Olsen", "Rådgiver", "Vestfold fylkeskommune", "contact", "nb"),
    ],
    "klima-og-miljo": [
        (
            "Sigrid Lunde",
            "Klimarådgiver",
            "Statsforvalteren i Vestfold og Telemark",
            "leader",
            "nn",
        ),
        ("Jonas Berg", "Miljøsjef", "Industrial Green Tech", "member", "nb"),
        ("Emma Wilson", "Researcher", "Universitetet i Sørøst-Norge", "member", "en"),
    ],
    "samferdsel-og-mobilitet": [
        ("Lars Dahl", "Seksjonsleder", "Statens vegvesen", "leader", "nb"),
        ("Anne Solberg", "Planlegger", "Vestfold fylkeskommune", "member", "nb"),
        ("Tone Haugen", "Rådgiver", "Nye Veier", "member", "nn"),
    ],
    "verdiskaping-og-kompetanse": [
        ("Eirik Moen", "Seniorrådgiver", "Innovasjon Norge Vestfold og Telemark", "leader", "nb"),
        ("Maria Johansen", "Kompetanserådgiver", "NAV Vestfold og Telemark", "member", "nb"),
        ("Håkon Strand", "Organisasjonssekretær", "LO Vestfold og Telemark", "member", "nn"),
    ],
    "folkehelse": [
        ("Nora Eriksen", "Folkehelsekoordinator", "Telemark fylkeskommune", "leader", "nn"),
        (
            "Sofie Larsen",
            "Kommuneoverlege",
            "Kommunene i Vestfold og Telemark ved KS Vestfold og Telemark",
            "member",
            "nb",
        ),
        ("Ahmed Ali", "Daglig leder", "Frivillighet Norge", "member", "nb"),
    ],
    "digitv": [
        ("Marius Knutsen", "Prosjektleder", "Tønsberg kommune", "leader", "nb"),
        ("Live Aasen", "Digitaliseringsrådgiver", "Telemark fylkeskommune", "member", "nn"),
    ],
}


def _email_for(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "."})
    return "%s@example.org" % name.lower().translate(table)


@transaction.atomic
def seed_partners(*, with_people: bool = True) -> None:
    """The organisations, the two hosts, the partnership and its networks as the seed text names
    them; with_people adds the demo's invented people (example.org addresses)."""
    # Rows by the hundred, so upserts in one statement each (the tests seed this per test).
    Organisation.objects.bulk_create(
        [
            Organisation(name=name, short_name=short, sector=sector, website=website)
            for name, short, sector, website in MEMBERS + OBSERVERS + OTHER_ORGANISATIONS
        ],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["short_name", "sector", "website"],
    )
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(
            name__in=[row[0] for row in MEMBERS + OBSERVERS + OTHER_ORGANISATIONS]
        )
    }

    vestfold, _ = Host.objects.update_or_create(
        slug="vestfold",
        defaults={
            "name": "Vestfold fylkeskommune",
            "organisation": organisations["Vestfold fylkeskommune"],
            "email": "partnerskap@vestfoldfylke.example.org",
            "privacy_email": "personvern@vestfoldfylke.example.org",
            "dpo_name": "Personvernombudet i Vestfold fylkeskommune",
            "dpo_email": "personvernombud@vestfoldfylke.example.org",
        },
    )
    telemark, _ = Host.objects.update_or_create(
        slug="telemark",
        defaults={
            "name": "Telemark fylkeskommune",
            "organisation": organisations["Telemark fylkeskommune"],
            "email": "partnerskap@telemarkfylke.example.org",
            "privacy_email": "personvern@telemarkfylke.example.org",
            "dpo_name": "Personvernombudet i Telemark fylkeskommune",
            "dpo_email": "personvernombud@telemarkfylke.example.org",
        },
    )

    partnership, _ = Network.objects.update_or_create(
        slug="baerekraftige-vestfold-og-telemark",
        defaults={
            "name": "Bærekraftige Vestfold og Telemark",
            "kind": Network.Kind.PARTNERSHIP,
            "description": PARTNERSHIP_DESCRIPTION,
            "sdgs": [8, 9, 11, 13, 17],
            **PARTNERSHIP_PAGE,
        },
    )
    partnership.hosts.set([vestfold, telemark])
    roles = [OrganisationMembership.Role.MEMBER] * len(MEMBERS) + [
        OrganisationMembership.Role.OBSERVER
    ] * len(OBSERVERS)
    OrganisationMembership.objects.bulk_create(
        [
            OrganisationMembership(
                network=partnership, organisation=organisations[name], role=role, position=position
            )
            for position, ((name, *_rest), role) in enumerate(
                zip(MEMBERS + OBSERVERS, roles, strict=True)
            )
        ],
        update_conflicts=True,
        unique_fields=["network", "organisation"],
        update_fields=["role", "position"],
    )

    networks = {partnership.slug: partnership}
    for slug, name, kind, sdgs, description, municipality in NETWORKS:
        network, _ = Network.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "sdgs": sdgs,
                "description": description,
                "host_municipality": municipality,
                "parent": partnership,
            },
        )
        network.hosts.set([vestfold, telemark])
        networks[slug] = network

    if not with_people:
        return
    _seed_people(organisations, networks)


def _seed_people(organisations: dict[str, Organisation], networks: dict[str, Network]) -> None:
    """The invented people: each person once by address (the constraint is on the lower-cased
    address, which an upsert cannot name), their memberships upserted, and their
    organisations made members of the network unless they are already."""
    rows = {
        _email_for(name): (name, title, organisations[organisation_name], language)
        for people in PEOPLE.values()
        for name, title, organisation_name, _role, language in people
    }
    known = {person.email.lower(): person for person in Person.objects.filter(email__in=rows)}
    for email, (name, title, organisation, language) in rows.items():
        person = known.get(email) or Person(email=email)
        person.name, person.title, person.organisation, person.language = (
            name,
            title,
            organisation,
            language,
        )
        known[email] = person
    Person.objects.bulk_update(
        [person for person in known.values() if person.pk],
        ["name", "title", "organisation", "language"],
    )
    Person.objects.bulk_create([person for person in known.values() if not person.pk])
    people = {person.email: person for person in Person.objects.filter(email__in=rows)}
    memberships = [
        (networks[slug], people[_email_for(name)], role, organisations[organisation_name])
        for slug, members in PEOPLE.items()
        for name, _title, organisation_name, role, _language in members
    ]
    PersonMembership.objects.bulk_create(
        [
            PersonMembership(network=network, person=person, role=role)
            for network, person, role, _ in memberships
        ],
        update_conflicts=True,
        unique_fields=["network", "person"],
        update_fields=["role"],
    )
    OrganisationMembership.objects.bulk_create(
        [
            OrganisationMembership(
                network=network,
                organisation=organisation,
                role=OrganisationMembership.Role.MEMBER,
                position=100,
            )
            for network, _person, _role, organisation in memberships
        ],
        ignore_conflicts=True,
    )


# Organisers with scoped roles beside the superuser `arrangor`, all of them Vestfold county
# staff: one for everything the county hosts, and one per network who sees only that network.
# (username, host slug or "", network slug or "")
SUPERUSER = "arrangor"
ORGANISERS = [
    ("arrangor-vestfold", "vestfold", ""),
    ("arrangor-partnerskapet", "", "baerekraftige-vestfold-og-telemark"),
    ("arrangor-klima", "", "klima-og-miljo"),
    ("arrangor-samferdsel", "", "samferdsel-og-mobilitet"),
    ("arrangor-verdiskaping", "", "verdiskaping-og-kompetanse"),
    ("arrangor-folkehelse", "", "folkehelse"),
    ("arrangor-digitv", "", "digitv"),
]


@transaction.atomic
def seed_organisers() -> None:
    """The scoped demo organisers and their roles. They get no password here (none usable):
    `ensure_demo_organiser` gives them the demo login's password; an API token needs none."""
    User = get_user_model()
    for username, host_slug, network_slug in ORGANISERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username, "%s@vestfoldfylke.example.org" % username, password=None
            )
        if host_slug:
            OrganiserRole.objects.get_or_create(user=user, host=Host.objects.get(slug=host_slug))
        else:
            OrganiserRole.objects.get_or_create(
                user=user, network=Network.objects.get(slug=network_slug)
            )


def demo_organiser_logins(*, password: str, reset: bool) -> list[tuple[str, str]]:
    """Give the scoped demo organisers the demo login's password (those without a usable one;
    every one of them when `reset`), and say who sees what: [(username, scope)]."""
    User = get_user_model()
    users = {
        user.username: user for user in User.objects.filter(username__in=[o[0] for o in ORGANISERS])
    }
    logins = []
    for username, host_slug, network_slug in ORGANISERS:
        user = users.get(username)
        if user is None:
            continue
        if reset or not user.has_usable_password():
            user.set_password(password)
            user.save(update_fields=["password"])
        if host_slug:
            host = Host.objects.get(slug=host_slug)
            scope = "host %s: its events and every network it runs" % host.name
        else:
            scope = "network %s only" % Network.objects.get(slug=network_slug).name
        logins.append((username, scope))
    return logins
