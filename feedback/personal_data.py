"""The feedback app's personal data provider (personaldata/registry.py): the survey
invitations of the address's registrations and, for surveys that are not anonymous, their
responses with the answers.

An anonymous survey's response has no link to the registration or the invitation (models.py),
so it cannot be found by an address, and is neither shown nor erased: the export says so.

Erasure (docs/decisions.md, "feedback and a person's rights"): invitations keep their rows,
with `reminded_at` and `answered_at`, so a survey's counts of asked and answered hold; they get
a new token, which kills the personal link. Non-anonymous responses are unlinked from the
registration and kept as counts and answers; free texts stay, with the person's name
replaced where it stands in them, as calls do with answers. The registration itself is
anonymised by the events provider, which erases after this one (providers erase in the
reverse order of INSTALLED_APPS), so the address still finds the rows here.
"""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from personaldata.registry import (
    Item,
    LinkHolder,
    Provider,
    Record,
    Section,
    Tally,
    link_kind,
    register_provider,
)

from .models import SurveyAnswer, SurveyInvitation, SurveyResponse
from .services.retention import anonymise_invitations, unlink_responses

ANONYMOUS_NOTE = _(
    "This survey was anonymous: your answers are stored without any link to you, so they "
    "cannot be found by your address and are neither shown here nor deleted."
)


def _invitations(email: str) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        registration__email__iexact=email.strip(),
        registration__anonymised_at__isnull=True,
        anonymised_at__isnull=True,
    )


def _responses(email: str) -> QuerySet[SurveyResponse]:
    """Only responses to surveys that were not anonymous carry a registration."""
    return SurveyResponse.objects.filter(
        anonymous=False,
        registration__email__iexact=email.strip(),
        registration__anonymised_at__isnull=True,
    )


def _answer_text(answer: SurveyAnswer) -> str:
    if answer.rating is not None:
        shown = str(answer.rating)
    elif answer.chosen:
        shown = ", ".join(map(str, answer.chosen))
    else:
        shown = answer.text
    return "%s: %s" % (answer.question.text, shown)


def _invitation_record(invitation: SurveyInvitation) -> Record:
    survey = invitation.survey
    return Record(
        heading=survey.event.title,
        items=[
            Item("event", _("Event"), survey.event.title),
            Item("sent_at", _("Sent"), invitation.created_at),
            Item("reminded_at", _("Reminded"), invitation.reminded_at),
            Item("answered", _("Answered"), invitation.answered_at is not None),
            Item("anonymous", _("Anonymous survey"), survey.anonymous),
            Item("note", _("Note"), str(ANONYMOUS_NOTE) if survey.anonymous else None),
        ],
    )


def _response_record(response: SurveyResponse) -> Record:
    answers = sorted(response.answers.all(), key=lambda a: (a.question.position, a.question_id))
    return Record(
        heading=response.survey.event.title,
        items=[
            Item("event", _("Event"), response.survey.event.title),
            Item("answers", _("Answers"), [_answer_text(a) for a in answers]),
        ],
    )


def collect(email: str) -> list[Section]:
    invitations = _invitations(email).select_related("survey__event")
    responses = (
        _responses(email)
        .select_related("survey__event")
        .prefetch_related(
            Prefetch("answers", queryset=SurveyAnswer.objects.select_related("question"))
        )
    )
    return [
        Section(
            "survey_invitations",
            _("Surveys after events"),
            list(map(_invitation_record, invitations.order_by("survey__event__starts_at", "pk"))),
        ),
        Section(
            "survey_responses",
            _("Your answers to surveys"),
            list(map(_response_record, responses.order_by("survey__event__starts_at", "pk"))),
        ),
    ]


def erase(email: str, now: dt.datetime) -> list[Tally]:
    responses = unlink_responses(_responses(email))
    invitations = anonymise_invitations(_invitations(email), now=now)
    return [
        Tally("survey_invitations_anonymised", _("Survey invitations anonymised"), invitations),
        Tally("survey_responses_unlinked", _("Survey answers unlinked from you"), responses),
    ]


PROVIDER = register_provider(Provider(name="feedback", collect=collect, erase=erase))


@link_kind("tilbakemelding")
def holder_of_survey_invitation(token: str) -> LinkHolder | None:
    """The survey link's holder, for the data link its page offers (not once anonymised)."""
    invitation = (
        SurveyInvitation.objects.filter(token=token, anonymised_at__isnull=True)
        .select_related("registration", "survey__event")
        .first()
    )
    if invitation is None:
        return None
    return LinkHolder(
        email=invitation.registration.email,
        language=invitation.language,
        back_url=invitation.get_absolute_url(),
        host_ref=invitation.survey.event.host_id,
    )
