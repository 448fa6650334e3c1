"""The SurveyError family: a rule refused an answer to a survey, with a translated message and a
code (the page shows the message; the code names the refusal in tests and logs)."""

from typing import Any


class SurveyError(Exception):
    code = "invalid"

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


class SurveyAlreadyAnswered(SurveyError):
    code = "already_answered"


class SurveyClosed(SurveyError):
    code = "closed"
