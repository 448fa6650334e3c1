"""API shapes for send-outs and invitations."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from partners.models import Organisation


class NewOrganisationIn(Schema):
    name: str = Field(max_length=200, description="As written in new_people (any case).")
    sector: Organisation.Sector


class SendOutIn(Schema):
    """Who to invite. At least one recipient."""

    networks: list[str] = Field(
        default_factory=list, max_length=100, description="Network slugs: everyone in them."
    )
    organisations: list[int] = Field(
        default_factory=list, max_length=1000, description="Organisation ids: their people."
    )
    people: list[str] = Field(
        default_factory=list, max_length=5000, description="Email addresses of known people."
    )
    new_people: str = Field(
        "",
        max_length=1_000_000,
        description=(
            "CSV in the people-import format (name, email, organisation, ...): added to the "
            "event's network first, all or nothing, then invited."
        ),
    )
    new_organisations: list[NewOrganisationIn] = Field(
        default_factory=list,
        max_length=1000,
        description=(
            "Organisations named in new_people that the registry does not know yet, each with "
            "its sector: confirmed here, they are added with the people. An unknown "
            "organisation not listed is refused (422, field new_organisations) and nothing is "
            "saved."
        ),
    )
    message: str = Field("", max_length=5000, description="A personal note in the invitation.")


class SendIn(Schema):
    send_at: AwareDatetime | None = Field(None, description="Later; empty or past: now.")


class SendOutOut(Schema):
    id: int
    event: int
    state: Literal["draft", "scheduled", "sending", "done"]
    message: str
    scheduled_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    invited: int
    skipped_already_invited_or_registered: int
    skipped_opted_out: int
    total: int = Field(..., description="Messages queued for this send-out so far.")
    queued: int = Field(..., description="Not delivered yet (queued, sending or retrying).")
    sent: int = Field(..., description="Delivered and not returned.")
    failed: int
    bounced: int = Field(..., description="Returned by the recipient's server as undeliverable.")
    answered: int = Field(..., description="The send-out's invitations answered by any channel.")
    auto_replies: int = Field(..., description="Automatic replies (out of office) that came back.")

    @staticmethod
    def resolve_event(sendout: Any) -> int:
        return sendout.event_id

    @staticmethod
    def resolve_invited(sendout: Any) -> int:
        return sendout.invited_count

    @staticmethod
    def resolve_skipped_already_invited_or_registered(sendout: Any) -> int:
        return sendout.skipped_existing_count

    @staticmethod
    def resolve_skipped_opted_out(sendout: Any) -> int:
        return sendout.skipped_opted_out_count


class InvitationOut(Schema):
    """One invitation and its answer."""

    id: int
    email: str
    name: str
    answer: Literal["pending", "registered", "declined", "accepted", "tentative"] = Field(
        ...,
        description=(
            "pending: no answer yet; accepted: accepted in a calendar, registration not "
            "complete (the person was sent the link to finish); tentative: answered maybe in a "
            "calendar."
        ),
    )
    channel: Literal["web", "calendar", "organiser", ""] = Field(
        ..., description="How the answer came; empty while there is none."
    )
    answered_at: datetime | None
    registration: int | None = Field(None, description="The registration the answer made.")
    undeliverable: bool = Field(
        ..., description="Mail to the address came back as permanently undeliverable."
    )
    created_at: datetime

    @staticmethod
    def resolve_answer(invitation: Any) -> str:
        return invitation.state

    @staticmethod
    def resolve_registration(invitation: Any) -> int | None:
        return invitation.registration_id
