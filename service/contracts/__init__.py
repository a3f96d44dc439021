"""Contracts: the structured terms of an agreement, dated legal constants and the fairness linter."""
