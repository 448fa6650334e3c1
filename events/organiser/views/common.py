"""What the organiser views share: POST-only answers and forms handed to a service."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect


def post_only(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def submitted(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    message: str,
    url_name: str,
    **url_kwargs: Any,
) -> HttpResponse | None:
    """A POSTed valid form handed to its service: on success the message and the redirect;
    the service's ValidationError goes onto the form and None is returned (render it)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, message)
    return redirect(url_name, **url_kwargs)


def error_messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)
