"""The results of a survey, as the organiser's page, the XLSX and the API read them: the
response rate, per question the count per option (and the average of a rating), the free
texts, and the same question (same text) at the latest earlier event the organiser may see.

A fixed number of queries however many answers: the questions, the invitations' counts, all
answers' values, and for the comparison the earlier questions and their answers.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from .models import Survey, SurveyAnswer, SurveyQuestion

Kind = SurveyQuestion.Kind


@dataclass
class OptionCount:
    label: str
    count: int
    share: float  # of those who answered the question, 0..100


@dataclass
class Earlier:
    """The same question at an earlier event."""

    event_title: str
    event_id: int
    answered: int
    options: list[OptionCount]
    average: float | None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)
    earlier: Earlier | None = None


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    answered: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> float:
        return round(100 * self.answered / self.invited, 1) if self.invited else 0.0


def _tally(
    question: SurveyQuestion, answers: Iterable[tuple[int | None, list, str]]
) -> tuple[int, list[OptionCount], float | None, list[str]]:
    answers = list(answers)
    counts: Counter[str] = Counter()
    texts: list[str] = []
    ratings: list[int] = []
    for rating, chosen, text in answers:
        if rating is not None:
            ratings.append(rating)
            counts[str(rating)] += 1
        counts.update(str(choice) for choice in chosen or [])
        if text:
            texts.append(text)
    answered = len(answers)
    options = [
        OptionCount(
            label=label,
            count=counts[label],
            share=round(100 * counts[label] / answered, 1) if answered else 0.0,
        )
        for label in question.options()
    ]
    average = round(sum(ratings) / len(ratings), 2) if ratings else None
    return answered, options, average, texts


def _answers_by_question(question_ids: list[int]) -> dict[int, list[tuple[int | None, list, str]]]:
    found: dict[int, list[tuple[int | None, list, str]]] = defaultdict(list)
    rows = SurveyAnswer.objects.filter(question_id__in=question_ids).values_list(
        "question_id", "rating", "chosen", "text"
    )
    for question_id, rating, chosen, text in rows.order_by("question_id", "response_id"):
        found[question_id].append((rating, chosen, text))
    return found


def _earlier(
    survey: Survey, questions: list[SurveyQuestion], comparable: QuerySet[Survey] | None
) -> dict[str, Earlier]:
    """By question text: the latest earlier event's question of the same text and kind."""
    if comparable is None or not questions:
        return {}
    texts = {q.text for q in questions}
    candidates = (
        SurveyQuestion.objects.filter(
            text__in=texts,
            survey__in=comparable.filter(event__starts_at__lt=survey.event.starts_at),
        )
        .select_related("survey__event")
        .order_by("-survey__event__starts_at", "-pk")
    )
    kinds = {q.text: q.kind for q in questions}
    chosen: dict[str, SurveyQuestion] = {}
    for candidate in candidates:
        if candidate.kind == kinds[candidate.text]:
            chosen.setdefault(candidate.text, candidate)
    answers = _answers_by_question([q.pk for q in chosen.values()])
    found = {}
    for text, question in chosen.items():
        answered, options, average, _texts = _tally(question, answers.get(question.pk, []))
        found[text] = Earlier(
            event_title=question.survey.event.title,
            event_id=question.survey.event_id,
            answered=answered,
            options=options,
            average=average,
        )
    return found


def survey_results(survey: Survey, *, comparable: QuerySet[Survey] | None = None) -> SurveyResults:
    """`comparable`: the surveys the reader may see, to compare each question with (None: no
    comparison)."""
    questions = list(SurveyQuestion.objects.filter(survey=survey))
    counts = survey.invitations.aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    answers = _answers_by_question([q.pk for q in questions])
    earlier = _earlier(survey, questions, comparable)
    results = []
    for question in questions:
        answered, options, average, texts = _tally(question, answers.get(question.pk, []))
        results.append(
            QuestionResult(
                question=question,
                answered=answered,
                options=options,
                average=average,
                texts=texts,
                earlier=earlier.get(question.text),
            )
        )
    return SurveyResults(
        survey=survey, invited=counts["invited"], answered=counts["answered"], questions=results
    )
