"""What a registration says about a person (ParticipantDetails), and its checks: the sessions
chosen, the answers given, the known organisation a typed name means."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Language, Organisation

from .models import Answer, Question, Session
from .services.errors import InvalidAnswer, RegistrationError


@dataclass(frozen=True)
class ParticipantDetails:
    """What the registration form, the public API and an invitation say about the registrant.

    Raw as typed: the registration service strips, checks and drops what the event does not
    ask for (special categories without their consent, an unknown language)."""

    name: str
    email: str
    organisation: Organisation | None = None
    organisation_name: str = ""
    title: str = ""
    phone: str = ""
    language: str = Language.BOKMAL
    list_consent: bool = False
    dietary_consent: bool = False
    dietary_needs: str = ""
    assistance_consent: bool = False
    assistance_needs: str = ""
    session_ids: Sequence[int] = ()
    answers: Mapping[int, Any] = field(default_factory=dict)


def known_organisations_named(name: str) -> QuerySet[Organisation]:
    """The organisations a typed name means: the same name regardless of case, oldest first.

    The one rule for linking a typed name to a known organisation; the one-statement
    registration (events.services.seats) compiles this same query into its SQL."""
    return Organisation.objects.filter(name__iexact=name).order_by("pk")


def chosen_sessions(sessions: Iterable[Session], session_ids: Iterable[int]) -> list[Session]:
    """The chosen sign-up sessions among the event's; capacity is checked by the seat UPDATE,
    so the rows read may be stale."""
    wanted = set(session_ids)
    if not wanted:
        return []
    chosen = [s for s in sessions if s.requires_signup and s.pk in wanted]
    if len(chosen) != len(wanted):
        raise RegistrationError(_("Choose among the sessions listed."), field="sessions")
    ordered = sorted(chosen, key=lambda s: (s.starts_at, s.pk))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.starts_at < earlier.ends_at:
            raise RegistrationError(
                _("“%(first)s” and “%(second)s” take place at the same time. Choose one of them.")
                % {"first": earlier.title, "second": later.title},
                field="sessions",
            )
    return chosen


def clean_answers(questions: Iterable[Question], answers: Mapping[int, Any]) -> list[Answer]:
    """Check the answers against the event's questions; the rows are returned unsaved."""
    rows = []
    by_pk = {q.pk: q for q in questions}
    if set(answers) - set(by_pk):
        raise InvalidAnswer(_("Answer only the questions asked."))
    for question in sorted(by_pk.values(), key=lambda q: (q.position, q.pk)):
        field = "q_%d" % question.pk
        value = answers.get(question.pk)
        if value in (None, "", []):
            if question.required:
                raise InvalidAnswer(_("This question needs an answer."), field=field)
            continue
        kind = question.kind
        options = [str(c) for c in question.choices]
        if kind in (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT):
            limit = 500 if kind == Question.Kind.SHORT_TEXT else 5000
            if not isinstance(value, str) or len(value) > limit:
                raise InvalidAnswer(_("This answer is too long."), field=field)
            value = value.strip()
        elif kind == Question.Kind.SINGLE_CHOICE:
            if value not in options:
                raise InvalidAnswer(_("Choose one of the options."), field=field)
        elif kind == Question.Kind.MULTIPLE_CHOICE:
            if not isinstance(value, list | tuple) or any(v not in options for v in value):
                raise InvalidAnswer(_("Choose among the options."), field=field)
            value = [o for o in options if o in value]
        elif kind == Question.Kind.YES_NO:
            if not isinstance(value, bool):
                raise InvalidAnswer(_("Answer yes or no."), field=field)
        rows.append(Answer(question=question, value=value))
    return rows
