"""Per-family synthetic scanned-chart generators."""
