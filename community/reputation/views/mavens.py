"""Mavens pages (filled by the mavens work)."""
