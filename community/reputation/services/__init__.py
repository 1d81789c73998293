"""Reputation services. The ledger's calls are the ones features use:
``reputation.services.record(...)`` and ``reputation.services.reverse(...)``."""

from community.reputation.services.ledger import category_of, record, reverse, reverse_event

__all__ = ["category_of", "record", "reverse", "reverse_event"]

# Register the sock-puppet vote reverser, the badges' export and notification links at
# import.
from community.reputation.services import antigaming, badge_registries  # noqa: E402, F401
