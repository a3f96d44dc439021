"""Background jobs run by RQ workers (``fairpact worker``)."""
