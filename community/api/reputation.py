"""API v1: members' reputation and the maven boards (filled by the mavens work)."""
