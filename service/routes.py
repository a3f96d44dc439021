"""Every blueprint of the app, in one list each for the API and the web pages.

The cross-tenant isolation test walks the app's URL map and OpenAPI document, so a blueprint
registered here is tested without anyone remembering to add it.
"""

from __future__ import annotations

from service.api_keys.api import blp as api_keys_api
from service.audit.api import blp as audit_api
from service.billing.api import blp as billing_api
from service.billing.web import bp as web_billing_bp
from service.billing.webhook import blp as billing_webhook_api
from service.contracts.api import blp as contracts_api
from service.contracts.templates_api import templates_blp as contract_templates_api
from service.contracts.verify_api import blp as verify_api
from service.contracts.web.brand import bp as web_contracts_bp
from service.contracts.web.fonts import bp as web_document_fonts_bp
from service.contracts.web.signing import bp as web_signing_bp
from service.contracts.web.templates import bp as web_contract_templates_bp
from service.contracts.web.verify import bp as web_verify_bp
from service.creators.api import blp as creators_api
from service.disclosure.api import blp as disclosure_api
from service.disclosure.web import bp as web_disclosure_bp
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
    billing_api,
    contract_templates_api,
    contracts_api,
    disclosure_api,
    # Public operations (documented with security: []): Stripe's signed webhook receiver, PDF verification.
    billing_webhook_api,
    verify_api,
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
    web_billing_bp,
    web_contracts_bp,
    web_contract_templates_bp,
    web_document_fonts_bp,
    web_signing_bp,
    web_verify_bp,
    web_disclosure_bp,
]
