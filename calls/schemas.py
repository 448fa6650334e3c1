"""The shapes of the calls API: public reads of published calls and a public answer."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

LanguageCode = Literal["nb", "nn", "en"]


class CallQuestionOut(Schema):
    id: int
    order: int
    text: str
    help_text: str
    required: bool


class PublishedAnswerTextOut(Schema):
    question: int
    text: str


class PublishedAnswerOut(Schema):
    id: int
    name: str = Field(..., description="The sender; empty when sent on behalf of an organisation.")
    organisation: str
    on_behalf: bool
    submitted_at: dt.datetime
    texts: list[PublishedAnswerTextOut]


class CallOut(Schema):
    slug: str
    title: str
    host: str = Field(..., description="The host's slug.")
    network: str | None = Field(None, description="The network's slug, if the call has one.")
    opens_at: dt.datetime
    closes_at: dt.datetime = Field(..., description="The deadline; answers are refused from then.")
    deadline: str = Field(..., description="The deadline in words, in the language asked for.")
    is_open: bool
    audience: Literal["anyone", "invited"]
    publishes_answers: bool
    url: str


class CallDetailOut(CallOut):
    introduction: str = Field(..., description="Plain text: blank lines separate paragraphs.")
    contact_name: str
    contact_title: str
    contact_email: str
    contact_phone: str
    questions: list[CallQuestionOut]
    published_answers: list[PublishedAnswerOut] = Field(
        ..., description="Only answers an organiser published, with the sender's consent."
    )


class AnswerTextIn(BaseModel):
    question: int = Field(..., description="A question id of this call.")
    text: str = Field(..., max_length=20000)


class AnswerIn(BaseModel):
    """A public answer, without attachments (send those through the form)."""

    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., max_length=254)
    organisation: str = Field("", max_length=200, description="Organisation name.")
    on_behalf: bool = Field(False, description="Sent on behalf of the organisation.")
    language: LanguageCode = "nb"
    consent_to_publish: bool = Field(False, description="May be published, if the call publishes.")
    answers: list[AnswerTextIn] = Field(default_factory=list, max_length=100)


class AnswerCreatedOut(Schema):
    id: int
    status: str
    manage_url: str = Field(..., description="The personal link: see, change or withdraw.")
