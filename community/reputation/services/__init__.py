"""Reputation services. The ledger's calls are the ones features use:
``reputation.services.record(...)`` and ``reputation.services.reverse(...)``."""

from community.reputation.services.ledger import category_of, record, reverse, reverse_event

__all__ = ["category_of", "record", "reverse", "reverse_event"]

# Registers the sock-puppet vote reverser with accounts at import.
from community.reputation.services import antigaming  # noqa: E402, F401
