"""Organiser pages for an event's agenda sessions and registration questions."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.permissions import organiser_required

from ...models import Question, Session
from ...selectors.organiser import get_organised_event
from ...services import organising
from ..forms import QuestionForm, SessionForm
from .common import post_only, submitted

# Agenda sessions ------------------------------------------------------------------------------


@organiser_required
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    form = SessionForm(request.POST or None)
    if done := submitted(
        request,
        form,
        lambda values: organising.add_session(event=event, values=values),
        _("The session was added."),
        "events_organiser:sessions",
        pk=event.pk,
    ):
        return done
    sessions = event.sessions.annotate(signups=Count("choices")).order_by("starts_at", "id")
    return render(
        request,
        "events/organiser/session_list.html",
        {"event": event, "sessions": sessions, "form": form},
    )


@organiser_required
def session_edit(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    session = get_object_or_404(Session, pk=session_id, event=event)
    form = SessionForm(request.POST or None, instance=session)
    if done := submitted(
        request,
        form,
        lambda values: organising.update_session(session=session, values=values),
        _("The session was saved."),
        "events_organiser:sessions",
        pk=event.pk,
    ):
        return done
    return render(
        request,
        "events/organiser/session_form.html",
        {"event": event, "session": session, "form": form},
    )


@organiser_required
def session_delete(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    session = get_object_or_404(Session, pk=session_id, event=event)
    if request.method == "POST":
        organising.delete_session(session=session)
        messages.success(request, _("The session was deleted."))
        return redirect("events_organiser:sessions", pk=event.pk)
    return render(
        request,
        "events/organiser/confirm_delete.html",
        {
            "event": event,
            "object": session,
            "consequence": _("%(count)s participants have signed up for this session.")
            % {"count": session.choices.count()},
            "back": reverse("events_organiser:sessions", kwargs={"pk": event.pk}),
        },
    )


# Questions ------------------------------------------------------------------------------------


@organiser_required
def question_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    form = QuestionForm(request.POST or None)
    if done := submitted(
        request,
        form,
        lambda values: organising.add_question(event=event, values=values),
        _("The question was added."),
        "events_organiser:questions",
        pk=event.pk,
    ):
        return done
    questions = list(
        event.questions.annotate(answer_count=Count("answers")).order_by("position", "id")
    )
    return render(
        request,
        "events/organiser/question_list.html",
        {"event": event, "questions": questions, "form": form},
    )


@organiser_required
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    form = QuestionForm(request.POST or None, instance=question)
    if done := submitted(
        request,
        form,
        lambda values: organising.update_question(question=question, values=values),
        _("The question was saved."),
        "events_organiser:questions",
        pk=event.pk,
    ):
        return done
    return render(
        request,
        "events/organiser/question_form.html",
        {"event": event, "question": question, "form": form},
    )


@organiser_required
def question_delete(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    if request.method == "POST":
        organising.delete_question(question=question)
        messages.success(request, _("The question was deleted."))
        return redirect("events_organiser:questions", pk=event.pk)
    return render(
        request,
        "events/organiser/confirm_delete.html",
        {
            "event": event,
            "object": question,
            "consequence": _("%(count)s answers to this question will be deleted too.")
            % {"count": question.answers.count()},
            "back": reverse("events_organiser:questions", kwargs={"pk": event.pk}),
        },
    )


@organiser_required
def question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    if refused := post_only(request):
        return refused
    organising.move_question(
        question=question, direction="up" if request.POST.get("direction") == "up" else "down"
    )
    return redirect(reverse("events_organiser:questions", kwargs={"pk": event.pk}) + "#questions")
