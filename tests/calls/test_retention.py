"""Private persons' personal data in answers is anonymised after the host's retention period;
answers on behalf of an organisation keep their sender; attachments are deleted with it."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.management import call_command

from calls.models import AnswerAttachment
from calls.services.retention import anonymise_answers
from tests.factories import AnswerFactory

from .conftest import PDF, stored_files


def test_private_answers_are_anonymised_after_the_retention_period(
    call, private_uploads, django_capture_on_commit_callbacks
):
    private = AnswerFactory(call=call, name="Kari", email="kari@example.org", text="Mitt svar.")
    on_behalf = AnswerFactory(call=call, name="Per", email="per@example.org", on_behalf=True)
    attachment = AnswerAttachment(
        answer=private,
        original_name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    attachment.file.save("x.pdf", ContentFile(PDF), save=False)
    attachment.save()
    old_token = private.token
    host = call.host
    just_before = call.closes_at + dt.timedelta(days=host.retention_days) - dt.timedelta(minutes=1)
    assert anonymise_answers(now=just_before).answers_anonymised == 0
    after = call.closes_at + dt.timedelta(days=host.retention_days, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = anonymise_answers(now=after)
    assert result.answers_anonymised == 1 and result.attachments_deleted == 1
    private.refresh_from_db()
    on_behalf.refresh_from_db()
    assert private.name == "–" and "kari" not in private.email and private.token != old_token
    assert {t.text for t in private.texts.all()} == {"Mitt svar."}  # the public record stays
    assert on_behalf.name == "Per" and on_behalf.email == "per@example.org"
    assert stored_files(private_uploads) == []
    assert anonymise_answers(now=after).answers_anonymised == 0


def test_apply_retention_runs_the_calls_retention(call, capsys):
    call_command("apply_retention")
    assert "Answers to calls for input anonymised: 0" in capsys.readouterr().out
