"""Tests of airlock.tarball, one module per seam of the reader package."""
