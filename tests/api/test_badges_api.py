"""GET /api/v1/events/{id}/badges.pdf: organisers of the event only."""

import io

from pypdf import PdfReader

from events.models import BadgePrint, Registration
from tests.factories import RegistrationFactory

from .conftest import assert_error_shape


def _pages(response) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]


def test_badges_pdf_for_the_events_organiser(world, as_organiser):
    people = [RegistrationFactory(event=world.published, name="Åse Ærø %d" % i) for i in range(11)]
    RegistrationFactory(
        event=world.published, name="Ventende", status=Registration.Status.WAITLISTED
    )
    path = "/events/%d/badges.pdf" % world.published.pk
    sheets = as_organiser.get(path)
    assert sheets.status_code == 200 and sheets["Content-Type"] == "application/pdf"
    assert len(_pages(sheets)) == 2
    text = " ".join(_pages(sheets))
    assert all(p.name in text for p in people) and "Ventende" not in text
    a6 = as_organiser.get(path, {"layout": "a6", "since_last_print": "true"})
    assert len(_pages(a6)) == 11  # nothing recorded as printed yet
    assert not BadgePrint.objects.exists()  # a GET records no print


def test_badges_pdf_since_last_print_follows_the_recorded_prints(world, as_organiser):
    from events.services.badges import print_badges

    RegistrationFactory(event=world.published, name="Først")
    print_badges(
        event=world.published, layout="sheet", since_last_print=False, by_user=world.organiser
    )
    RegistrationFactory(event=world.published, name="Senere")
    response = as_organiser.get(
        "/events/%d/badges.pdf" % world.published.pk, {"layout": "a6", "since_last_print": "true"}
    )
    assert _pages(response) == [p for p in _pages(response) if "Senere" in p]
    assert len(_pages(response)) == 1


def test_badges_pdf_refuses_others(world, as_other, anon):
    RegistrationFactory(event=world.published)
    path = "/events/%d/badges.pdf" % world.published.pk
    assert_error_shape(as_other.get(path), 403, "permission_denied")
    assert_error_shape(anon.get(path), 401, "not_authenticated")
    assert_error_shape(as_other.get("/events/%d/badges.pdf" % world.draft.pk), 404, "not_found")


def test_badges_pdf_bad_layout_is_422(world, as_organiser):
    response = as_organiser.get("/events/%d/badges.pdf" % world.published.pk, {"layout": "a3"})
    assert_error_shape(response, 422, "validation_error")
