"""Attachments: allowed types by content, at most 3 and 10 MB each; a refusal stores no row
and leaves no file; downloads only through the application, as attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calls.models import Answer, AnswerAttachment
from calls.services.attachments import MAX_BYTES

from .conftest import DOCX, JPEG, ODT, PDF, PNG, form_data, stored_files, zip_file


def _post(client, call, *files):
    data = form_data(call)
    data["attachments"] = list(files)
    return client.post(call.get_absolute_url(), data)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("innspill.pdf", PDF, "application/pdf"),
        ("bilde.png", PNG, "image/png"),
        ("foto.JPG", JPEG, "image/jpeg"),
        (
            "brev.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("brev.odt", ODT, "application/vnd.oasis.opendocument.text"),
        # The type is the content's, whatever the name says.
        ("uten-endelse", PDF, "application/pdf"),
    ],
)
def test_allowed_files_are_stored_under_a_random_name(
    client, call, private_uploads, name, content, content_type
):
    response = _post(client, call, SimpleUploadedFile(name, content, "text/plain"))
    assert response.status_code == 302
    attachment = AnswerAttachment.objects.get()
    assert attachment.content_type == content_type and attachment.original_name == name
    assert attachment.size == len(content)
    (path,) = stored_files(private_uploads)
    assert path.read_bytes() == content and name not in path.name


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("side.html", b"<html><script>alert(1)</script>")], "is not a file type we accept"),
        ([("faktura.pdf", b"MZ\x90\x00 not a pdf")], "is not a file type we accept"),
        ([("arkiv.docx", zip_file({"a.txt": b"hello"}))], "is not a file type we accept"),
        ([("tom.pdf", b"")], "is empty"),
        ([("stor.pdf", PDF + b"0" * MAX_BYTES)], "is larger than 10 MB"),
        ([("%d.pdf" % n, PDF) for n in range(4)], "at most 3 attachments"),
        # One good file and one bad: neither is kept.
        ([("god.pdf", PDF), ("skript.exe", b"MZ\x90\x00")], "skript.exe is not a file type"),
    ],
)
def test_bad_uploads_are_refused_with_nothing_stored(client, call, private_uploads, files, message):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = _post(client, call, *uploads)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Answer.objects.exists() and not AnswerAttachment.objects.exists()
    assert stored_files(private_uploads) == []


def test_a_file_written_before_a_late_refusal_is_removed(
    client, call, private_uploads, monkeypatch
):
    """The deadline passes between the check of the files and the transaction."""
    from django.utils import timezone

    from calls.services import answering

    real = answering._store_files

    def store_then_fail(answer, files, saved):
        real(answer, files, saved)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(answering, "_store_files", store_then_fail)
    with pytest.raises(RuntimeError):
        answering.submit_answer(
            call=call,
            details=answering.AnswerDetails(
                name="Kari", email="kari@example.org", texts={call.questions.first().pk: "x"}
            ),
            uploads=[SimpleUploadedFile("a.pdf", PDF)],
            now=timezone.now(),
        )
    assert not AnswerAttachment.objects.exists() and stored_files(private_uploads) == []


def test_the_link_holder_downloads_as_an_attachment(client, call):
    _post(client, call, SimpleUploadedFile("innspill <1>.pdf", PDF))
    answer = Answer.objects.get()
    attachment = answer.attachments.get()
    url = "/innspill/svar/%s/vedlegg/%d/" % (answer.token, attachment.pk)
    assert url in client.get(answer.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    # Another answer's link, or a made-up one, gets nothing.
    other = Answer.objects.create(call=call, name="Ola", email="ola@example.org")
    assert (
        client.get("/innspill/svar/%s/vedlegg/%d/" % (other.token, attachment.pk)).status_code
        == 404
    )
    assert client.get("/innspill/svar/x/vedlegg/%d/" % attachment.pk).status_code == 404


def test_a_stored_file_has_no_url(call):
    from calls.storage import attachment_storage

    with pytest.raises(ValueError):
        attachment_storage().url("calls/1/x.pdf")


def test_change_adds_and_removes_files_and_removes_the_old_file(
    client, call, private_uploads, django_capture_on_commit_callbacks
):
    _post(client, call, SimpleUploadedFile("en.pdf", PDF), SimpleUploadedFile("to.png", PNG))
    answer = Answer.objects.get()
    first = answer.attachments.get(original_name="en.pdf")
    data = form_data(call)
    del data["email"]
    data["remove_attachments"] = [str(first.pk)]
    data["attachments"] = [SimpleUploadedFile("tre.odt", ODT)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/innspill/svar/%s/endre/" % answer.token, data)
    assert response.status_code == 302
    assert sorted(answer.attachments.values_list("original_name", flat=True)) == [
        "to.png",
        "tre.odt",
    ]
    assert sorted(p.read_bytes() for p in stored_files(private_uploads)) == sorted([PNG, ODT])
    # A fourth file would be one too many.
    data = form_data(call)
    del data["email"]
    data["attachments"] = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]
    response = client.post("/innspill/svar/%s/endre/" % answer.token, data)
    assert response.status_code == 400 and answer.attachments.count() == 2
    assert len(stored_files(private_uploads)) == 2
