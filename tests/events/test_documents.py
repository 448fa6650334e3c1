"""An event's documents: added by its organisers (types by content, a size limit, nothing stored
when refused), seen by whom their visibility says, downloaded only as attachments, and gone
with their rows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events.models import EventDocument, Registration
from partners.models import Network
from tests.factories import EventFactory, RegistrationFactory
from tests.upload_files import DOCX, JPEG, ODP, ODT, PDF, PNG, PPTX, XLSX, stored_files, zip_file


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    return settings.PRIVATE_UPLOAD_ROOT


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def event(klima):
    return EventFactory(network=klima, title="Klimamøte")


@pytest.fixture
def organiser_client(client, make_organiser, klima):
    client.force_login(make_organiser("klima-organiser", network=klima))
    return client


def _add(client, event, name, content, **fields):
    data = {"title": "Saksliste", "kind": "agenda", "visibility": "public", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post("/arrangor/arrangementer/%d/dokumenter/" % event.pk, data)


def _document(event, visibility, content=PDF):
    document = EventDocument(
        event=event,
        title="Dokument %s" % visibility,
        kind=EventDocument.Kind.MINUTES,
        visibility=visibility,
        original_name="referat.pdf",
        content_type="application/pdf",
        size=len(content),
    )
    from django.core.files.base import ContentFile

    document.file.save("x.pdf", ContentFile(content), save=False)
    document.save()
    return document


# Uploading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("saksliste.pdf", PDF, "application/pdf"),
        (
            "brev.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "lysark.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("tall.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("brev.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("lysark.odp", ODP, "application/vnd.oasis.opendocument.presentation"),
        ("bilde.png", PNG, "image/png"),
        ("foto.JPG", JPEG, "image/jpeg"),
    ],
)
def test_allowed_files_are_stored_privately_under_a_random_name(
    organiser_client, event, private, name, content, content_type
):
    response = _add(organiser_client, event, name, content)
    assert response.status_code == 302
    document = EventDocument.objects.get()
    assert (document.content_type, document.original_name) == (content_type, name)
    (path,) = stored_files(private)
    assert path.read_bytes() == content and name not in path.name
    page = organiser_client.get(response["Location"])
    assert "The document was added." in page.content.decode() and name in page.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "saksliste.pdf",
            b"<html><script>alert(1)</script></html>",
            "is not a file type we accept",
        ),
        ("faktura.pdf", b"MZ\x90\x00 this is a program", "is not a file type we accept"),
        ("arkiv.docx", zip_file({"a.txt": b"hello"}), "is not a file type we accept"),
        # A Word file that says it is one but has no word/ part.
        (
            "tom.docx",
            zip_file(
                {
                    "[Content_Types].xml": b"application/vnd.openxmlformats-officedocument."
                    b"wordprocessingml.document.main+xml"
                }
            ),
            "is not a file type we accept",
        ),
        ("tom.pdf", b"", "The submitted file is empty"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_stored(
    organiser_client, event, private, name, content, message
):
    response = _add(organiser_client, event, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert name in response.content.decode() or "empty" in message
    assert not EventDocument.objects.exists() and stored_files(private) == []


def test_a_file_over_the_limit_is_refused(organiser_client, event, private, settings):
    settings.EVENT_DOCUMENT_MAX_BYTES = 1000
    response = _add(organiser_client, event, "stor.pdf", PDF + b"0" * 1000)
    assert response.status_code == 400
    assert "stor.pdf is larger than 1000" in response.content.decode()
    assert not EventDocument.objects.exists() and stored_files(private) == []


def test_the_refusal_is_translated(organiser_client, event, private):
    organiser_client.cookies["django_language"] = "nn"
    response = _add(organiser_client, event, "side.pdf", b"<html>")
    assert response.status_code == 400
    assert "side.pdf er ikkje ein filtype vi tek imot" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "url", "message"),
    [
        (None, "", "Upload a file or give a link: one of the two."),
        (PDF, "https://example.org/x", "Upload a file or give a link: one of the two."),
        (None, "javascript:alert(1)", "Enter a link starting with https://."),
    ],
)
def test_a_document_is_a_file_or_a_link(organiser_client, event, private, content, url, message):
    response = _add(organiser_client, event, "a.pdf", content, url=url)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EventDocument.objects.exists() and stored_files(private) == []


def test_a_link_is_added_and_shown_on_the_public_page(organiser_client, client, event):
    response = _add(organiser_client, event, "", None, url="https://video.example.org/opptak")
    assert response.status_code == 302
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'href="https://video.example.org/opptak"' in page


def test_edit_and_delete_remove_the_file(
    organiser_client, event, private, django_capture_on_commit_callbacks
):
    document = _document(event, EventDocument.Visibility.PUBLIC)
    base = "/arrangor/arrangementer/%d/dokumenter/%d/" % (event.pk, document.pk)
    response = organiser_client.post(
        base, {"title": "Nytt navn", "kind": "minutes", "visibility": "organisers"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.visibility) == ("Nytt navn", "organisers")
    assert organiser_client.get(base + "slett/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert organiser_client.post(base + "slett/").status_code == 302
    assert not EventDocument.objects.exists() and stored_files(private) == []


def test_documents_and_files_go_with_the_event(event, private, django_capture_on_commit_callbacks):
    _document(event, EventDocument.Visibility.PUBLIC)
    assert len(stored_files(private)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        event.delete()
    assert not EventDocument.objects.exists() and stored_files(private) == []


def test_another_networks_organiser_is_refused(client, make_organiser, event, private):
    document = _document(event, EventDocument.Visibility.ORGANISERS)
    other = Network.objects.get(slug="folkehelse")
    client.force_login(make_organiser("folkehelse-organiser", network=other))
    base = "/arrangor/arrangementer/%d/dokumenter/" % event.pk
    for url in (base, base + "%d/" % document.pk, base + "%d/last-ned/" % document.pk):
        assert client.get(url).status_code == 404, url
    response = _add(client, event, "a.pdf", PDF)
    assert response.status_code == 404 and EventDocument.objects.count() == 1


# Who sees what ---------------------------------------------------------------------------------


@pytest.fixture
def three(event):
    return {v: _document(event, v) for v in EventDocument.Visibility.values}


def _is_download(response, content=PDF):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="referat.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content
    return True


def _refused(response):
    assert response.status_code in (403, 404)
    assert PDF not in response.content
    return True


def test_the_public_sees_public_documents_only(client, event, three):
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Dokument public" in page
    assert "Dokument participants" not in page and "Dokument organisers" not in page
    url = "/arrangementer/%d/dokumenter/%d/"
    assert _is_download(client.get(url % (event.pk, three["public"].pk)))
    assert _refused(client.get(url % (event.pk, three["participants"].pk)))
    assert _refused(client.get(url % (event.pk, three["organisers"].pk)))


def test_a_participant_sees_public_and_participants_documents(client, event, three):
    registration = RegistrationFactory(event=event)
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "Dokument public" in page and "Dokument participants" in page
    assert "Dokument organisers" not in page
    url = "/arrangementer/p/%s/dokumenter/%d/"
    assert _is_download(client.get(url % (registration.token, three["public"].pk)))
    assert _is_download(client.get(url % (registration.token, three["participants"].pk)))
    assert _refused(client.get(url % (registration.token, three["organisers"].pk)))


def test_a_cancelled_registration_sees_public_documents_only(client, event, three):
    registration = RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    url = "/arrangementer/p/%s/dokumenter/%d/"
    assert _is_download(client.get(url % (registration.token, three["public"].pk)))
    assert _refused(client.get(url % (registration.token, three["participants"].pk)))


def test_a_participant_of_another_event_is_refused(client, event, klima, three):
    other = RegistrationFactory(event=EventFactory(network=klima))
    page = client.get(other.get_absolute_url()).content.decode()
    assert "Dokument" not in page
    url = "/arrangementer/p/%s/dokumenter/%d/"
    for document in three.values():
        assert _refused(client.get(url % (other.token, document.pk)))
    assert _refused(
        client.get("/arrangementer/p/%s/dokumenter/%d/" % ("x" * 43, three["public"].pk))
    )


def test_organisers_download_every_document(organiser_client, event, three):
    for document in three.values():
        url = "/arrangor/arrangementer/%d/dokumenter/%d/last-ned/" % (event.pk, document.pk)
        assert _is_download(organiser_client.get(url))


def test_a_draft_events_public_document_is_not_public(client, klima, private):
    draft = EventFactory(network=klima, status="draft")
    document = _document(draft, EventDocument.Visibility.PUBLIC)
    assert _refused(client.get("/arrangementer/%d/dokumenter/%d/" % (draft.pk, document.pk)))


def test_a_past_events_page_is_its_record(client, organiser_client, klima, demo):
    from partners.models import Organisation

    now = timezone.now()
    past = EventFactory(
        network=klima, starts_at=now - dt.timedelta(days=30), ends_at=now - dt.timedelta(days=29)
    )
    usn = Organisation.objects.get(name="Universitetet i Sørøst-Norge")
    nho = Organisation.objects.get(name="NHO Vestfold og Telemark")
    for organisation in (usn, usn, nho, None):
        RegistrationFactory(event=past, organisation=organisation)
    RegistrationFactory(event=past, organisation=nho, status=Registration.Status.CANCELLED)
    response = organiser_client.post(
        "/arrangor/arrangementer/%d/rapport/" % past.pk,
        {"text": "Vi drøftet klimatilpasning.\n\nVi vedtok en felles plan."},
    )
    assert response.status_code == 302
    page = client.get(past.get_absolute_url()).content.decode()
    assert "<p>Vi drøftet klimatilpasning.</p>" in page and "Vi vedtok en felles plan." in page
    assert "Participants by sector" in page
    assert '<th scope="row">Research and education</th><td class="num">2</td>' in page
    assert '<th scope="row">Private sector</th><td class="num">1</td>' in page
    assert '<th scope="row">Organisation not in the registry</th><td class="num">1</td>' in page
    assert "Public sector" not in page


def test_a_document_whose_row_is_not_saved_leaves_no_file(event, private, monkeypatch):
    """The file is written before the row's transaction; a failing save removes it again."""
    from events.services import documents

    def refuse(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(EventDocument, "save", refuse)
    upload = SimpleUploadedFile("agenda.pdf", PDF, content_type="application/pdf")
    with pytest.raises(RuntimeError):
        documents.add_document(
            event=event,
            values={"title": "Agenda", "kind": "agenda", "visibility": "public"},
            upload=upload,
        )
    assert stored_files(private) == []
