"""Django's session, user and message middleware for the site, passed over for the API.

The API (/api/v1/) knows callers by their token only (Authorization: Bearer, which sets
request.user); its public operations are anonymous. A browser's session cookie is no way into
it, and it shows no messages. Each class here is Django's own, so the admin's checks still
find them, and the order in settings.MIDDLEWARE is unchanged: on the API each hands the
request straight on. Everything else (security headers, CSRF for the HTML pages, the
language from Accept-Language) runs for the API as before.

Measured on one API registration (issue 10): these three cost about 6 % of the app's CPU,
setting up a session store, a lazy user and two message stores that the API never reads.
"""

from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessages
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessions
from django.http import HttpRequest

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class SessionMiddleware(DjangoSessions):
    """No session for the API: it never reads one and never sets the cookie."""

    def __call__(self, request: HttpRequest) -> Any:  # a response, or its coroutine (ASGI)
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)


class AuthenticationMiddleware(DjangoAuthentication):
    """On the API the caller is anonymous until a token says who they are."""

    def __call__(self, request: HttpRequest) -> Any:  # a response, or its coroutine (ASGI)
        if is_api(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class MessageMiddleware(DjangoMessages):
    """The API answers in JSON and shows no messages."""

    def __call__(self, request: HttpRequest) -> Any:  # a response, or its coroutine (ASGI)
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)
