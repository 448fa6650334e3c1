import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from partners.models import Person, PersonMembership
from partners.services import import_people

BOM = "\ufeff"
GOOD_COMMA = (
    BOM + "name,email,organisation,title,phone,language\r\n"
    "Astrid Vik,astrid.vik@example.org,Universitetet i Sørøst-Norge,Professor,+47 900 00 001,nn\r\n"
    'Bjørn Lie,bjorn.lie@example.org,usn,"Leder, forskning",,en\r\n'
)
GOOD_SEMICOLON = (
    BOM + "Navn;E-post;Organisasjon;Tittel;Telefon;Språk\r\n"
    "Astrid Vik;astrid.vik@example.org;Universitetet i Sørøst-Norge;Professor;+47 900 00 001;nynorsk\r\n"
    "Bjørn Lie;bjorn.lie@example.org;USN;Leder, forskning;;English\r\n"
    ";;;;;\r\n"
)
BAD = (
    "navn;e-post;organisasjon;språk\n"
    "Astrid Vik;astrid.vik@example.org;USN;nb\n"  # row 2: fine
    ";missing.name@example.org;;\n"  # row 3: no name
    "Carl Berg;not-an-email;;\n"  # row 4: bad email
    "Dina Dahl;dina@example.org;Ukjent AS;\n"  # row 5: fine, a new organisation
    "Eva Ek;eva@example.org;;svensk\n"  # row 6: bad language
    "Astrid V.;ASTRID.VIK@example.org;;\n"  # row 7: duplicate of row 2
)


@pytest.fixture(autouse=True)
def _english(_default_language):
    """The import's messages are asserted in English; other tests cover the translations."""
    with translation.override("en"):
        yield


def _state():
    return (
        sorted(Person.objects.values_list("email", "name", "title", "language", "organisation")),
        sorted(PersonMembership.objects.values_list("network", "person", "role")),
    )


def _upload(client, network, text, follow=False, **extra):
    """Upload through the organiser page, in English so messages can be compared."""
    client.cookies["django_language"] = "en"
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/arrangor/nettverk/%s/importer/" % network.slug,
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv"), **extra},
        follow=follow,
    )


