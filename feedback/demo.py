"""Demo surveys: the 2021 partnership conference's survey, sent and partly answered, so the
results page has something to show, and the 2020 conference's with the same first question,
so the results compare the two. Idempotent: a survey is keyed by its event and built once,
with its invitations and answers; a second run finds it and changes nothing.

Depends on events.demo.seed_events having run (the conferences and their registrations).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from events.demo.building import demo_uid
from events.models import Event

from .models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from .services.sending import audience as asked

Kind = SurveyQuestion.Kind
OVERALL = "Hvordan var konferansen alt i alt?"


@dataclass(frozen=True)
class DemoQuestion:
    text: str
    kind: str = Kind.RATING
    choices: tuple[str, ...] = ()
    required: bool = False


QUESTIONS_2021 = [
    DemoQuestion(OVERALL, required=True),
    DemoQuestion(
        "Hvilken del av dagen var mest nyttig?",
        Kind.SINGLE_CHOICE,
        ("Innledningene", "Verkstedene", "Samtalene i pausene"),
    ),
    DemoQuestion(
        "Hva vil du ha mer av neste år?",
        Kind.MULTIPLE_CHOICE,
        ("Fagstoff", "Eksempler fra kommunene", "Tid til nettverksbygging"),
    ),
    DemoQuestion("Har du andre innspill til neste konferanse?", Kind.FREE_TEXT),
]
# One dict per response: question text -> the answer's stored values.
ANSWERS_2021: list[dict[str, dict[str, Any]]] = [
    {
        OVERALL: {"rating": 5},
        QUESTIONS_2021[1].text: {"chosen": ["Verkstedene"]},
        QUESTIONS_2021[2].text: {"chosen": ["Eksempler fra kommunene", "Tid til nettverksbygging"]},
        QUESTIONS_2021[3].text: {"text": "Flere eksempler fra små kommuner, takk."},
    },
    {
        OVERALL: {"rating": 4},
        QUESTIONS_2021[1].text: {"chosen": ["Samtalene i pausene"]},
        QUESTIONS_2021[2].text: {"chosen": ["Tid til nettverksbygging"]},
    },
]
QUESTIONS_2020 = [DemoQuestion(OVERALL, required=True)]
ANSWERS_2020: list[dict[str, dict[str, Any]]] = [{OVERALL: {"rating": 3}}]


def _seed_survey(
    key: str,
    questions: list[DemoQuestion],
    answers: list[dict[str, dict[str, Any]]],
    *,
    audience: str,
) -> Survey | None:
    event = Event.objects.filter(uid=demo_uid(key)).first()
    if event is None or Survey.objects.filter(event=event).exists():
        return None
    survey = Survey.objects.create(event=event, audience=audience, anonymous=True)
    stored = SurveyQuestion.objects.bulk_create(
        [
            SurveyQuestion(
                survey=survey,
                text=q.text,
                kind=q.kind,
                choices=list(q.choices),
                required=q.required,
                position=position,
            )
            for position, q in enumerate(questions)
        ]
    )
    by_text = {question.text: question for question in stored}
    sent_at = survey.send_at()
    registrations = asked(survey)
    # The first ones answered a day after it was sent (anonymous: nothing says which were whose).
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                survey=survey,
                registration=registration,
                language=registration.language,
                answered_at=sent_at + dt.timedelta(days=1) if i < len(answers) else None,
                reminded_at=(
                    sent_at + dt.timedelta(hours=survey.reminder_after_hours or 72)
                    if i >= len(answers)
                    else None
                ),
            )
            for i, registration in enumerate(registrations)
        ]
    )
    for values in answers[: len(registrations)]:
        response = SurveyResponse.objects.create(survey=survey, anonymous=True)
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(response=response, question=by_text[text], **answer)
                for text, answer in values.items()
            ]
        )
    Survey.objects.filter(pk=survey.pk).update(sent_at=sent_at)
    return survey


@transaction.atomic
def seed_feedback() -> None:
    _seed_survey(
        "conference-2020", QUESTIONS_2020, ANSWERS_2020, audience=Survey.Audience.CONFIRMED
    )
    _seed_survey(
        "conference-2021", QUESTIONS_2021, ANSWERS_2021, audience=Survey.Audience.CHECKED_IN
    )
