"""Maven models (filled by the mavens work)."""