@pytest.mark.parametrize("text", [GOOD_COMMA, GOOD_SEMICOLON], ids=["comma", "semicolon"])
def test_import_good_file_with_bom_creates_people_in_network(klima_client, klima, text):
    response = _upload(klima_client, klima, text, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/arrangor/nettverk/klima-og-miljo/"
    html = response.content.decode()
    assert "Import finished: 2 new people, 0 updated, 2 added to the network." in html
    assert "astrid.vik@example.org" in html and "bjorn.lie@example.org" in html

    astrid = Person.objects.get(email="astrid.vik@example.org")
    assert astrid.name == "Astrid Vik"  # no BOM glued to the first header or value
    assert astrid.organisation.short_name == "USN"
    assert (astrid.title, astrid.phone, astrid.language) == ("Professor", "+47 900 00 001", "nn")
    bjorn = Person.objects.get(email="bjorn.lie@example.org")
    assert bjorn.title == "Leder, forskning"
    assert bjorn.language == "en"
    assert bjorn.organisation == astrid.organisation  # short name, any case
    assert set(klima.people.filter(email__in=[astrid.email, bjorn.email])) == {astrid, bjorn}


def test_import_bad_file_writes_nothing_and_names_the_rows(klima_client, klima):
    before = _state()
    response = _upload(klima_client, klima, BAD)
    assert response.status_code == 200
    assert _state() == before
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "4 rows have problems." in html
    table = html.split('id="row-problems"')[1].split("</table>")[0]
    rows = {int(chunk.split("</th>")[0]): chunk for chunk in table.split('<th scope="row">')[1:]}
    assert sorted(rows) == [3, 4, 6, 7]
    assert "The name is missing." in rows[3]
    assert "“not-an-email” is not a valid email address." in rows[4]
    assert "not in the registry; once the file is correct" in html and "Ukjent AS" in html
    assert "Unknown language “svensk”; use nb, nn or en." in rows[6]
    assert "The email address ASTRID.VIK@example.org is also on row 2." in rows[7]


def test_import_known_email_updates_person_instead_of_doubling(klima_client, klima, folkehelse):
    known = Person.objects.get(email="nora.eriksen@example.org")  # in Folkehelse, not Klima
    people_before = Person.objects.count()
    text = "Name;Email;Title;Role\nNora Eriksen-Dahl;NORA.ERIKSEN@EXAMPLE.ORG;Direktør;leder\n"
    response = _upload(klima_client, klima, text, follow=True)
    assert "Import finished: 0 new people, 1 updated, 1 added to the network." in (
        response.content.decode()
    )
    assert Person.objects.count() == people_before
    known.refresh_from_db()
    assert known.email == "nora.eriksen@example.org"
    assert (known.name, known.title) == ("Nora Eriksen-Dahl", "Direktør")
    assert known.organisation.name == "Telemark fylkeskommune"  # no cell: unchanged
    assert known.memberships.get(network=klima).role == "leader"
    assert known.memberships.get(network=folkehelse).role == "leader"


def test_import_same_file_twice_changes_nothing_the_second_time(klima):
    first = import_people(network=klima, file=GOOD_SEMICOLON.encode())
    assert (first.created, first.added_to_network) == (2, 2)
    state = _state()
    second = import_people(network=klima, file=GOOD_SEMICOLON.encode())
    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert (second.added_to_network, second.already_in_network) == (0, 2)
    assert _state() == state


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The submitted file is empty."),
        (b"\r\n \r\n", "The file is empty."),
        ("navn;e-post\nBjørn;bjorn@example.org\n".encode("cp1252"), "is not UTF-8 encoded"),
        ("name,email\nA,a@example.org\n".encode("utf-16"), "saved as UTF-16"),
        (b"name;phone\nAstrid;123\n", "lacks the required columns: email."),
        (b"fornavn;etternavn\nAstrid;Vik\n", "lacks the required columns: name, email."),
        (b"navn;e-post\n", "has a header row but no people."),
        (b"navn;e-post\nA\x00;a@example.org\n", "contains binary data"),
        (b"name;email;e-post\nA;a@example.org;b@example.org\n", "appears more than once."),
    ],
    ids=[
        "empty",
        "blank",
        "latin1",
        "utf16",
        "no-email",
        "no-columns",
        "header-only",
        "nul",
        "twice",
    ],
)
def test_import_unreadable_file_shows_clear_error_and_writes_nothing(
    klima_client, klima, data, message
):
    before = _state()
    response = _upload(klima_client, klima, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_import_row_with_extra_values_is_reported(klima):
    report = import_people(network=klima, file=b"name,email\nVik, Astrid,astrid@example.org\n")
    assert not report.ok
    assert report.row_problems[0].row == 2
    assert "more values than the header has columns" in report.row_problems[0].messages[0]


def test_import_dry_run_reports_counts_and_writes_nothing(klima_client, klima):
    before = _state()
    response = _upload(klima_client, klima, GOOD_COMMA, dry_run="on")
    html = response.content.decode()
    assert "The file is ready to import" in html
    assert "importing would create 2 new people, update 0 and add 2 to the network" in html
    assert _state() == before


def test_import_from_rows_uses_the_same_rules(klima):
    report = import_people(
        network=klima,
        rows=[
            {"Navn": "Astrid Vik", "E-post": "astrid@example.org", "Rolle": "kontakt"},
            {"Navn": "", "E-post": "x@example.org"},
        ],
    )
    assert [(p.row, p.messages) for p in report.row_problems] == [(3, ["The name is missing."])]
    assert not Person.objects.filter(email="astrid@example.org").exists()


def test_import_ignored_columns_are_reported(klima):
    report = import_people(network=klima, file=b"name,email,shoe size\nA,a@example.org,44\n")
    assert report.ok and report.created == 1
    assert report.ignored_columns == ["shoe size"]


def test_import_page_offers_template_in_norwegian_excel_format(klima_client, klima):
    klima_client.cookies["django_language"] = "nb"
    response = klima_client.get("/arrangor/nettverk/klima-og-miljo/importer/mal.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content.decode("utf-8")
    assert content == "\ufeffnavn;e-post;organisasjon;tittel;telefon;språk;rolle\r\n"
    with translation.override("en"):
        assert import_people(network=klima, file=response.content).errors == [
            "The file has a header row but no people."
        ]


def test_import_people_command_imports_file(tmp_path, klima, capsys):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_SEMICOLON, encoding="utf-8")
    call_command("import_people", str(path), "--network", "klima-og-miljo")
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 2 added to Klima og miljø." in (
        capsys.readouterr().out
    )
    assert klima.people.filter(email="bjorn.lie@example.org").exists()


def test_import_people_command_bad_file_fails_and_writes_nothing(tmp_path, klima, capsys):
    path = tmp_path / "people.csv"
    path.write_text(BAD, encoding="utf-8")
    before = _state()
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="Nothing was imported into Klima og miljø."),
    ):
        call_command("import_people", str(path), "--network", "klima-og-miljo")
    errors = capsys.readouterr().err
    assert "Row 3: The name is missing." in errors
    assert "Row 7: The email address ASTRID.VIK@example.org is also on row 2." in errors
    assert _state() == before


def test_import_people_command_unknown_network_fails(tmp_path, demo):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_COMMA, encoding="utf-8")
    with pytest.raises(CommandError, match="No network with the slug 'nope'"):
        call_command("import_people", str(path), "--network", "nope")
