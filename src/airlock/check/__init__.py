"""`airlock check`: a project's whole dependency tree — lockfile entries, registry metadata and package
analysis in one pass."""
