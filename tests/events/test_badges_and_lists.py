"""Name badges, the door list and the session lists as PDF, read back with pypdf."""

import io
import re

import pytest
from pypdf import PdfReader

from events import door_pdfs
from events.models import BadgePrint, Registration, SessionChoice
from events.selectors.door import alphabetical_key, badge_registrations, door_list
from events.services.badges import print_badges
from partners.models import Network
from tests.factories import EventFactory, RegistrationFactory, SessionFactory, bulk_registrations

LONG_NAME = (
    "Anne-Marie Čáhcesuolu-Guttorm Ŋuorašdatter-Đávvetsdatter Østensjø-Ærlighetsen Bartholomew "
    "Kristiansen-Aaberg Hovlandsdal"
)


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def event(klima):
    return EventFactory(minimal=True, network=klima, title="Partnerskapskonferansen")


@pytest.fixture
def people(event):
    """11 confirmed (Sámi, æøå and a very long name among them), one waiting, one cancelled."""
    names = [
        "Čáhcesuolu Ŋuoraš",
        "Åse Ærø",
        "Øystein Sæther",
        "Đávvet Šiellá Ŧoivo Žan",
        LONG_NAME,
    ] + ["Deltaker %02d" % i for i in range(6)]
    confirmed = [
        RegistrationFactory(event=event, name=name, organisation_name="Sámediggi", title="Rådgiver")
        for name in names
    ]
    RegistrationFactory(event=event, name="Ventende Venn", status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, name="Avmeldt Person", status=Registration.Status.CANCELLED)
    return confirmed


def test_badge_sheets_hold_every_confirmed_name_ten_a_page(event, people, organiser):
    badges = print_badges(event=event, layout="sheet", since_last_print=False, by_user=organiser)
    pages = pdf_pages(badges.pdf)
    assert len(pages) == 2  # 11 badges, 10 per A4 sheet
    text = flat(" ".join(pages))
    for registration in people:
        assert registration.name in text
    assert "Ventende" not in text and "Avmeldt" not in text
    assert text.count("Sámediggi") == 11 and text.count("Rådgiver") == 11
    assert text.count("Partnerskapskonferansen") == 11
    first = PdfReader(io.BytesIO(badges.pdf)).pages[0]
    assert round(float(first.mediabox.width)) == 595  # A4 in points
    assert badges.count == 11


