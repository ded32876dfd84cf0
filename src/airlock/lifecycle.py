"""Which lifecycle scripts npm runs when it installs a package, declared once for the analysis (what is
install-time code), the metadata rules (install-script-added) and the check overview.

npm runs `preinstall`, `install` and `postinstall` for every dependency, and adds `install: node-gyp
rebuild` for a package that ships binding.gyp without either install script. `prepare` runs only for the
root project and for git and local (directory) dependencies — never for a registry tarball, which is
already built. airlock analyses registry tarballs, so `prepare` is reported (a package that has one would
run it when installed from git) but is not judged as install-time code.
"""

from __future__ import annotations

from collections.abc import Mapping

REGISTRY_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")
"""What npm runs when it installs a package from a registry, in the order it runs them."""
SOURCE_INSTALL_SCRIPTS = ("prepare",)
"""What npm runs in addition for the root project and git/local dependencies."""
REPORTED_SCRIPTS = REGISTRY_INSTALL_SCRIPTS + SOURCE_INSTALL_SCRIPTS
"""What a report's `install_scripts` lists, in this order."""
IMPLICIT_GYP_SCRIPT = "node-gyp rebuild"


def registry_install_scripts(scripts: Mapping[str, str]) -> dict[str, str]:
    """The scripts of `scripts` that run when the package is installed from a registry, in npm's order."""
    return {name: scripts[name] for name in REGISTRY_INSTALL_SCRIPTS if name in scripts}


def script_label(name: str) -> str:
    """How a report names a listed script: `prepare (git/local only)`, since it does not run at a registry
    install; the scripts that do keep their plain name."""
    return name if name in REGISTRY_INSTALL_SCRIPTS else f"{name} (git/local only)"
