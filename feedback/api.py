"""The feedback router: GET /events/{id}/survey/results for organisers with a token, scoped as
the events API's organiser endpoints (404 for an event the token cannot see, 403 for a public
event of someone else's network or host). Mounted in config/api.py."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from api.auth import token_auth
from api.errors import error_responses, not_found
from events.api.router import organised_event

from .results import Earlier, OptionCount, SurveyResults, survey_results
from .schemas import SurveyResultsOut
from .selectors import survey_of, visible_surveys

router = Router(tags=["feedback"])


def _options(options: list[OptionCount]) -> list[dict[str, Any]]:
    return [{"label": o.label, "count": o.count, "share": o.share} for o in options]


def _earlier(earlier: Earlier | None) -> dict[str, Any] | None:
    if earlier is None:
        return None
    return {
        "event_id": earlier.event_id,
        "event_title": earlier.event_title,
        "answered": earlier.answered,
        "options": _options(earlier.options),
        "average": earlier.average,
    }


def results_answer(results: SurveyResults) -> dict[str, Any]:
    survey = results.survey
    return {
        "event_id": survey.event_id,
        "anonymous": survey.anonymous,
        "sent_at": survey.sent_at.isoformat() if survey.sent_at else None,
        "invited": results.invited,
        "answered": results.answered,
        "response_rate": results.response_rate,
        "questions": [
            {
                "id": r.question.pk,
                "text": r.question.text,
                "kind": r.question.kind,
                "required": r.question.required,
                "answered": r.answered,
                "options": _options(r.options),
                "average": r.average,
                "texts": r.texts,
                "earlier": _earlier(r.earlier),
            }
            for r in results.questions
        ],
    }


@router.get(
    "/events/{event_id}/survey/results",
    response={200: SurveyResultsOut, **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="The results of the event's feedback survey (organisers)",
    operation_id="feedback_api_survey_results",
)
def survey_results_endpoint(request: HttpRequest, event_id: int) -> dict[str, Any]:
    event = organised_event(request, event_id)
    survey = survey_of(event)
    if survey is None:
        raise not_found()
    return results_answer(survey_results(survey, comparable=visible_surveys(request.user)))
