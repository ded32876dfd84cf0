"""Fill a directory with real package tarballs for the benchmarks, through airlock's own verified client.

    python bench/fetch_tarballs.py bench/tarballs --top 200

Takes the N most-downloaded names from src/airlock/data/popular.tsv, resolves `latest`, downloads each
tarball (integrity verified) and writes `<name>-<version>.tgz`. Nothing is executed; this is the only
benchmark step that needs the network.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from airlock.data import popular_names
from airlock.errors import AirlockError
from airlock.registry.cache import Cache, default_cache_dir
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import load_npm_config
from airlock.targets import RegistryTarget


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--top", type=int, default=200)
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    config = load_npm_config(Path.cwd(), env=os.environ, home=Path.home())
    names = popular_names()[: args.top]
    with RegistryClient(config, Cache(default_cache_dir())) as client:

        def fetch(name: str) -> str:
            try:
                manifest = client.resolve(RegistryTarget(name, name, ""))
                out = args.directory / f"{name.replace('/', '__')}-{manifest.version}.tgz"
                if not out.exists():
                    out.write_bytes(client.fetch_tarball(manifest))
                return f"ok   {name}@{manifest.version}"
            except AirlockError as error:
                return f"FAIL {name}: {error.message}"

        with ThreadPoolExecutor(max_workers=8) as pool:
            for line in pool.map(fetch, names):
                print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
