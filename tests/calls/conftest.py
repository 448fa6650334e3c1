import io
import zipfile

import pytest

from tests.factories import CallFactory, CallQuestionFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zip_file(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_file(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document'
        b'.main+xml"/></Types>',
        "word/document.xml": b"<w:document/>",
    }
)
ODT = zip_file({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    """Attachments go to a folder of the test's own; the test can list what was left there."""
    root = tmp_path / "private"
    settings.PRIVATE_UPLOAD_ROOT = root
    return root


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def call(db):
    """An open call for anyone, with two questions (the first required), that publishes."""
    call = CallFactory(publishes_answers=True)
    CallQuestionFactory(call=call, order=1, text="Hvilke nettverk bør vi ha?", required=True)
    CallQuestionFactory(call=call, order=2, text="Hva mer vil du si?")
    return call


def form_data(call, **overrides) -> dict:
    first, second = list(call.questions.all())
    data = {
        "name": "Kari Nordmann",
        "email": "kari@example.org",
        "organisation": "",
        "organisation_name": "",
        "language": "nb",
        "q_%d" % first.pk: "Et nettverk for kystkultur.",
        "q_%d" % second.pk: "",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache (Redis): each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_celery():
    """Tasks run inline where they are published (task bodies only); the integration tier runs
    a real worker."""
    from worker.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous
