"""An import that names organisations the registry lacks: a preview lists them with the people,
and only the organiser's confirmation (a sector for each) writes organisations and people."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from partners.models import Organisation, Person, PersonMembership
from partners.services import import_people

FILE = (
    "navn;e-post;organisasjon\n"
    "Siri Skien;siri@skien.example.org;Skien kommune\n"
    "Per Porsgrunn;per@porsgrunn.example.org;Porsgrunn kommune\n"
    "Kari Skien;kari@skien.example.org;skien  KOMMUNE\n"  # the same new one, other spelling
    "Astrid Vik;astrid.vik@example.org;USN\n"  # a known one, by short name
)
URL = "/arrangor/nettverk/klima-og-miljo/importer/"


def _state():
    return (
        sorted(Organisation.objects.values_list("name", "sector")),
        sorted(Person.objects.values_list("email", "organisation")),
        sorted(PersonMembership.objects.values_list("network", "person")),
    )


def _upload(client, text=FILE):
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return client.post(URL, {"file": upload})


def _token(html: str) -> str:
    return html.split('name="confirm" value="')[1].split('"')[0]


def test_upload_previews_new_organisations_and_people_and_writes_nothing(klima_client):
    before = _state()
    response = _upload(klima_client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check the import" in html
    assert "The file names 2 organisations that are not in the registry." in html
    table = html.split('id="new-organisations"')[1].split("</table>")[0]
    assert "Skien kommune" in table and "Porsgrunn kommune" in table
    assert "2, 4" in table  # the rows that name Skien kommune
    assert "Universitetet" not in table
    people = html.split('id="preview-people"')[1].split("</table>")[0]
    for email in ("siri@skien.example.org", "per@porsgrunn.example.org", "astrid.vik@example.org"):
        assert email in people
    assert "New person" in people and "added to the network" in people
    assert "Nothing has been written yet." in html
    assert _state() == before


def test_confirming_with_sectors_adds_organisations_and_people_together(klima_client, klima):
    token = _token(_upload(klima_client).content.decode())
    response = klima_client.post(
        URL, {"confirm": token, "sector_0": "public", "sector_1": "public"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/arrangor/nettverk/klima-og-miljo/"
    html = response.content.decode()
    assert (
        "2 new organisations were added to the registry: Skien kommune, Porsgrunn kommune." in html
    )
    assert "Import finished: 4 new people, 0 updated, 4 added to the network." in html
    skien = Organisation.objects.get(name="Skien kommune")
    assert skien.sector == "public"
    assert set(Person.objects.filter(organisation=skien).values_list("email", flat=True)) == {
        "siri@skien.example.org",
        "kari@skien.example.org",
    }
    assert klima.people.filter(email="per@porsgrunn.example.org").exists()
    # The preview is used up: confirming again imports nothing more.
    again = klima_client.post(URL, {"confirm": token, "sector_0": "public", "sector_1": "public"})
    assert again.status_code == 302
    assert Organisation.objects.filter(name__icontains="skien kommune").count() == 1


def test_confirming_without_a_sector_writes_nothing_and_says_which(klima_client):
    before = _state()
    token = _token(_upload(klima_client).content.decode())
    response = klima_client.post(URL, {"confirm": token, "sector_0": "public", "sector_1": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and "Porsgrunn kommune: This field is required." in html
    assert _state() == before
    assert _token(html) == token  # the same preview can still be confirmed


def test_confirmation_with_a_forged_token_imports_nothing(klima_client):
    before = _state()
    _upload(klima_client)
    response = klima_client.post(
        URL, {"confirm": "forged", "sector_0": "public", "sector_1": "public"}, follow=True
    )
    assert "This preview is no longer available. Upload the file again." in (
        response.content.decode()
    )
    assert _state() == before


def test_organisation_added_meanwhile_is_used_not_doubled(klima_client):
    token = _token(_upload(klima_client).content.decode())
    Organisation.objects.create(name="Porsgrunn kommune", sector="voluntary")
    response = klima_client.post(
        URL, {"confirm": token, "sector_0": "public", "sector_1": "private"}
    )
    assert response.status_code == 302
    porsgrunn = Organisation.objects.get(name="Porsgrunn kommune")
    assert porsgrunn.sector == "voluntary"
    assert Person.objects.get(email="per@porsgrunn.example.org").organisation == porsgrunn


def test_organisation_removed_meanwhile_asks_again(klima_client):
    token = _token(_upload(klima_client).content.decode())
    Organisation.objects.filter(short_name="USN").update(short_name="")  # no longer found
    before = _state()
    response = klima_client.post(
        URL, {"confirm": token, "sector_0": "public", "sector_1": "public"}
    )
    assert response.status_code == 200
    table = response.content.decode().split('id="new-organisations"')[1].split("</table>")[0]
    assert "USN" in table
    assert _state() == before


def test_service_needs_every_new_organisation_confirmed(klima):
    before = _state()
    report = import_people(
        network=klima, file=FILE.encode(), new_organisations={"Skien kommune": "public"}
    )
    assert report.needs_confirmation and not report.ok
    assert [o.name for o in report.new_organisations] == ["Skien kommune", "Porsgrunn kommune"]
    assert report.created == 4 and report.organisations_created == 2  # what would happen
    assert _state() == before
    done = import_people(
        network=klima,
        file=FILE.encode(),
        new_organisations={"skien kommune": "public", "Porsgrunn kommune": "voluntary"},
    )
    assert done.ok and done.organisations_created == 2
    assert Organisation.objects.get(name="Porsgrunn kommune").sector == "voluntary"


def test_command_lists_new_organisations_and_adds_them_when_asked(klima, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(FILE, encoding="utf-8")
    before = _state()
    with pytest.raises(CommandError):
        call_command("import_people", str(path), "--network", "klima-og-miljo")
    assert "New organisation: Skien kommune" in capsys.readouterr().err
    assert _state() == before
    call_command(
        "import_people", str(path), "--network", "klima-og-miljo", "--add-organisations", "public"
    )
    assert Organisation.objects.filter(name__in=["Skien kommune", "Porsgrunn kommune"]).count() == 2
