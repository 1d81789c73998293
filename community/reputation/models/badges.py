"""Badge models (filled by the badges work)."""
