"""Errors of the tenancy layer."""


class TenantScopeError(RuntimeError):
    """Tenant-owned data was touched without a tenant in context: a programming error, never user input."""
