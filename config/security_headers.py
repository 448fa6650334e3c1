"""The browser-facing security headers of every answer: Content-Security-Policy and
Permissions-Policy (Cross-Origin-Opener-Policy: same-origin, Django's default, Referrer-Policy, nosniff and
X-Frame-Options come from Django's own SecurityMiddleware and XFrameOptionsMiddleware).

The policy allows no inline script or style at all, not even with a nonce: the site's templates
keep their CSS and JavaScript in static files, and Django 5.2's admin and ninja's Swagger UI
need none (tests/e2e/test_csp.py loads them and listens for violations). A template that
really needs an inline block should get a per-request nonce here rather than 'unsafe-inline'.

The camera is allowed only on the views named in CAMERA_VIEWS (the check-in page scans
tickets); every other page turns it off with the other powerful features.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# data: images are the admin's and Swagger UI's icons in their CSS.
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The views whose pages may use the camera (Permissions-Policy camera=(self)).
CAMERA_VIEWS = frozenset({"events_organiser:check_in"})

# Features no page of the site uses: off everywhere. The camera is added per view.
_FEATURES_OFF = (
    "accelerometer",
    "autoplay",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)


def content_security_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def permissions_policy(*, camera: bool) -> str:
    features = [f"{name}=()" for name in _FEATURES_OFF]
    features.insert(0, "camera=(self)" if camera else "camera=()")
    return ", ".join(features)


class SecurityHeadersMiddleware:
    """Sets the headers on every response a view, an error page or the API gives, unless
    the response already carries its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy(CONTENT_SECURITY_POLICY)
        self.without_camera = permissions_policy(camera=False)
        self.with_camera = permissions_policy(camera=True)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        camera = match is not None and match.view_name in CAMERA_VIEWS
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault(
            "Permissions-Policy", self.with_camera if camera else self.without_camera
        )
        return response
