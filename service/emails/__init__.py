"""Outgoing email: composed in a request, stored encrypted, sent by a job."""
