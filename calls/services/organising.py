"""Organiser writes for calls: the call and its questions, publishing, and handling answers
(status, internal note, publishing per answer).

Every public function is the outermost transaction of its change (durable) and raises a
ValidationError keyed by field, with a translated message, before anything is written. The
organiser pages and the API call these; none of them writes a call or an answer directly.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import Answer, AnswerAttachment, AnswerText, Call, CallQuestion
from ..selectors_organiser import can_organise_call

Organiser = User | AnonymousUser

# What an organiser may set on a call, in the form's order: the one list the form, the API's
# CallIn/CallPatch and the check below read. The slug is made from the title once and kept,
# so links already sent keep working.
CALL_FIELDS = (
    "title",
    "host",
    "network",
    "introduction",
    "opens_at",
    "closes_at",
    "audience",
    "publishes_answers",
    "contact_name",
    "contact_title",
    "contact_email",
    "contact_phone",
    "reminder_days",
)
MAX_REMINDER_DAYS = 60
MAX_QUESTIONS = 30


@dataclass(frozen=True)
class QuestionValues:
    """One question as the organiser left it; `id` None: a new one."""

    text: str
    help_text: str = ""
    order: int = 0
    required: bool = False
    id: int | None = None


def _check_fields(values: Mapping[str, Any], allowed: Collection[str]) -> None:
    unknown = set(values).difference(allowed)
    if unknown:
        raise TypeError("unknown fields: %s" % ", ".join(sorted(unknown)))


def validate_call(*, call: Call, by_user: Organiser) -> None:
    """Raise a ValidationError keyed by field if the (unsaved) call breaks a rule."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not call.title.strip():
        add("title", _("This field is required."))
    for name in ("opens_at", "closes_at"):
        value = getattr(call, name)
        if value is None:
            add(name, _("This field is required."))
        elif not 2000 <= value.year <= 2100:
            add(name, _("Choose a date between the years 2000 and 2100."))
    if not errors and call.closes_at <= call.opens_at:
        add("closes_at", _("The deadline must be after the call opens."))
    if call.audience not in Call.Audience.values:
        add("audience", _("Choose who may answer."))
    if call.reminder_days is not None and not 0 <= call.reminder_days <= MAX_REMINDER_DAYS:
        add("reminder_days", _("Choose a number of days between 0 and 60."))
    if getattr(call, "host_id", None) is None:
        add("host", _("Choose a host."))
    else:
        network = call.network if call.network_id is not None else None
        if network is not None and not network.hosts.filter(pk=call.host_id).exists():
            add("network", _("This network is not run by the chosen host."))
        elif not can_organise_call(by_user, host=call.host, network=network):
            add("network", _("You can only create calls for networks and hosts you organise."))
    if errors:
        raise ValidationError(errors)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70].strip("-") or "innspill"
    slug, n = base, 1
    while Call.objects.filter(slug=slug).exists():
        n += 1
        slug = "%s-%d" % (base, n)
    return slug


def _validate_questions(questions: Sequence[QuestionValues]) -> None:
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": [_("A call can have at most %(count)s questions.") % {"count": 30}]}
        )
    if any(not q.text.strip() for q in questions):
        raise ValidationError({"questions": [_("Write the question's text.")]})


def _save_questions(call: Call, questions: Sequence[QuestionValues]) -> None:
    """The call's questions become exactly `questions`. A question that has answers cannot be
    removed: answers are public records once received."""
    existing = {q.pk: q for q in CallQuestion.objects.select_for_update().filter(call=call)}
    kept = {q.id for q in questions if q.id is not None}
    if not kept <= set(existing):
        raise ValidationError({"questions": [_("That question does not belong to this call.")]})
    removed = set(existing) - kept
    if AnswerText.objects.filter(question_id__in=removed).exists():
        raise ValidationError(
            {"questions": [_("A question that has been answered cannot be removed.")]}
        )
    CallQuestion.objects.filter(pk__in=removed).delete()
    for values in questions:
        fields = {
            "text": values.text.strip(),
            "help_text": values.help_text.strip(),
            "order": values.order,
            "required": values.required,
        }
        if values.id is None:
            CallQuestion.objects.create(call=call, **fields)
        else:
            question = existing[values.id]
            for name, value in fields.items():
                setattr(question, name, value)
            question.save()


