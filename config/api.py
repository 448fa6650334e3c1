"""The NinjaAPI at /api/v1/: each app's router, mounted with api/'s errors and idempotency.

The plumbing (token auth, the error shape, pagination, throttling, idempotency) lives in api/,
which knows no domain; assembling the routers of the domain apps is the one thing done here.
"""

from ninja import NinjaAPI

from api.errors import install_error_handlers, refuse_nul_characters
from api.idempotency import idempotent
from calls.api_organiser import router as calls_router
from events.api import router as events_router
from feedback.api import router as feedback_router
from invitations.api import router as invitations_router
from partners.api import router as partners_router
from worker.api import router as worker_router

api = NinjaAPI(
    title="Partnerskap API",
    version="1",
    urls_namespace="api",
    description=(
        "Networks, organisations and events of the partnership. Reading published events and "
        "registering is public; everything else needs an organiser's personal API token "
        "(`Authorization: Bearer ...`). Errors: `{code, message, errors: [{field, message}]}`; "
        "messages follow Accept-Language (nb, nn, en). Creating POSTs accept an "
        "`Idempotency-Key` header."
    ),
)
api.add_decorator(idempotent, mode="view")
api.add_decorator(refuse_nul_characters, mode="view")
install_error_handlers(api)
api.add_router("/", partners_router)
api.add_router("/", events_router)
api.add_router("/", invitations_router)
api.add_router("/", calls_router)
api.add_router("/", feedback_router)
api.add_router("/", worker_router)
