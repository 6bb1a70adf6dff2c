"""The REST API under /api/, with its OpenAPI 3 schema at /api/openapi.json and docs at /api/docs."""

from lapor.accounts.api import router as accounts_router
from lapor.agencies.api import router as agencies_router
from lapor.analytics.api import router as analytics_router
from lapor.intake.api import router as intake_router
from lapor.notifications.api import router as notifications_router
from lapor.partners.api import router as partners_router
from lapor.routing.api import router as routing_router
from lapor.reports.api import public_router, router as reports_router
from lapor.reports.api_calendar import router as calendar_router

from .errors import install_error_handlers
from .openapi import LaporAPI
from .strict import install as strict_bodies_install

api = LaporAPI(
    title="LAPOR! API",
    version="1.0.0",
    description="Public-service complaints: submit, route, follow up, audit. Errors: {code, message, detail}; "
    "messages follow Accept-Language (id, en).",
    urls_namespace="api",
)
install_error_handlers(api)
strict_bodies_install()
api.add_router("/reports", reports_router)
api.add_router("/public", public_router)
api.add_router("/", agencies_router)
api.add_router("/", accounts_router)
api.add_router("/analytics", analytics_router)
api.add_router("/intake", intake_router)
api.add_router("/notifications", notifications_router)
api.add_router("/", partners_router)  # /api/partners/…, /api/federation/…
api.add_router("/routing", routing_router)
api.add_router("/calendar", calendar_router)

# /api/docs: Swagger UI from the app (ninja's static files, "ninja" in INSTALLED_APPS) under the site's
# CSP, no CDN, no inline script. No validator badge: an image from validator.swagger.io, which the CSP
# (img-src 'self') refuses. Read at request time by ninja's docs view.
from ninja import Swagger  # noqa: E402

api.docs = Swagger(settings={"validatorUrl": None})
