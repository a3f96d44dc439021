"""Roles of a member within a tenant, from most to least powerful."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role | str) -> bool:
        return self.rank >= Role(other).rank


_RANKS = {Role.VIEWER: 1, Role.MANAGER: 2, Role.ADMIN: 3, Role.OWNER: 4}


# A role may hand out (to invitations, API keys, role changes) only roles up to its own;
# ownership is passed on deliberately by an owner, never granted by an admin.
def grantable_roles(granter: Role) -> list[Role]:
    return [role for role in Role if role.rank <= granter.rank and (role != Role.OWNER or granter == Role.OWNER)]
