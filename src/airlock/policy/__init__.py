"""Least-authority policies for a dependency tree, exportable to LavaMoat (issue 12)."""
