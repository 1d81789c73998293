"""Privileges pages (filled by the privileges work)."""
