"""airlock policy: least-authority grants per package, exported to LavaMoat."""