def test_a6_badges_are_one_a_page_with_the_ticket_code(event, people, organiser):
    badges = print_badges(event=event, layout="a6", since_last_print=False, by_user=organiser)
    pages = pdf_pages(badges.pdf)
    assert len(pages) == 11
    by_code = {r.ticket_code: r for r in people}
    for page in pages:
        [code] = [c for c in by_code if c in page]
        assert by_code[code].name in flat(page)
    box = PdfReader(io.BytesIO(badges.pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (298, 420)  # A6


def test_a_very_long_name_appears_whole_in_at_most_two_lines(event, organiser):
    long_one = RegistrationFactory(event=event, name=LONG_NAME)
    for layout in ("sheet", "a6"):
        badges = print_badges(event=event, layout=layout, since_last_print=False, by_user=organiser)
        [page] = pdf_pages(badges.pdf)
        lines = page.splitlines()
        name_lines = lines[1:3]
        assert " ".join(name_lines) == long_one.name, layout


def test_a_name_without_spaces_longer_than_a_badge_is_not_cut(event, organiser):
    word = "Ø" + "x" * 150 + "å"
    RegistrationFactory(event=event, name=word)
    badges = print_badges(event=event, layout="sheet", since_last_print=False, by_user=organiser)
    assert word in pdf_pages(badges.pdf)[0].replace("\n", "")


def test_since_last_print_gives_only_the_newcomers(event, people, organiser):
    print_badges(event=event, layout="sheet", since_last_print=False, by_user=organiser)
    waiting = Registration.objects.get(name="Ventende Venn")
    Registration.objects.filter(pk=waiting.pk).update(status=Registration.Status.CONFIRMED)
    newcomer = RegistrationFactory(event=event, name="Nykommer Nilsen")
    badges = print_badges(event=event, layout="a6", since_last_print=True, by_user=organiser)
    pages = pdf_pages(badges.pdf)
    assert len(pages) == 2
    text = flat(" ".join(pages))
    assert newcomer.name in text and "Ventende Venn" in text  # promoted since: no badge yet
    assert not any(r.name in text for r in people)
    assert BadgePrint.objects.filter(event=event).count() == 2
    again = print_badges(event=event, layout="a6", since_last_print=True, by_user=organiser)
    assert again.count == 0 and len(pdf_pages(again.pdf)) == 1  # one empty page


def test_door_list_is_alphabetical_with_the_norwegian_letters_last(event, people):
    pdf = door_pdfs.door_list_pdf(event=event, registrations=door_list(event))
    text = flat(" ".join(pdf_pages(pdf)))
    assert "Ventende" not in text and "Avmeldt" not in text
    positions = [
        text.index(name)
        for name in ["Čáhcesuolu Ŋuoraš", "Deltaker 00", "Đávvet Šiellá", "Øystein", "Åse"]
    ]
    assert positions == sorted(positions)
    assert "11 confirmed" in text and "Here" in text  # the column to tick
    assert alphabetical_key("Åse") > alphabetical_key("Øystein") > alphabetical_key("Ærlig")


def test_session_list_holds_those_who_chose_the_session(event, people):
    session = SessionFactory(event=event, title="Verksted om vindkraft", room="Sal B")
    other = SessionFactory(event=event, title="Annet verksted", starts_at=session.ends_at)
    for registration in people[:3]:
        SessionChoice.objects.create(registration=registration, session=session)
    SessionChoice.objects.create(registration=people[3], session=other)
    waiting = Registration.objects.get(name="Ventende Venn")
    SessionChoice.objects.create(registration=waiting, session=session)
    from events.selectors.door import get_signup_session, session_participants

    counted = get_signup_session(event, session.pk)
    pdf = door_pdfs.session_list_pdf(
        event=event, session=counted, registrations=session_participants(counted)
    )
    text = flat(" ".join(pdf_pages(pdf)))
    assert "Verksted om vindkraft" in text and "Sal B" in text
    assert all(r.name in text for r in people[:3])
    assert people[3].name not in text and "Ventende" not in text
    assert "3 participants (capacity 10)" in text


# The organiser pages --------------------------------------------------------------------------


def test_badges_page_downloads_and_records(logged_in, event, people):
    url = f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/"
    page = logged_in.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "11 confirmed participants." in html and "No badges printed yet." in html
    assert f"/arrangor/arrangementer/{event.pk}/dorliste.pdf" in html
    response = logged_in.post(url, {"layout": "a6", "who": "all"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert len(pdf_pages(response.content)) == 11
    RegistrationFactory(event=event, name="Sen Ankomst")
    html = logged_in.get(url).content.decode()
    assert "1 participant has no badge yet." in html
    newer = logged_in.post(url, {"layout": "sheet", "who": "new"})
    assert flat(" ".join(pdf_pages(newer.content))).count("Sen Ankomst") == 1
    assert "Deltaker 01" not in flat(" ".join(pdf_pages(newer.content)))


def test_badges_page_bad_input_is_a_message(logged_in, event, people):
    url = f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/"
    response = logged_in.post(url, {"layout": "a3", "who": "all"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not BadgePrint.objects.exists()


def test_door_list_and_session_list_downloads(logged_in, event, people):
    session = SessionFactory(event=event, title="Verksted")
    SessionChoice.objects.create(registration=people[0], session=session)
    door = logged_in.get(f"/arrangor/arrangementer/{event.pk}/dorliste.pdf")
    assert door["Content-Type"] == "application/pdf"
    assert people[4].name in flat(" ".join(pdf_pages(door.content)))
    listed = logged_in.get(f"/arrangor/arrangementer/{event.pk}/program/{session.pk}/deltakere.pdf")
    assert people[0].name in flat(" ".join(pdf_pages(listed.content)))
    badges_page = logged_in.get(f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/")
    assert f"/program/{session.pk}/deltakere.pdf" in badges_page.content.decode()


def test_other_networks_organiser_gets_404(client, make_organiser, event, people):
    other = make_organiser("other", network=Network.objects.exclude(slug="klima-og-miljo").first())
    client.force_login(other)
    for path in ["navneskilt-og-lister/", "dorliste.pdf"]:
        assert client.get(f"/arrangor/arrangementer/{event.pk}/{path}").status_code == 404
    response = client.post(
        f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/", {"layout": "a6", "who": "all"}
    )
    assert response.status_code == 404
    assert not BadgePrint.objects.exists()


def test_event_pages_link_to_badges(logged_in, event):
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/").content.decode()
    assert f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/" in html


# Fixed query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_builds_cost_the_same_queries_for_one_or_many(
    event, organiser, count, django_assert_num_queries
):
    registrations = bulk_registrations(event, count)
    session = SessionFactory(event=event)
    SessionChoice.objects.bulk_create(
        [SessionChoice(registration=r, session=session) for r in registrations]
    )
    from events.selectors.door import get_signup_session, session_participants

    with django_assert_num_queries(1):
        assert len(badge_registrations(event, since_last_print=True)) == count
    with django_assert_num_queries(1):
        assert len(door_list(event)) == count
    with django_assert_num_queries(3):
        counted = get_signup_session(event, session.pk)
        assert len(session_participants(counted)) == count
    with django_assert_num_queries(2):
        door_pdfs.badges_pdf(
            event=event,
            registrations=badge_registrations(event, since_last_print=False),
            layout="sheet",
        )
        door_pdfs.door_list_pdf(event=event, registrations=door_list(event))


def test_badges_page_and_download_queries_are_fixed(logged_in, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/"
    SessionFactory(event=event)

    def counts() -> tuple[int, ...]:
        measured = []
        for method, path, data in [
            ("get", url, None),
            ("post", url, {"layout": "sheet", "who": "all"}),
            ("get", f"/arrangor/arrangementer/{event.pk}/dorliste.pdf", None),
        ]:
            with CaptureQueriesContext(connection) as queries:
                response = getattr(logged_in, method)(path, data)
            assert response.status_code == 200
            measured.append(len(queries.captured_queries))
        return tuple(measured)

    RegistrationFactory(event=event)
    one = counts()
    bulk_registrations(event, 30)
    assert counts() == one
