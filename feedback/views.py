"""The participant's survey page, /tilbakemelding/<token>/: the questions, answered once.

It works without JavaScript: a plain form, each rating and choice a fieldset of radio buttons
or checkboxes with a legend. Shown in the participant's language unless they chose another
(the language cookie). A used link says so (409 on a second POST), a closed one too.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .models import SurveyInvitation
from .selectors import invitation_by_token
from .services.answering import answer_refusal, field_name, submit_survey_response
from .services.errors import SurveyAlreadyAnswered, SurveyError


def _questions(invitation: SurveyInvitation, data: object, errors: dict) -> list[dict]:
    rows = []
    for question in invitation.survey.questions.all():
        name = field_name(question)
        given = data.getlist(name) if hasattr(data, "getlist") else []
        rows.append(
            {
                "question": question,
                "name": name,
                "options": question.options(),
                "given": given,
                "text": given[0] if given else "",
                "errors": errors.get(name, []),
            }
        )
    return rows


def _render(
    request: HttpRequest, invitation: SurveyInvitation, *, errors: dict | None = None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else {}
    return render(
        request,
        "feedback/answer.html",
        {
            "invitation": invitation,
            "survey": invitation.survey,
            "event": invitation.survey.event,
            "rows": _questions(invitation, data, errors or {}),
            "errors": errors or {},
        },
        status=400 if errors else 200,
    )


def _refused(
    request: HttpRequest, invitation: SurveyInvitation, refusal: SurveyError, status: int
) -> HttpResponse:
    return render(
        request,
        "feedback/refused.html",
        {
            "event": invitation.survey.event,
            "message": refusal.message,
            "answered": isinstance(refusal, SurveyAlreadyAnswered),
            "thanks": request.GET.get("takk") == "1",
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer_survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    if invitation is None:
        message = _("This link does not lead to a survey. Check that you copied the whole link.")
        return render(request, "events/not_found.html", {"message": message}, status=404)
    language = invitation.language
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or language not in dict(
        settings.LANGUAGES
    ):
        language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        if refusal := answer_refusal(invitation, timezone.now()):
            return _refused(request, invitation, refusal, 409 if request.method == "POST" else 200)
        if request.method != "POST":
            return _render(request, invitation)
        try:
            submit_survey_response(invitation=invitation, data=request.POST)
        except ValidationError as error:
            return _render(request, invitation, errors=error.message_dict)
        except SurveyError as refusal:
            return _refused(request, invitation, refusal, 409)
    return redirect(invitation.get_absolute_url() + "?takk=1")
