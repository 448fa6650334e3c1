"""The shapes of the feedback API (names unique across the API: tests/api/test_schema_names.py)."""

from ninja import Schema


class SurveyOptionCountOut(Schema):
    label: str
    count: int
    share: float


class SurveyEarlierOut(Schema):
    event_id: int
    event_title: str
    answered: int
    options: list[SurveyOptionCountOut]
    average: float | None


class SurveyQuestionResultOut(Schema):
    id: int
    text: str
    kind: str
    required: bool
    answered: int
    options: list[SurveyOptionCountOut]
    average: float | None
    texts: list[str]
    earlier: SurveyEarlierOut | None


class SurveyResultsOut(Schema):
    event_id: int
    anonymous: bool
    sent_at: str | None
    invited: int
    answered: int
    response_rate: float
    questions: list[SurveyQuestionResultOut]
