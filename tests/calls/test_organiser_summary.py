"""The case handler's summary: the page, the XLSX read back, the PDF's text extracted."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from calls.models import AnswerText
from partners.models import Network, OrganisationMembership
from tests.calls.organiser_data import klima_call

LONG = "Grønn omstilling i Vestfold og Telemark. " * 120  # far longer than a line or a page

pytestmark = pytest.mark.usefixtures("private_storage")


def _call_with_long_answer():
    call = klima_call()
    AnswerText.objects.filter(answer__name="Per Privat", question__order=1).update(text=LONG)
    return call


def test_summary_page_groups_answers_by_question_with_counts(klima_client):
    call = _call_with_long_answer()
    page = klima_client.get("/arrangor/innspill/%d/sammendrag/" % call.pk).content.decode()
    assert page.index("Hvilke nettverk bør vi ha?") < page.index("Hva mer vil du si?")
    ase = call.answers.get(name="Åse Ødegård")
    assert "Åse Ødegård (%s)" % ase.organisation.name in page
    assert "Not in the registry" in page
    network = Network.objects.get(slug="klima-og-miljo")
    silent = (
        OrganisationMembership.objects.filter(network=network)
        .exclude(organisation__call_answers__call=call)
        .select_related("organisation")
    )
    assert silent.exists()
    for membership in silent:
        assert membership.organisation.name in page.split("Not answered", 1)[1]


def test_summary_xlsx_reads_back(klima_client):
    call = _call_with_long_answer()
    response = klima_client.get("/arrangor/innspill/%d/sammendrag.xlsx" % call.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Answers", "Per sector", "Per member", "Not answered"]
    rows = list(workbook["Answers"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Question", "Name", "Organisation")
    # Three answers to each of the two questions.
    assert len(rows) == 1 + 6
    assert ("Hvilke nettverk bør vi ha?", "Per Privat") == rows[2][:2]
    assert rows[2][7] == LONG
    sectors = dict(list(workbook["Per sector"].iter_rows(values_only=True))[1:])
    assert sectors["Not in the registry"] == 1
    assert sum(sectors.values()) == 3
    members = list(workbook["Per member"].iter_rows(values_only=True))[1:]
    ase = call.answers.get(name="Åse Ødegård")
    assert (ase.organisation.name, "Member", 1) in members


def test_summary_xlsx_keeps_formulas_as_text(klima_client):
    call = klima_call()
    AnswerText.objects.filter(answer__name="Per Privat", question__order=1).update(
        text='=HYPERLINK("http://evil.example")'
    )
    response = klima_client.get("/arrangor/innspill/%d/sammendrag.xlsx" % call.pk)
    sheet = load_workbook(io.BytesIO(response.content))["Answers"]
    cell = sheet.cell(row=3, column=8)
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")


def test_summary_pdf_has_the_names_and_wraps_long_text(klima_client):
    call = _call_with_long_answer()
    response = klima_client.get("/arrangor/innspill/%d/sammendrag.pdf" % call.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Innspill om klima og miljø" in text
    assert "Åse Ødegård" in text
    assert "Hvilke nettverk bør vi ha?" in text
    # The long answer wraps onto many lines (and pages); no line runs off the page.
    assert len(reader.pages) >= 2
    lines = [line for line in text.splitlines() if "omstilling" in line]
    assert len(lines) > 20
    assert max(len(line) for line in lines) < 130


def test_pdf_writer_draws_letters_beyond_latin_1():
    from events.pdf import Document

    document = Document(title="Test")
    document.paragraph("Čáhcesuolu ŋ ŧ đ š ž æøå ÆØÅ 😀")
    text = PdfReader(io.BytesIO(document.bytes())).pages[0].extract_text()
    assert "Čáhcesuolu ŋ ŧ đ š ž æøå ÆØÅ ?" in text


def test_summary_is_refused_to_other_organisers(client, folkehelse_organiser):
    call = klima_call()
    client.force_login(folkehelse_organiser)
    for suffix in ("sammendrag/", "sammendrag.xlsx", "sammendrag.pdf"):
        assert client.get("/arrangor/innspill/%d/%s" % (call.pk, suffix)).status_code == 404
