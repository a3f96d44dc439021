"""Who is acting in this request or job, in which tenant, with which role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from flask import g

from tenants.roles import Role


class PrincipalKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    CREATOR = "creator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    id: uuid.UUID | None
    label: str
    tenant_id: uuid.UUID | None = None
    role: Role | None = None
    # None: every client of the tenant; otherwise only these client brands.
    client_ids: frozenset[uuid.UUID] | None = None

    def has_role(self, minimum: Role) -> bool:
        return self.tenant_id is not None and self.role is not None and self.role.at_least(minimum)

    def can_access_client(self, client_id: uuid.UUID | None) -> bool:
        """A limited member sees only their clients and nothing that belongs to no client."""
        if self.client_ids is None:
            return True
        return client_id is not None and client_id in self.client_ids


SYSTEM = Principal(kind=PrincipalKind.SYSTEM, id=None, label="system")


def current_principal() -> Principal | None:
    return g.get("principal")
