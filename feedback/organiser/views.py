"""The organiser's survey pages for an event: settings, questions (add, change in place, delete,
move, copy from an earlier survey) and the results with their XLSX. Every view is
organiser_required and scoped like the other organiser event pages: an event the user does not
organise is a 404."""

from typing import Literal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.charts import Bar, horizontal_bars
from events.exports import export_filename
from events.models import Event
from events.organiser.views.common import apply_errors, error_messages, post_only
from events.selectors.organiser import get_organised_event
from partners.permissions import organiser_required

from ..exports import results_xlsx
from ..models import Survey, SurveyQuestion
from ..results import QuestionResult, SurveyResults, survey_results
from ..selectors import copyable_surveys, survey_of, visible_surveys
from ..services import organising
from .forms import CopyQuestionsForm, SurveyQuestionForm, SurveySettingsForm


def _survey_page(
    request: HttpRequest,
    event: Event,
    *,
    settings_form: SurveySettingsForm | None = None,
    question_form: SurveyQuestionForm | None = None,
    copy_form: CopyQuestionsForm | None = None,
    edited: tuple[SurveyQuestion, SurveyQuestionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    survey = survey_of(event)
    sources = list(copyable_surveys(request.user, event=event)) if survey else []
    return render(
        request,
        "feedback/organiser/survey.html",
        {
            "event": event,
            "survey": survey,
            "questions": list(survey.questions.all()) if survey else [],
            "settings_form": settings_form or SurveySettingsForm(survey=survey),
            "question_form": question_form or SurveyQuestionForm(),
            "copy_form": copy_form or CopyQuestionsForm(sources=sources),
            "sources": sources,
            "edited": edited[0] if edited else None,
            "edit_form": edited[1] if edited else None,
        },
        status=status,
    )


@organiser_required
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the survey; POST: create it or save its settings."""
    event = get_organised_event(request.user, pk)
    if request.method != "POST":
        return _survey_page(request, event)
    form = SurveySettingsForm(request.POST, survey=survey_of(event))
    if form.is_valid():
        try:
            organising.save_survey(event=event, values=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The survey settings were saved."))
            return redirect("feedback_organiser:survey", pk=event.pk)
    return _survey_page(request, event, settings_form=form, status=400)


def _refused_whole(
    request: HttpRequest, error: ValidationError, event: Event
) -> HttpResponse | None:
    """A refusal of the whole change (the survey is sent), not of a field: said on the page."""
    if hasattr(error, "error_dict"):
        return None
    messages.error(request, error_messages(error))
    return redirect("feedback_organiser:survey", pk=event.pk)


def _survey_or_404(event: Event) -> Survey:
    survey = survey_of(event)
    if survey is None:
        raise Http404
    return survey


@organiser_required
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if refused := post_only(request):
        return refused
    survey = _survey_or_404(event)
    form = SurveyQuestionForm(request.POST)
    if form.is_valid():
        try:
            organising.add_survey_question(survey=survey, values=form.cleaned_data)
        except ValidationError as error:
            if refused := _refused_whole(request, error, event):
                return refused
            apply_errors(form, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect("feedback_organiser:survey", pk=event.pk)
    return _survey_page(request, event, question_form=form, status=400)


def _question(request: HttpRequest, pk: int, question_id: int) -> SurveyQuestion:
    event = get_organised_event(request.user, pk)
    return get_object_or_404(SurveyQuestion, pk=question_id, survey__event=event)


@organiser_required
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """GET: the survey page with the question's form in place of its row; POST: save it."""
    question = _question(request, pk, question_id)
    event = question.survey.event
    if question.survey.sent_at is not None:
        messages.error(request, _("The survey has been sent and can no longer be changed."))
        return redirect("feedback_organiser:survey", pk=pk)
    if request.method != "POST":
        form = SurveyQuestionForm(prefix="edit", initial=_question_values(question))
        return _survey_page(request, event, edited=(question, form))
    form = SurveyQuestionForm(request.POST, prefix="edit")
    if form.is_valid():
        try:
            organising.change_survey_question(question=question, values=form.cleaned_data)
        except ValidationError as error:
            if refused := _refused_whole(request, error, event):
                return refused
            apply_errors(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("feedback_organiser:survey", pk=pk)
    question.refresh_from_db()
    return _survey_page(request, event, edited=(question, form), status=400)


def _question_values(question: SurveyQuestion) -> dict[str, object]:
    return {name: getattr(question, name) for name in organising.QUESTION_FIELDS}


@organiser_required
def question_delete(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = _question(request, pk, question_id)
    if refused := post_only(request):
        return refused
    try:
        organising.delete_survey_question(question=question)
    except ValidationError as error:
        messages.error(request, error_messages(error))
    else:
        messages.success(request, _("The question was deleted."))
    return redirect("feedback_organiser:survey", pk=pk)


@organiser_required
def question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = _question(request, pk, question_id)
    if refused := post_only(request):
        return refused
    direction: Literal["up", "down"] = "up" if request.POST.get("direction") == "up" else "down"
    try:
        organising.move_survey_question(question=question, direction=direction)
    except ValidationError as error:
        messages.error(request, error_messages(error))
    return redirect("feedback_organiser:survey", pk=pk)


@organiser_required
def questions_copy(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if refused := post_only(request):
        return refused
    survey = _survey_or_404(event)
    form = CopyQuestionsForm(
        request.POST, sources=list(copyable_surveys(request.user, event=event))
    )
    if form.is_valid():
        try:
            count = organising.copy_survey_questions(
                survey=survey, source=form.sources[form.cleaned_data["source"]]
            )
        except ValidationError as error:
            if refused := _refused_whole(request, error, event):
                return refused
            apply_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s question was copied.", "%(count)s questions were copied.", count
                )
                % {"count": count},
            )
            return redirect("feedback_organiser:survey", pk=event.pk)
    return _survey_page(request, event, copy_form=form, status=400)


@organiser_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    survey = _survey_or_404(event)
    results = survey_results(survey, comparable=visible_surveys(request.user))
    return render(
        request,
        "feedback/organiser/results.html",
        {"event": event, "results": results, "rows": _charts(results)},
    )


def _charts(results: SurveyResults) -> list[tuple[QuestionResult, str]]:
    """Each question's result with its SVG bar chart (none for free text)."""
    charts = []
    for result in results.questions:
        chart = ""
        if result.options:
            title = _("%(question)s: answers per option (%(count)s answered)") % {
                "question": result.question.text,
                "count": result.answered,
            }
            bars = [
                Bar(
                    label=o.label,
                    value=o.count,
                    shown="%d (%s %%)" % (o.count, number_format(o.share, 1)),
                )
                for o in result.options
            ]
            chart = horizontal_bars(bars, title=title)
        charts.append((result, chart))
    return charts


@organiser_required
def results_download(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    survey = _survey_or_404(event)
    results = survey_results(survey, comparable=visible_surveys(request.user))
    return results_xlsx(results, filename=export_filename(event, _("feedback"), "xlsx"))
