"""Demo calls for input: the source text's own call (Telemark, deadline 27 December 2023,
closed, with a handful of invented answers, some published) and one open call relative to
today. Idempotent: each call is keyed by its slug, created once and never moved.

Depends on partners.demo.seed_partners having run (hosts, networks, organisations).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from partners.models import Host, Network, Organisation

from .models import Answer, AnswerText, Call, CallQuestion

OSLO = ZoneInfo("Europe/Oslo")
SOURCE_SLUG = "nettverk-og-partnerskap-i-nye-fylkeskommuner"
OPEN_SLUG = "klima-og-miljo-tiltak"

SOURCE_INTRODUCTION = (
    "Ny Telemark fylkeskommune skal være operativ fra 1. januar 2024.\n\n"
    "I den forbindelse ønsker vi innspill på hvordan Telemark fylkeskommune skal kommunisere "
    "og samhandle med omverdenen. Blant annet hvilke nettverk og partnerskap vi bør etablere "
    "og drifte fra 2024."
)
SOURCE_QUESTIONS = [
    "Hvilke nettverk og partnerskap bør Telemark fylkeskommune etablere og drifte fra 2024?",
    "Hvordan bør fylkeskommunen kommunisere og samhandle med omverdenen?",
]
# (name, email, organisation or "", on behalf, consent, published, texts)
SOURCE_ANSWERS = [
    (
        "Ingrid Haugen",
        "ingrid.haugen@example.org",
        "Universitetet i Sørøst-Norge",
        True,
        True,
        True,
        [
            "Et eget kompetansenettverk der universitetet, næringslivet og kommunene møtes.",
            "Faste møteplasser to ganger i året, og en felles side for innspill.",
        ],
    ),
    (
        "Per Aasen",
        "per.aasen@example.org",
        "NHO Vestfold og Telemark",
        True,
        True,
        True,
        [
            "Verdiskapning og grønn omstilling bør ha sitt eget nettverk også i Telemark.",
            "Tidlig involvering før vedtak, ikke bare høringer.",
        ],
    ),
    (
        "Lise Berg",
        "lise.berg@example.org",
        "LO Vestfold og Telemark",
        True,
        True,
        False,
        ["Folkehelse og arbeidsliv henger sammen; et nettverk for begge.", ""],
    ),
    (
        "Ola Nilsen",
        "ola.nilsen@example.org",
        "",
        False,
        True,
        True,
        ["Et nettverk for frivilligheten i distriktene.", "Åpne møter i regionsentrene."],
    ),
    (
        "Marte Lund",
        "marte.lund@example.org",
        "",
        False,
        False,
        False,
        ["Kollektivtilbudet i Vest-Telemark.", "Svar på e-post raskere."],
    ),
]


def _call(slug: str, defaults: dict, questions: list[str]) -> tuple[Call, bool]:
    call, created = Call.objects.get_or_create(slug=slug, defaults=defaults)
    if created:
        for order, text in enumerate(questions, start=1):
            CallQuestion.objects.create(call=call, order=order, text=text, required=order == 1)
    return call, created


def _answers(call: Call) -> None:
    questions = list(call.questions.all())
    organisations = {o.name: o for o in Organisation.objects.all()}
    for n, (name, email, org, on_behalf, consent, published, texts) in enumerate(SOURCE_ANSWERS):
        answer = Answer.objects.create(
            call=call,
            name=name,
            email=email,
            organisation=organisations.get(org),
            organisation_name="" if org in organisations else org,
            on_behalf=on_behalf,
            consent_to_publish=consent,
            published=published,
            status=Answer.Status.UNDER_CONSIDERATION if n % 2 else Answer.Status.RECEIVED,
        )
        # Sent in the weeks before the deadline.
        Answer.objects.filter(pk=answer.pk).update(
            submitted_at=call.closes_at - dt.timedelta(days=20 - 3 * n)
        )
        for question, text in zip(questions, texts, strict=True):
            if text:
                AnswerText.objects.create(answer=answer, question=question, text=text)


@transaction.atomic
def seed_calls() -> None:
    telemark = Host.objects.get(slug="telemark")
    vestfold = Host.objects.get(slug="vestfold")
    source, created = _call(
        SOURCE_SLUG,
        {
            "host": telemark,
            "title": "Vi ønsker innspill om nettverk og partnerskap i nye fylkeskommuner",
            "introduction": SOURCE_INTRODUCTION,
            "opens_at": dt.datetime(2023, 11, 27, 9, 0, tzinfo=OSLO),
            "closes_at": dt.datetime(2023, 12, 27, 23, 59, tzinfo=OSLO),
            "status": Call.Status.PUBLISHED,
            "publishes_answers": True,
            "contact_name": "Tom Omnes Lia",
            "contact_title": "Rådgiver",
            "contact_email": "tom.omnes.lia@telemarkfylke.example.org",
        },
        SOURCE_QUESTIONS,
    )
    if created:
        _answers(source)
    today = timezone.localdate()
    closes = dt.datetime.combine(today + dt.timedelta(days=21), dt.time(23, 59), tzinfo=OSLO)
    _call(
        OPEN_SLUG,
        {
            "host": vestfold,
            "network": Network.objects.filter(slug="klima-og-miljo").first(),
            "title": "Hvilke klimatiltak bør nettverket prioritere neste år?",
            "introduction": (
                "Nettverket for klima og miljø legger planen for neste år, og vil gjerne høre "
                "fra medlemmer, kommuner, næringsliv og frivillige.\n\n"
                "Skriv kort, og legg gjerne ved et notat (PDF, Word eller ODT)."
            ),
            "opens_at": dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9), tzinfo=OSLO),
            "closes_at": closes,
            "status": Call.Status.PUBLISHED,
            "publishes_answers": True,
            "contact_name": "Kari Klima",
            "contact_title": "Rådgiver",
            "contact_email": "klima@vestfoldfylke.example.org",
        },
        [
            "Hvilke tre klimatiltak bør nettverket prioritere?",
            "Hva kan din organisasjon bidra med?",
        ],
    )
