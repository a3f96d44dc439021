"""HTTP side of tenancy: the current tenant, an agency's clients, and the members."""
