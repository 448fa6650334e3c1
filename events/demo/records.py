"""The past conferences' records: a report each, written from the seed text ("Informasjon om
gjennomførte partnerskapskonferanser i 2020 og 2021"), and a public document or link each.

Rows are written directly, as the rest of the demo is, inside seed_events' transaction; each is
keyed on its event (and a document on its title), so a second run changes nothing.
"""

import hashlib

from django.core.files.base import ContentFile

from ..models import Event, EventDocument, EventReport
from ..pdf import Document

REPORT_2020 = (
    "Partnerskapskonferansen 2020 ble holdt digitalt på grunn av smittevernreglene. "
    "Fylkesordfører Terje Riis Johansen ønsket velkommen til ressurspersoner fra frivilligheten, "
    "privat og offentlig sektor.\n\n"
    "Hva vi drøftet: Fylkestinget vedtok 31.03.2020 i sak 25/20 «Å utvikle Vestfold og Telemark "
    "– partnerskap og nettverk». Konferansen drøftet hvordan det overordnede partnerskapet og de "
    "fire tematiske nettverkene – klima og miljø, samferdsel og mobilitet, verdiskaping og "
    "kompetanse og folkehelse – skal arbeide, og hvordan høyt utenforskap, lav verdiskaping og "
    "høye utslipp kan møtes med samhandling på tvers av geografi, sektorer og bransjer.\n\n"
    "Hva vi ble enige om: Det overordnede partnerskapet skal være tverrsektorielt og strategisk, "
    "fagnettverkene mer operative og prosjektbaserte. FNs bærekraftsmål er felles arbeidsplan, "
    "og hvert nettverk holder sitt første møte innen utgangen av året."
)
REPORT_2021 = (
    "Partnerskapskonferansen 2021 samlet deltakere fra offentlig og privat sektor, forskning, "
    "arbeidstakerorganisasjoner og frivilligheten i Bølgen kulturhus i Larvik. Tema var grønn "
    "omstilling og verdiskaping i Vestfold og Telemark.\n\n"
    "Hva vi drøftet: Hvor regionen står i arbeidet med bærekraftsmålene, og hva som skal til for "
    "å forene kreftene om tiltak som fremmer verdiskaping gjennom grønn omstilling. "
    "Paneldebatten handlet om hvordan tunge samfunnsaktører kan samles om viktige veivalg for "
    "hele regionen.\n\n"
    "Hva vi ble enige om: Fagnettverkene legger fram hvert sitt forslag til felles tiltak før "
    "neste konferanse, og forprosjektet DigiTV (Digitale Telemark og Vestfold), med Tønsberg "
    "kommune som vertskapskommune, orienterer partnerskapet om arbeidet sitt."
)


def _minutes_pdf(event: Event, report: str) -> bytes:
    pdf = Document(title="Referat: %s" % event.title, footer=event.title)
    pdf.heading("Referat: %s" % event.title)
    for paragraph in report.split("\n\n"):
        pdf.paragraph(paragraph)
    return pdf.bytes()


def seed_records(*, conferences: dict[str, Event]) -> None:
    conference_2020 = conferences["conference-2020"]
    conference_2021 = conferences["conference-2021"]
    for event, text in ((conference_2020, REPORT_2020), (conference_2021, REPORT_2021)):
        EventReport.objects.get_or_create(event=event, defaults={"text": text})
    # 2020 was digital: its recording is a link (the demo's addresses are example.org ones).
    EventDocument.objects.get_or_create(
        event=conference_2020,
        title="Opptak av konferansen",
        defaults={
            "kind": EventDocument.Kind.PRESENTATION,
            "visibility": EventDocument.Visibility.PUBLIC,
            "url": "https://video.example.org/partnerskapskonferansen-2020",
        },
    )
    title = "Referat fra partnerskapskonferansen 2021"
    if not conference_2021.documents.filter(title=title).exists():
        content = _minutes_pdf(conference_2021, REPORT_2021)
        document = EventDocument(
            event=conference_2021,
            title=title,
            kind=EventDocument.Kind.MINUTES,
            visibility=EventDocument.Visibility.PUBLIC,
            original_name="referat-partnerskapskonferansen-2021.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        document.file.save("referat.pdf", ContentFile(content), save=False)
        document.save()
