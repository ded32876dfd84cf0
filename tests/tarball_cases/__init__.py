"""Helpers for tests/test_tarball.py."""
