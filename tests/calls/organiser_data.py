"""A call of network A (klima-og-miljo, host Telemark) with answers, for the organiser tests."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from calls.models import Answer, AnswerAttachment, Call
from partners.models import Host, Network, Organisation, OrganisationMembership
from tests.factories import AnswerFactory, CallFactory, CallQuestionFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(answer: Answer, name: str = "innspill.pdf", content: bytes = PDF_BYTES):
    attachment = AnswerAttachment(
        answer=answer,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def klima_call(**overrides) -> Call:
    """Published, open, publishes answers; two questions; three answers:
    a member organisation on its behalf with consent (and an attachment), a private person
    without consent, and an observer organisation's person."""
    network = Network.objects.get(slug="klima-og-miljo")
    values = {
        "host": Host.objects.get(slug="telemark"),
        "network": network,
        "title": "Innspill om klima og miljø",
        "publishes_answers": True,
        **overrides,
    }
    call = CallFactory(**values)
    CallQuestionFactory(call=call, order=1, text="Hvilke nettverk bør vi ha?", required=True)
    CallQuestionFactory(call=call, order=2, text="Hva mer vil du si?")
    memberships = list(
        OrganisationMembership.objects.filter(network=network).select_related("organisation")
    )
    member = next(m for m in memberships if m.role == "member")
    observer = next((m for m in memberships if m.role == "observer"), None)
    if observer is None:
        outsider = Organisation.objects.exclude(memberships__network=network).order_by("pk")[0]
        observer = OrganisationMembership.objects.create(
            network=network, organisation=outsider, role="observer"
        )
    on_behalf = AnswerFactory(
        call=call,
        name="Åse Ødegård",
        email="ase@example.org",
        organisation=member.organisation,
        on_behalf=True,
        consent_to_publish=True,
        text="Vi ønsker et nettverk for kystkultur og grønn omstilling.",
    )
    attach(on_behalf)
    AnswerFactory(
        call=call,
        name="Per Privat",
        email="per@example.org",
        organisation_name="",
        on_behalf=False,
        consent_to_publish=False,
        text="Mer kollektivtrafikk i distriktene.",
    )
    AnswerFactory(
        call=call,
        name="Olga Observatør",
        email="olga@example.org",
        organisation=observer.organisation,
        on_behalf=False,
        consent_to_publish=True,
        text="Et observatørinnspill.",
    )
    return call


# Fixtures (tests/conftest.py loads this module as a plugin).


@pytest.fixture
def private_storage(settings, tmp_path):
    """Attachments go to the test's own folder (the private storage reads the setting at each
    use)."""
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    return settings.PRIVATE_UPLOAD_ROOT


@pytest.fixture
def klima_organiser(demo, make_organiser):
    return make_organiser("klima-arrangor", network=Network.objects.get(slug="klima-og-miljo"))


@pytest.fixture
def folkehelse_organiser(demo, make_organiser):
    return make_organiser("folkehelse-arrangor", network=Network.objects.get(slug="folkehelse"))


@pytest.fixture
def klima_client(client, klima_organiser):
    client.force_login(klima_organiser)
    return client
