"""The documents endpoints: organisers of the event list, upload (multipart) and delete;
others are refused in the one error shape, and a refused file stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from events.models import EventDocument
from tests.upload_files import PDF, PPTX, stored_files

from .conftest import assert_error_shape


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    return settings.PRIVATE_UPLOAD_ROOT


def _upload(api, event, name="lysark.pptx", content=PPTX, **fields):
    api.language = api.language or "en"
    data = {"title": "Lysark", "kind": "presentation", "visibility": "participants", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content)
    return api.client.post(
        "/api/v1/events/%d/documents" % event.pk, data, headers=api._headers(None)
    )


def test_an_organiser_uploads_lists_and_deletes(
    world, as_organiser, private, django_capture_on_commit_callbacks
):
    response = _upload(as_organiser, world.published)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Lysark" and body["visibility"] == "participants"
    assert body["file_name"] == "lysark.pptx"
    assert body["content_type"].endswith("presentationml.presentation")
    assert len(stored_files(private)) == 1
    link = _upload(as_organiser, world.published, content=None, url="https://example.org/opptak")
    assert link.status_code == 201 and link.json()["url"] == "https://example.org/opptak"

    listed = as_organiser.get("/events/%d/documents" % world.published.pk)
    assert listed.status_code == 200
    assert [d["title"] for d in listed.json()["items"]] == ["Lysark", "Lysark"]

    with django_capture_on_commit_callbacks(execute=True):
        deleted = as_organiser.client.delete(
            "/api/v1/events/%d/documents/%d" % (world.published.pk, body["id"]),
            headers=as_organiser._headers(None),
        )
    assert deleted.status_code == 204
    assert EventDocument.objects.count() == 1 and stored_files(private) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("saksliste.pdf", b"<html><body>hei</body></html>", "is not a file type we accept"),
        ("program.pdf", b"MZ\x90\x00\x03", "is not a file type we accept"),
    ],
)
def test_a_refused_file_is_a_422_naming_the_file(
    world, as_organiser, private, name, content, message
):
    body = assert_error_shape(
        _upload(as_organiser, world.published, name, content), 422, "validation_error"
    )
    assert body["errors"][0]["field"] == "file"
    assert name + " " + message in body["errors"][0]["message"]
    assert not EventDocument.objects.exists() and stored_files(private) == []


def test_a_file_over_the_limit_is_refused(world, as_organiser, private, settings):
    settings.EVENT_DOCUMENT_MAX_BYTES = 100
    body = assert_error_shape(
        _upload(as_organiser, world.published, "stor.pdf", PDF + b"0" * 100),
        422,
        "validation_error",
    )
    assert "stor.pdf is larger than 100" in body["errors"][0]["message"]
    assert stored_files(private) == []


def test_the_refusal_speaks_the_language_asked_for(world, as_organiser, private):
    as_organiser.language = "nb"
    body = assert_error_shape(
        _upload(as_organiser, world.published, "x.pdf", b"<html>"), 422, "validation_error"
    )
    assert "x.pdf er ikke en filtype vi tar imot" in body["errors"][0]["message"]


def test_others_are_refused(world, anon, as_other, private):
    assert_error_shape(
        anon.get("/events/%d/documents" % world.published.pk), 401, "not_authenticated"
    )
    assert_error_shape(
        as_other.get("/events/%d/documents" % world.published.pk), 403, "permission_denied"
    )
    assert_error_shape(as_other.get("/events/%d/documents" % world.draft.pk), 404, "not_found")
    assert_error_shape(_upload(as_other, world.published), 403, "permission_denied")
    document = EventDocument.objects.create(
        event=world.published, title="Skjult", url="https://example.org/x", visibility="organisers"
    )
    response = as_other.client.delete(
        "/api/v1/events/%d/documents/%d" % (world.published.pk, document.pk),
        headers=as_other._headers(None),
    )
    assert_error_shape(response, 403, "permission_denied")
    assert EventDocument.objects.filter(pk=document.pk).exists() and stored_files(private) == []


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_costs_the_same_for_one_or_many(
    world, as_organiser, count, django_assert_num_queries
):
    for n in range(count):
        EventDocument.objects.create(
            event=world.published, title="L%d" % n, url="https://example.org/%d" % n
        )
    # The same queries for one document or six (the token, the event, the count, the page).
    with django_assert_num_queries(5):
        response = as_organiser.get("/events/%d/documents" % world.published.pk)
    assert response.status_code == 200 and len(response.json()["items"]) == count


def test_an_upload_sent_again_with_its_idempotency_key_is_stored_once(world, as_organiser, private):
    def send():
        return as_organiser.client.post(
            "/api/v1/events/%d/documents" % world.published.pk,
            {
                "title": "Saksliste",
                "kind": "agenda",
                "visibility": "public",
                "file": SimpleUploadedFile("saksliste.pdf", PDF),
            },
            headers=as_organiser._headers({"Idempotency-Key": "upload-1"}),
        )

    first, second = send(), send()
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert EventDocument.objects.count() == 1 and len(stored_files(private)) == 1
