"""The one error shape of the API, the one function that writes it, and the handlers that map
every failure to it.

Every error answer is `{"code": ..., "message": ..., "errors": [{"field": ..., "message": ...}]}`,
its message in the language the request asked for (Accept-Language, via LocaleMiddleware).
"""

import json
import logging
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from .throttling import retry_after

logger = logging.getLogger(__name__)


class FieldErrorOut(Schema):
    field: str | None = Field(None, description="The input field, dotted for nested ones.")
    message: str


class ErrorOut(Schema):
    code: str = Field(..., description="Machine-readable, e.g. validation_error, not_found.")
    message: str = Field(..., description="For people, in the language asked for.")
    errors: list[FieldErrorOut] = Field(default_factory=list)


class ApiError(Exception):
    """An answer other than success, raised by an endpoint; rendered as ErrorOut."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Any,
        errors: Iterable[tuple[str | None, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors)
        self.headers = headers or {}
        super().__init__(code)


def not_found() -> ApiError:
    return ApiError(404, "not_found", gettext_lazy("Not found."))


def forbidden() -> ApiError:
    return ApiError(
        403, "permission_denied", gettext_lazy("You do not have permission to do this.")
    )


def invalid_field(field: str, message: Any) -> ApiError:
    return ApiError(
        422,
        "validation_error",
        gettext_lazy("The request has errors; see errors."),
        [(field, message)],
    )


def refusal(*, code: str, message: Any, field: str | None, statuses: dict[str, int]) -> ApiError:
    """A service's refusal (its code, translated message and the form field it concerns) as
    the one error shape: the status `statuses` gives the code, else 422 validation_error. A
    question's form field `q_<id>` is named `answers.<id>`, as the API's body names it."""
    status = statuses.get(code, 422)
    if field and field.startswith("q_"):
        field = "answers." + field[2:]
    return ApiError(
        status,
        "validation_error" if status == 422 else code,
        message,
        [(field, message)] if field or status == 422 else [],
    )


def error_responses(*statuses: int) -> dict[int, type[Schema]]:
    """The documented error answers of an operation (schemathesis checks each status is listed)."""
    return {status: ErrorOut for status in statuses}


def error_response(
    status: int,
    code: str,
    message: Any,
    errors: Iterable[tuple[str | None, Any]] = (),
    *,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An ErrorOut answer; messages (lazy or not) are rendered in the active language."""
    data = {
        "code": code,
        "message": str(message),
        "errors": [{"field": field, "message": str(text)} for field, text in errors],
    }
    response = HttpResponse(
        json.dumps(data), status=status, content_type="application/json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Refused before anything reads the body --------------------------------------------------------

# \u0000 in a JSON string, unless its backslash is itself escaped (an odd run of backslashes).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def refuse_nul_characters(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A JSON body with a NUL character is refused before anything reads it: PostgreSQL cannot
    store NUL in text, and no field of ours has a use for it. In a multipart body only the text
    fields are looked at: an uploaded file's bytes are binary, and its checks are the service's."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.content_type == "multipart/form-data":
                texts = [v for values in request.POST.lists() for v in values[1]]
                has_nul = any("\x00" in text for text in texts)
            else:
                body = request.body
                has_nul = b"\x00" in body or bool(_JSON_NUL.search(body))
        except RequestDataTooBig:
            # Django's own answer would be an HTML page; an API client gets the error shape.
            message = _("The request body is too large.")
            return error_response(400, "bad_request", message, [(None, message)])
        except MultiPartParserError:
            message = _("The request body could not be read.")
            return error_response(400, "bad_request", message, [(None, message)])
        if has_nul:
            message = _("Text may not contain NUL characters (\\u0000).")
            return error_response(422, "invalid", message, [(None, message)])
        return run(request, *args, **kwargs)

    return wrapper


# Field errors from request parsing (pydantic) ---------------------------------------------------


def _pydantic_message(error: dict[str, Any]) -> str:
    """A translated sentence for one pydantic error; Django's own wording where it has one."""
    kind: str = error.get("type", "")
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_type", "float_parsing", "decimal_parsing", "decimal_type"}:
        return _("Enter a number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind.startswith(("datetime_", "date_", "time_")) and kind != "timezone_aware":
        return _("Enter a valid date/time.")
    if kind == "timezone_aware":
        return _("Give the time with its UTC offset, e.g. 2030-05-02T09:00:00+02:00.")
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character.",
            "Ensure this value has at most %(limit_value)d characters.",
            limit,
        ) % {"limit_value": limit}
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Enter a list of values.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Enter a valid value.")
    if kind == "value_error" and "error" in ctx:
        # Raised by our own validators, already translated.
        return str(ctx["error"])
    return _("Enter a valid value.")


def _field_name(loc: tuple | list) -> str | None:
    """("body", "payload", "answers", 0) -> "answers.0"; ("query", "limit") -> "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


# The handlers ----------------------------------------------------------------------------------


def on_request_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [(_field_name(error.get("loc", ())), _pydantic_message(error)) for error in exc.errors]
    return error_response(422, "validation_error", _("The request has errors; see errors."), errors)


def on_service_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """Field errors are 422; an error about the state of things (no field) is a 409 conflict."""
    if hasattr(exc, "error_dict"):
        errors: list[tuple[str | None, Any]] = []
        for field, field_errors in exc.message_dict.items():
            name = None if field == "__all__" else field
            errors.extend((name, message) for message in field_errors)
        if any(name is not None for name, _message in errors):
            return error_response(
                422, "validation_error", _("The request has errors; see errors."), errors
            )
        return error_response(409, "conflict", errors[0][1], errors)
    messages = exc.messages
    return error_response(409, "conflict", messages[0], [(None, message) for message in messages])


def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.errors, headers=exc.headers)


def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, "permission_denied", _("You do not have permission to do this."))


def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401,
        "not_authenticated",
        _("Send a valid API token: Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return error_response(
        429,
        "rate_limited",
        _("Too many requests. Try again in a little while."),
        headers={"Retry-After": retry_after(exc.wait or 60)},
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
}


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        message = _("The request body is not valid JSON.")
    else:
        message = exc.message
    return error_response(exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), message)


def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        500, "server_error", _("Something went wrong on our side. Try again later.")
    )


HANDLERS: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
    NinjaValidationError: on_request_validation_error,
    DjangoValidationError: on_service_validation_error,
    ApiError: on_api_error,
    Http404: on_not_found,
    PermissionDenied: on_permission_denied,
    AuthenticationError: on_unauthenticated,
    Throttled: on_throttled,
    HttpError: on_http_error,
    Exception: on_unexpected_error,
}


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure of every operation of `api` answers in the one error shape."""
    for exception, handler in HANDLERS.items():
        api.add_exception_handler(exception, handler)
