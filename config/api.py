"""The NinjaAPI at /api/v1/, mounting each app's router."""

from ninja import NinjaAPI

from events.api import router as events_router
from invitations.api import router as invitations_router
from partners.api import router as partners_router
from worker.api import router as worker_router

api = NinjaAPI(title="Partnerskap API", version="1", urls_namespace="api")
api.add_router("/", partners_router)
api.add_router("/", events_router)
api.add_router("/", invitations_router)
api.add_router("/", worker_router)
