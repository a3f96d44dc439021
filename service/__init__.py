"""Fairpact web service. Kept empty on purpose: importing a submodule never builds the app."""
