"""npm-airlock: make installing and updating npm dependencies safe."""

__version__ = "0.1.0"
