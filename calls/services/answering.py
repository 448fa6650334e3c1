"""The answerer's side of a call: submit, change and withdraw an answer.

The deadline is checked in the transaction that stores the answer, with the call's row locked
(SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), and the time read
after the lock is held: an organiser moving the deadline and an answer arriving at the same
moment are decided in one order, and an answer one second late is refused on every path (the
form, the personal link, the API). Files are checked before the transaction and written inside
it; if it fails they are removed again, so a refusal leaves no row and no file behind.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Language, Organisation
from worker.services import queue_messages

from .. import emails
from ..formatting import format_deadline
from ..models import Answer, AnswerAttachment, AnswerText, Call, CallInvitation, CallQuestion
from .attachments import CheckedFile, Upload, check_uploads, remove_files
from .errors import (
    AlreadyAnswered,
    CallClosed,
    CallNotOpen,
    CallUnavailable,
    InvalidAnswer,
    InvitationOnly,
    NotChangeable,
)

MAX_TEXT = 20000


@dataclass(frozen=True)
class AnswerDetails:
    """What the answerer said: the one argument the form and the API hand to the services."""

    name: str
    email: str
    organisation: Organisation | None = None
    organisation_name: str = ""
    on_behalf: bool = False
    language: str = Language.BOKMAL
    consent_to_publish: bool = False
    texts: Mapping[int, str] = field(default_factory=dict)


# Checks ----------------------------------------------------------------------------------------


def _locked_call(call_id: int) -> Call:
    # Only the call's row: the host's (joined for the receipt) stays free for other calls.
    return Call.objects.select_for_update(of=("self",)).select_related("host").get(pk=call_id)


def check_open(call: Call, *, now: dt.datetime) -> None:
    """The one rule of whether a call takes answers now."""
    if not call.is_public:
        raise CallUnavailable(_("This call for input is not open for answers."))
    if now < call.opens_at:
        raise CallNotOpen(
            _("This call for input opens %(opens)s.") % {"opens": format_deadline(call.opens_at)}
        )
    if call.has_closed(now):
        raise CallClosed(
            _("The deadline was %(deadline)s. Answers can no longer be sent or changed.")
            % {"deadline": format_deadline(call.closes_at)}
        )


def _clean_texts(questions: Sequence[CallQuestion], texts: Mapping[int, str]) -> dict[int, str]:
    known = {q.pk for q in questions}
    unknown = set(texts) - known
    if unknown:
        raise InvalidAnswer(_("The answer names a question this call does not have."))
    cleaned = {}
    for question in questions:
        text = (texts.get(question.pk) or "").strip()
        if len(text) > MAX_TEXT:
            raise InvalidAnswer(
                _("An answer can be at most %(count)d characters long.") % {"count": MAX_TEXT},
                field="q_%d" % question.pk,
            )
        if question.required and not text:
            raise InvalidAnswer(_("This question needs an answer."), field="q_%d" % question.pk)
        if text:
            cleaned[question.pk] = text
    return cleaned


def _clean_details(details: AnswerDetails, *, with_email: bool = True) -> AnswerDetails:
    name = details.name.strip()
    if not name:
        raise InvalidAnswer(_("Enter your name."), field="name")
    email = details.email.strip()
    if with_email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidAnswer(_("Enter a valid email address."), field="email") from None
    if details.language not in Language.values:
        raise InvalidAnswer(_("Choose bokmål, nynorsk or English."), field="language")
    organisation = details.organisation
    typed = details.organisation_name.strip()
    if organisation is None and typed:
        # A known organisation typed by hand is linked, as registrations do.
        organisation = Organisation.objects.filter(name__iexact=typed).first()
        if organisation is not None:
            typed = ""
    if details.on_behalf and organisation is None and not typed:
        raise InvalidAnswer(
            _("Choose or type the organisation you answer on behalf of."), field="organisation"
        )
    return AnswerDetails(
        name=name[:200],
        email=email,
        organisation=organisation,
        organisation_name="" if organisation else typed[:200],
        on_behalf=details.on_behalf,
        language=details.language,
        consent_to_publish=details.consent_to_publish,
        texts=details.texts,
    )


def _require_content(texts: Mapping[int, str], files: int) -> None:
    if not texts and not files:
        raise InvalidAnswer(_("Your answer is empty. Write an answer or attach a file."))


# Writing ---------------------------------------------------------------------------------------


def _store_files(answer: Answer, files: Iterable[CheckedFile], saved: list[str]) -> None:
    for checked in files:
        attachment = AnswerAttachment(
            answer=answer,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        attachment.file.save("x" + checked.extension, ContentFile(checked.content), save=False)
        saved.append(attachment.file.name)
        attachment.save()


def _write_texts(answer: Answer, texts: Mapping[int, str]) -> None:
    AnswerText.objects.filter(answer=answer).exclude(question_id__in=list(texts)).delete()
    existing = {t.question_id: t for t in AnswerText.objects.filter(answer=answer)}
    for question_id, text in texts.items():
        row = existing.get(question_id)
        if row is None:
            AnswerText.objects.create(answer=answer, question_id=question_id, text=text)
        elif row.text != text:
            row.text = text
            row.save(update_fields=["text"])


def submit_answer(
    *,
    call: Call,
    details: AnswerDetails,
    uploads: Sequence[Upload] = (),
    invitation: CallInvitation | None = None,
    now: dt.datetime | None = None,
) -> Answer:
    """Store a new answer and queue its receipt, or raise a CallError and store nothing."""
    if invitation is not None:
        if invitation.call_id != call.pk:
            raise InvitationOnly(_("This invitation is for another call for input."))
        details = AnswerDetails(**{**details.__dict__, "email": invitation.email})
    questions = list(call.questions.all())
    cleaned = _clean_details(details)
    texts = _clean_texts(questions, cleaned.texts)
    files = check_uploads(list(uploads))
    _require_content(texts, len(files))
    saved: list[str] = []
    try:
        with transaction.atomic(durable=True):
            locked = _locked_call(call.pk)
            check_open(locked, now=now or timezone.now())
            if locked.is_invitation_only and invitation is None:
                raise InvitationOnly(
                    _("Only invited people can answer this call. Use the link in your invitation.")
                )
            answer = Answer.objects.create(
                call=locked,
                invitation=invitation,
                name=cleaned.name,
                email=cleaned.email,
                organisation=cleaned.organisation,
                organisation_name=cleaned.organisation_name,
                on_behalf=cleaned.on_behalf,
                language=cleaned.language,
                consent_to_publish=cleaned.consent_to_publish and locked.publishes_answers,
            )
            _write_texts(answer, texts)
            _store_files(answer, files, saved)
            if invitation is not None:
                CallInvitation.objects.filter(pk=invitation.pk).update(
                    state=CallInvitation.State.ANSWERED, answered_at=answer.submitted_at
                )
            queue_messages(messages=[emails.receipt_message(answer=answer)])
    except IntegrityError:
        remove_files(saved)
        raise AlreadyAnswered(
            _("You have answered already. Use the link in your receipt to change your answer.")
        ) from None
    except BaseException:
        remove_files(saved)
        raise
    return answer


def change_answer(
    *,
    answer: Answer,
    details: AnswerDetails,
    uploads: Sequence[Upload] = (),
    remove_attachments: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> Answer:
    """Change an answer through its personal link until the deadline; a new receipt follows."""
    questions = list(answer.call.questions.all())
    cleaned = _clean_details(details, with_email=False)
    texts = _clean_texts(questions, cleaned.texts)
    removing = set(remove_attachments)
    kept = answer.attachments.exclude(pk__in=removing).count()
    files = check_uploads(list(uploads), already=kept)
    _require_content(texts, kept + len(files))
    saved: list[str] = []
    try:
        with transaction.atomic(durable=True):
            call = _locked_call(answer.call_id)
            current = Answer.objects.select_for_update().get(pk=answer.pk)
            _check_changeable(current, call, now=now or timezone.now())
            current.name = cleaned.name
            current.organisation = cleaned.organisation
            current.organisation_name = cleaned.organisation_name
            current.on_behalf = cleaned.on_behalf
            current.language = cleaned.language
            current.consent_to_publish = cleaned.consent_to_publish and call.publishes_answers
            if not current.consent_to_publish:
                current.published = False
            current.save()
            _write_texts(current, texts)
            gone = list(current.attachments.filter(pk__in=removing))
            gone_names = [a.file.name for a in gone]
            AnswerAttachment.objects.filter(pk__in=[a.pk for a in gone]).delete()
            _store_files(current, files, saved)
            transaction.on_commit(partial(remove_files, gone_names))
            queue_messages(messages=[emails.receipt_message(answer=current, changed=True)])
    except BaseException:
        remove_files(saved)
        raise
    return current


def withdraw_answer(*, answer: Answer, now: dt.datetime | None = None) -> Answer:
    """Withdraw an answer until the deadline. The row stays as the record that it was sent
    and withdrawn; it is never published again, and its link only shows that."""
    with transaction.atomic(durable=True):
        call = _locked_call(answer.call_id)
        current = Answer.objects.select_for_update().get(pk=answer.pk)
        moment = now or timezone.now()
        _check_changeable(current, call, now=moment)
        current.withdrawn_at = moment
        current.published = False
        current.save(update_fields=["withdrawn_at", "published", "updated_at"])
        if current.invitation_id:
            CallInvitation.objects.filter(pk=current.invitation_id).update(
                state=CallInvitation.State.SENT, answered_at=None
            )
        queue_messages(messages=[emails.withdrawn_message(answer=current)])
    return current


def _check_changeable(answer: Answer, call: Call, *, now: dt.datetime) -> None:
    if answer.is_withdrawn:
        raise NotChangeable(_("This answer has been withdrawn."))
    if answer.anonymised_at is not None:
        raise NotChangeable(_("This answer can no longer be changed."))
    check_open(call, now=now)
