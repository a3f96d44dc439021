"""REST access to the audit log."""

from __future__ import annotations

from typing import Any

from service.api import ApiView, api_blueprint, page_of, paginate, require_role
from service.audit.queries import audit_events_query
from service.audit.schemas import AuditEventOut, AuditListArgs
from tenants.roles import Role

blp = api_blueprint("audit", "/audit-events", "Security- and contract-relevant events of the account.")


@blp.route("")
class AuditEvents(ApiView):
    @require_role(Role.ADMIN)
    @blp.arguments(AuditListArgs, location="query")
    @blp.response(200, page_of(AuditEventOut))
    def get(self, args: dict) -> Any:
        """List audit events, newest first"""
        return paginate(audit_events_query(args.get("action")), args["page"], args["per_page"])
