import pytest

from tests.factories import CallFactory, CallQuestionFactory
from tests.upload_files import DOCX, JPEG, ODT, PDF, PNG, stored_files, zip_file

__all__ = ["DOCX", "JPEG", "ODT", "PDF", "PNG", "stored_files", "zip_file"]


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    """Attachments go to a folder of the test's own; the test can list what was left there."""
    root = tmp_path / "private"
    settings.PRIVATE_UPLOAD_ROOT = root
    return root


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
