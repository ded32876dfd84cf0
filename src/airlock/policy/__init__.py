"""airlock policy: least-authority grants per package, exportable to LavaMoat (issue 12)."""
