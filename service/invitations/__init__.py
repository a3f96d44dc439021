"""Invitations of users and creators into a tenant, by email."""
