"""Badges pages (filled by the badges work)."""
