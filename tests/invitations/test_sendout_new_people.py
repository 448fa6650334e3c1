"""New people on the send-out form: a pasted list and an uploaded file are both imported (all or
nothing, problems named by source and row), and organisations the registry lacks are confirmed
on a page of their own before anything is written. The API path takes the same rules."""

from django.core.files.uploadedfile import SimpleUploadedFile

from invitations.models import Invitation, SendOut
from invitations.services import sendouts
from partners.models import Organisation, Person

PASTED = "navn;e-post;språk\nLimt Inn;limt.inn@example.org;nn\n"
FILE = "name,email\nFra Fil,fra.fil@example.org\n"


def _url(event):
    return "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk


def _file(text, name="people.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _invited(sendout):
    sendouts.schedule_sendout(sendout_id=sendout.pk)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    return set(Invitation.objects.filter(sendout=sendout).values_list("email", flat=True))


def test_pasted_list_and_file_are_both_imported_and_invited(klima_client, event, klima):
    response = klima_client.post(
        _url(event), {"new_people": PASTED, "new_people_file": _file(FILE)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert _invited(SendOut.objects.get()) == {"limt.inn@example.org", "fra.fil@example.org"}
    both = ["limt.inn@example.org", "fra.fil@example.org"]
    assert klima.people.filter(email__in=both).count() == 2


def test_a_bad_row_in_the_file_imports_neither_source_and_names_the_file(klima_client, event):
    bad_file = "name,email\nFra Fil,fra.fil@example.org\nUten Adresse,not-an-email\n"
    response = klima_client.post(
        _url(event), {"new_people": PASTED, "new_people_file": _file(bad_file, "liste.csv")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 3 of the file liste.csv:" in html and "not-an-email" in html
    assert not Person.objects.filter(email__in=["limt.inn@example.org", "fra.fil@example.org"])
    assert not SendOut.objects.exists()


def test_the_same_person_in_both_sources_is_named_with_both_places(klima_client, event):
    twice = "name,email\nLimt Inn,LIMT.INN@example.org\n"
    response = klima_client.post(
        _url(event), {"new_people": PASTED, "new_people_file": _file(twice)}
    )
    html = response.content.decode()
    assert (
        "Row 2 of the file people.csv: The email address LIMT.INN@example.org is also on row 2 "
        "of the pasted list." in html
    )
    assert not SendOut.objects.exists()


def test_new_organisation_is_confirmed_then_added_with_people_and_send_out(
    klima_client, event, klima
):
    pasted = "navn;e-post;organisasjon\nSiri Skien;siri@skien.example.org;Skien kommune\n"
    known = klima.people.order_by("pk").first()
    response = klima_client.post(
        _url(event),
        {"new_people": pasted, "new_people_file": _file(FILE), "people": known.email},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm the new organisations" in html
    table = html.split('id="new-organisations"')[1].split("</table>")[0]
    assert "Skien kommune" in table and "the pasted list, row 2" in table
    assert "fra.fil@example.org" in html  # the file's people are previewed too
    assert not Organisation.objects.filter(name="Skien kommune").exists()
    assert not SendOut.objects.exists()
    token = html.split('name="confirm_organisations" value="')[1].split('"')[0]

    missing = klima_client.post(_url(event), {"confirm_organisations": token, "sector_0": ""})
    assert missing.status_code == 422
    assert "Skien kommune: This field is required." in missing.content.decode()
    assert not Organisation.objects.filter(name="Skien kommune").exists()

    done = klima_client.post(_url(event), {"confirm_organisations": token, "sector_0": "public"})
    assert done.status_code == 302
    sendout = SendOut.objects.get()
    assert done["Location"].endswith("/utsending/%d/" % sendout.pk)
    skien = Organisation.objects.get(name="Skien kommune")
    assert Person.objects.get(email="siri@skien.example.org").organisation == skien
    assert _invited(sendout) == {"siri@skien.example.org", "fra.fil@example.org", known.email}


def test_confirmation_that_is_not_the_kept_one_saves_nothing(klima_client, event):
    pasted = "navn;e-post;organisasjon\nSiri Skien;siri@skien.example.org;Skien kommune\n"
    klima_client.post(_url(event), {"new_people": pasted})
    response = klima_client.post(
        _url(event), {"confirm_organisations": "forged", "sector_0": "public"}, follow=True
    )
    assert "This confirmation is no longer available." in response.content.decode()
    assert not Organisation.objects.filter(name="Skien kommune").exists()
    assert not SendOut.objects.exists()


def test_api_sendout_uses_known_people_and_new_people_together(client, event, klima_organiser):
    from partners.api_tokens import create_api_token

    token = create_api_token(user=klima_organiser, name="t").raw
    known = event.network.people.order_by("pk").first()
    response = client.post(
        f"/api/v1/events/{event.pk}/sendouts",
        {"people": [known.email], "new_people": FILE},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    assert _invited(SendOut.objects.get()) == {known.email, "fra.fil@example.org"}


def test_api_sendout_adds_a_new_organisation_only_when_listed(client, event, klima_organiser):
    from partners.api_tokens import create_api_token

    token = create_api_token(user=klima_organiser, name="t").raw
    payload = {
        "new_people": "name,email,organisation\nSiri,siri@skien.example.org,Skien kommune\n",
    }
    refused = client.post(
        f"/api/v1/events/{event.pk}/sendouts",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert errors[0]["field"] == "new_organisations"
    assert "“Skien kommune” (rows 2) is not in the registry" in errors[0]["message"]
    assert not Organisation.objects.filter(name="Skien kommune").exists()
    assert not Person.objects.filter(email="siri@skien.example.org").exists()
    assert not SendOut.objects.exists()

    payload["new_organisations"] = [{"name": "skien kommune", "sector": "public"}]
    created = client.post(
        f"/api/v1/events/{event.pk}/sendouts",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201, created.content
    assert Organisation.objects.get(name="Skien kommune").sector == "public"
    assert Person.objects.get(email="siri@skien.example.org").organisation.name == "Skien kommune"


def test_confirmation_after_the_event_lost_its_network_is_refused_in_words(admin_client, event):
    """The event was moved out of its network while the confirmation page was open: the form
    says why nothing was saved (it answered 500: the unchosen sectors were read anyway)."""
    pasted = "navn;e-post;organisasjon\nSiri Skien;siri@skien.example.org;Skien kommune\n"
    html = admin_client.post(_url(event), {"new_people": pasted}).content.decode()
    token = html.split('name="confirm_organisations" value="')[1].split('"')[0]
    type(event).objects.filter(pk=event.pk).update(network=None)
    response = admin_client.post(
        _url(event), {"confirm_organisations": token, "sector_0": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "This event has no network to add new people to." in response.content.decode()
    assert not Organisation.objects.filter(name="Skien kommune").exists()
    assert not SendOut.objects.exists()


def test_confirmation_page_says_when_it_lists_only_the_first_people(
    klima_client, event, monkeypatch
):
    monkeypatch.setattr("partners.services.people_import.importing.PREVIEW_PEOPLE", 1)
    pasted = (
        "navn;e-post;organisasjon\n"
        "Siri Skien;siri@skien.example.org;Skien kommune\n"
        "Per Skien;per@skien.example.org;Skien kommune\n"
    )
    html = klima_client.post(_url(event), {"new_people": pasted}).content.decode()
    assert "Confirm the new organisations" in html
    people = html.split('id="preview-people"')[1].split("</table>")[0]
    assert "siri@skien.example.org" in people and "per@skien.example.org" not in people
    assert "The first 1 of 2 people are shown." in html