@transaction.atomic(durable=True)
def create_call(
    *, by_user: Organiser, values: Mapping[str, Any], questions: Sequence[QuestionValues] = ()
) -> Call:
    """A new call, as a draft, with its questions."""
    _check_fields(values, CALL_FIELDS)
    call = Call(status=Call.Status.DRAFT, **values)
    validate_call(call=call, by_user=by_user)
    _validate_questions(questions)
    call.slug = _unique_slug(call.title)
    call.created_by = by_user if isinstance(by_user, User) else None
    call.save()
    _save_questions(call, questions)
    return call


@transaction.atomic(durable=True)
def update_call(
    *,
    call: Call,
    by_user: Organiser,
    values: Mapping[str, Any],
    questions: Sequence[QuestionValues] | None = None,
    status: str | None = None,
) -> Call:
    """Change the fields given, the questions (when given) and the status (when given: publish
    or back to a draft), in one transaction: on a refusal nothing changes."""
    _check_fields(values, CALL_FIELDS)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    for name, value in values.items():
        setattr(locked, name, value)
    validate_call(call=locked, by_user=by_user)
    if questions is not None:
        _validate_questions(questions)
        if locked.is_public and not questions:
            raise ValidationError({"questions": [_("A published call needs a question.")]})
    locked.save()
    if questions is not None:
        _save_questions(locked, questions)
    if status == Call.Status.PUBLISHED and not locked.is_public:
        _publish(locked)
    elif status == Call.Status.DRAFT and locked.is_public:
        _unpublish(locked)
    call.refresh_from_db()
    return call


def _publish(locked: Call) -> None:
    if not locked.questions.exists():
        raise ValidationError(_("Add at least one question before publishing."))
    locked.status = Call.Status.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])


def _unpublish(locked: Call) -> None:
    locked.status = Call.Status.DRAFT
    locked.save(update_fields=["status", "updated_at"])


@transaction.atomic(durable=True)
def publish_call(*, call: Call, by_user: Organiser) -> Call:
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.is_public:
        raise ValidationError(_("This call is already published."))
    validate_call(call=locked, by_user=by_user)
    _publish(locked)
    call.refresh_from_db()
    return call


@transaction.atomic(durable=True)
def unpublish_call(*, call: Call, by_user: Organiser) -> Call:
    """Back to a draft: the call and its published answers leave the public pages; the
    answers themselves are kept."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if not locked.is_public:
        raise ValidationError(_("This call is not published."))
    _unpublish(locked)
    call.refresh_from_db()
    return call


# Answers ---------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def handle_answer(*, answer: Answer, by_user: Organiser, status: str, internal_note: str) -> Answer:
    """The case handler's status and internal note (never shown to the person or the public)."""
    if status not in Answer.Status.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    locked = Answer.objects.select_for_update().get(pk=answer.pk)
    locked.status = status
    locked.internal_note = internal_note.strip()
    locked.save(update_fields=["status", "internal_note", "updated_at"])
    answer.status, answer.internal_note = locked.status, locked.internal_note
    return answer


def _refuse_publishing(answer: Answer) -> str | None:
    if not answer.call.publishes_answers:
        return _("This call does not publish its answers.")
    if answer.is_withdrawn:
        return _("A withdrawn answer cannot be published.")
    if answer.anonymised_at is not None:
        return _("An anonymised answer cannot be published.")
    if not answer.consent_to_publish:
        return _("The person did not consent to publication; the answer cannot be published.")
    return None


@transaction.atomic(durable=True)
def set_answer_published(
    *, answer: Answer, by_user: Organiser, published: bool, attachment_ids: Collection[int] = ()
) -> Answer:
    """Moderation: publish the answer (with the attachments named) or take it off the public
    page. Only an answer whose person consented, on a call that publishes, can be published."""
    locked = Answer.objects.select_for_update().select_related("call").get(pk=answer.pk)
    if published and (reason := _refuse_publishing(locked)):
        raise ValidationError(reason)
    attachments = AnswerAttachment.objects.filter(answer=locked)
    if not set(attachment_ids) <= set(attachments.values_list("pk", flat=True)):
        raise ValidationError(_("That attachment does not belong to this answer."))
    locked.published = published
    locked.save(update_fields=["published", "updated_at"])
    attachments.update(published=False)
    if published:
        attachments.filter(pk__in=list(attachment_ids)).update(published=True)
    answer.published = published
    return answer
