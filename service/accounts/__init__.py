"""Identities: staff users (password login) and creators (magic-link login)."""
