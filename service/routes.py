"""Every blueprint of the app, in one list each for the API and the web pages.

The cross-tenant isolation test walks the app's URL map and OpenAPI document, so a blueprint
registered here is tested without anyone remembering to add it.
"""

from __future__ import annotations

from service.api_keys.api import blp as api_keys_api
from service.audit.api import blp as audit_api
from service.creators.api import blp as creators_api
from service.health.routes import bp as health_bp
from service.invitations.api import blp as invitations_api
from service.tenancy.api import clients_blp, members_blp, tenant_blp
from service.web.auth import bp as web_auth_bp
from service.web.creators import bp as web_creators_bp
from service.web.invitations import bp as web_invitations_bp
from service.web.outbox import bp as web_outbox_bp
from service.web.pages import bp as web_pages_bp
from service.web.settings import bp as web_settings_bp
from service.web.team import bp as web_team_bp
from service.webhooks.api import blp as webhooks_api
from service.webhooks.web import bp as web_webhooks_bp

API_BLUEPRINTS = [
    tenant_blp,
    clients_blp,
    members_blp,
    invitations_api,
    creators_api,
    api_keys_api,
    audit_api,
    webhooks_api,
]
WEB_BLUEPRINTS = [
    health_bp,
    web_auth_bp,
    web_pages_bp,
    web_team_bp,
    web_creators_bp,
    web_invitations_bp,
    web_settings_bp,
    web_outbox_bp,
    web_webhooks_bp,
]
