"""The shapes of the organisers' calls API: create and change a call, list its answers."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

from .schemas import CallDetailOut


class QuestionIn(BaseModel):
    id: int | None = Field(None, description="An existing question's id; absent: a new one.")
    text: str = Field(..., min_length=1, max_length=5000)
    help_text: str = Field("", max_length=5000)
    order: int = Field(0, ge=0, le=1000)
    required: bool = False


class CallIn(BaseModel):
    """A new call (a draft). Times with an offset (UTC or Europe/Oslo)."""

    title: str = Field(..., min_length=1, max_length=200)
    host: str | None = Field(
        None, description="The host's slug; may be left out when the network has one host."
    )
    network: str | None = Field(None, description="A network's slug.")
    introduction: str = Field("", max_length=20000)
    opens_at: dt.datetime
    closes_at: dt.datetime = Field(..., description="The deadline.")
    audience: Literal["anyone", "invited"] = "anyone"
    publishes_answers: bool = False
    contact_name: str = Field("", max_length=200)
    contact_title: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=40)
    reminder_days: int | None = Field(None, ge=0, le=60)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=30)


class CallPatch(BaseModel):
    """Only the fields sent change. `questions`, when sent, is the whole new list: questions
    left out are removed (refused for a question that has answers)."""

    title: str | None = Field(None, min_length=1, max_length=200)
    network: str | None = None
    introduction: str | None = Field(None, max_length=20000)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    audience: Literal["anyone", "invited"] | None = None
    publishes_answers: bool | None = None
    contact_name: str | None = Field(None, max_length=200)
    contact_title: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=40)
    reminder_days: int | None = Field(None, ge=0, le=60)
    status: Literal["draft", "published"] | None = Field(
        None, description="Publish (needs a question) or take back to a draft."
    )
    questions: list[QuestionIn] | None = Field(None, max_length=30)


class OrganisedCallOut(CallDetailOut):
    status: Literal["draft", "published"]
    reminder_days: int | None


class AnswerFilter(Schema):
    search: str | None = Field(
        None, max_length=200, description="Words in name, email, organisation or text."
    )
    organisation: int | None = Field(None, description="An organisation's id.")
    sector: Literal["public", "private", "research", "labour", "voluntary"] | None = None
    role: Literal["member", "observer"] | None = Field(
        None, description="Member or observer, in `network` or else the call's partnership."
    )
    network: str | None = Field(None, description="A network's slug: answers of its organisations.")
    on_behalf: bool | None = None
    status: Literal["received", "under_consideration", "answered", "withdrawn"] | None = Field(
        None, description="Absent: every answer not withdrawn."
    )
    published: bool | None = None


class AnswerTextOut(Schema):
    question: int
    text: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    published: bool


class OrganisedAnswerOut(Schema):
    id: int
    name: str
    email: str
    organisation: str
    organisation_id: int | None
    sector: str | None
    on_behalf: bool
    language: str
    consent_to_publish: bool
    published: bool
    status: str
    internal_note: str
    withdrawn_at: dt.datetime | None
    submitted_at: dt.datetime
    texts: list[AnswerTextOut]
    attachments: list[AttachmentOut]
