"""Attendee downloads: CSV for Norwegian Excel and XLSX, parsed back; fixed query counts."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from events.models import Answer, Question, Registration, Session, SessionChoice
from partners.models import Network
from tests.factories import EventFactory, RegistrationFactory, bulk_registrations, oslo


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def logged_in(client, make_organiser, klima):
    client.force_login(make_organiser("kari", network=klima))
    return client


@pytest.fixture
def event(klima):
    return EventFactory(
        minimal=True,
        network=klima,
        title="Partnerskapskonferansen 2027",
        capacity=None,
        serves_food=True,
        starts_at=oslo(2027, 4, 20, 9),
        ends_at=oslo(2027, 4, 20, 16),
    )


@pytest.fixture
def filled(event):
    question = Question.objects.create(
        event=event, label="Hvilket verksted?", kind="single_choice", choices=["Klima", "Helse"]
    )
    yes_no = Question.objects.create(
        event=event, label="Vil du ha reisestøtte?", kind="yes_no", position=1
    )
    workshop = Session.objects.create(
        event=event,
        title="Verksted: Klima",
        starts_at=oslo(2027, 4, 20, 13),
        ends_at=oslo(2027, 4, 20, 14),
        requires_signup=True,
    )
    anne = RegistrationFactory(
        event=event,
        name="Åse Øvrebø",
        email="ase@example.org",
        organisation_name="Bølgen kulturhus",
        phone="+47 900 00 000",
        dietary_consent=True,
        dietary_needs="Glutenfri",
    )
    Answer.objects.create(registration=anne, question=question, value="Klima")
    Answer.objects.create(registration=anne, question=yes_no, value=True)
    SessionChoice.objects.create(registration=anne, session=workshop)
    Registration.objects.filter(pk=anne.pk).update(checked_in_at=oslo(2027, 4, 20, 8, 45))
    RegistrationFactory(event=event, name='=HYPERLINK("http://evil")', organisation_name="-2+3")
    RegistrationFactory(event=event, name="Venter Vennesen", status=Registration.Status.WAITLISTED)
    return anne


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_exports_csv_has_bom_semicolons_and_all_columns(logged_in, event, filled):
    response = logged_in.get(
        f"/arrangor/arrangementer/{event.pk}/deltakere.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = _csv(response)
    header = rows[0]
    assert header == [
        "Name",
        "Email",
        "Organisation",
        "Title",
        "Phone",
        "Language",
        "Status",
        "Registered",
        "Checked in",
        "Ticket code",
        "Sessions",
        "Hvilket verksted?",
        "Vil du ha reisestøtte?",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    ase = by_name["Åse Øvrebø"]
    assert ase[1] == "ase@example.org"
    assert ase[2] == "Bølgen kulturhus"
    assert ase[4] == "+47 900 00 000"  # a phone number is not mangled
    assert ase[8] == "2027-04-20 08:45"  # Oslo time
    assert ase[9] == filled.ticket_code
    assert ase[10] == "Verksted: Klima"
    assert ase[11] == "Klima"
    assert len(rows) == 4


def test_exports_csv_never_contains_dietary_needs(logged_in, event, filled):
    content = logged_in.get(f"/arrangor/arrangementer/{event.pk}/deltakere.csv").content.decode(
        "utf-8-sig"
    )
    assert "Glutenfri" not in content


def test_exports_csv_neutralises_formulas(logged_in, event, filled):
    rows = _csv(logged_in.get(f"/arrangor/arrangementer/{event.pk}/deltakere.csv"))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    orgs = [row[2] for row in rows[1:]]
    assert "'-2+3" in orgs


def test_exports_csv_follows_the_list_filter(logged_in, event, filled):
    url = f"/arrangor/arrangementer/{event.pk}/deltakere.csv"
    rows = _csv(logged_in.get(url, {"status": "waitlisted"}))
    assert [row[0] for row in rows[1:]] == ["Venter Vennesen"]
    rows = _csv(logged_in.get(url, {"q": "bølgen"}))
    assert [row[0] for row in rows[1:]] == ["Åse Øvrebø"]


def test_exports_xlsx_opens_with_header_and_rows(logged_in, event, filled):
    response = logged_in.get(
        f"/arrangor/arrangementer/{event.pk}/deltakere.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="partnerskapskonferansen-2027-attendees.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert rows[0][-1] == "Vil du ha reisestøtte?"
    ase = next(row for row in rows if row[0] == "Åse Øvrebø")
    assert ase[8] == oslo(2027, 4, 20, 8, 45).replace(tzinfo=None)
    assert ase[12] in ("Ja", "Yes")
    evil = next(row for row in rows[1:] if "HYPERLINK" in row[0])
    assert evil[0].startswith("'=")  # stored as text, not as a formula
    assert "Glutenfri" not in [cell for row in rows for cell in row]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("suffix", ["deltakere.csv", "deltakere.xlsx", "deltakere/utskrift/"])
def test_exports_query_count_same_for_1_and_1000(logged_in, klima, suffix):
    counts = []
    for n in (1, 1000):
        event = EventFactory(minimal=True, network=klima, capacity=None)
        question = Question.objects.create(event=event, label="Stilling", kind="short_text")
        session = Session.objects.create(
            event=event,
            title="Verksted",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            requires_signup=True,
        )
        rows = bulk_registrations(event, n)
        Answer.objects.bulk_create(
            Answer(registration=r, question=question, value="Rådgiver") for r in rows
        )
        SessionChoice.objects.bulk_create(
            SessionChoice(registration=r, session=session) for r in rows
        )
        queries, response = _count(logged_in, f"/arrangor/arrangementer/{event.pk}/{suffix}")
        counts.append(queries)
        if suffix.endswith(".csv"):
            assert len(_csv(response)) == n + 1
        elif suffix.endswith(".xlsx"):
            assert load_workbook(io.BytesIO(response.content)).active.max_row == n + 1
    assert counts[0] == counts[1]


def test_exports_checked_in_time_is_empty_when_not_checked_in(logged_in, event):
    RegistrationFactory(event=event, name="Ikke her")
    rows = _csv(logged_in.get(f"/arrangor/arrangementer/{event.pk}/deltakere.csv"))
    assert rows[1][8] == ""
