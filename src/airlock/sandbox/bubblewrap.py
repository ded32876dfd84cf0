"""The default sandbox: bubblewrap (`bwrap`, Debian package `bubblewrap`), Linux namespaces, no daemon.

What a command gets (docs/sandbox.md says why for each):
- its own user, pid, ipc, uts and cgroup namespaces; all capabilities dropped; no further user namespaces
  (`--disable-userns`, so it cannot build itself a new root); killed with airlock (`--die-with-parent`)
  and detached from the terminal (`--new-session`, no TIOCSTI);
- a new network namespace with only loopback (`--unshare-net`), unless the command may use the network;
- a read-only view of the system: /usr (with the /bin, /lib… links or directories as the host has them)
  and an allowlist of /etc — what programs need to run (the loader cache, users and groups, CA
  certificates, alternatives), never what holds secrets (shadow, ssh host keys, npmrc, pip.conf,
  gitconfig…); /etc/resolv.conf only with the network;
- a fresh /proc and /dev, a fresh tmpfs /tmp and `HOME` (the user's real home is not mounted at all: only
  the paths a command lists are), and the root of the sandbox read-only;
- the command's readable paths read-only, its binds and writable paths as listed, its hidden files empty.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from airlock.sandbox import SandboxedCommand, SandboxOutcome
from airlock.sandbox.process import run_process

NAMESPACE_OPTIONS: tuple[str, ...] = (
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--cap-drop",
    "ALL",
    "--die-with-parent",
    "--new-session",
)
"""Namespaces and privileges, shared with the availability probe so that it tests what runs."""
WITHOUT_NESTED_USERNS = "--disable-userns"
"""bubblewrap 0.8+; older ones (Ubuntu 22.04 ships 0.6) run without it: the sandbox then may create
nested user namespaces, which still cannot undo its read-only mounts (they are locked)."""

SYSTEM_TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
"""Top-level directories that are links into /usr on merged-/usr systems and directories elsewhere."""

ETC_ALLOWED = (
    "alternatives",
    "ca-certificates",
    "ca-certificates.conf",
    "debian_version",
    "gai.conf",
    "group",
    "host.conf",
    "hosts",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "locale.alias",
    "localtime",
    "mime.types",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "pki/ca-trust/extracted",
    "pki/tls/certs",
    "protocols",
    "services",
    "ssl/certs",
    "ssl/openssl.cnf",
    "timezone",
)
"""/etc entries a build or install script may need. Everything else under /etc stays out: it is where
machines keep secrets (shadow, ssh host keys, ssl/private, npmrc, pip.conf, gitconfig credentials…)."""
ETC_WITH_NETWORK = ("resolv.conf",)

SYSTEM_CONFIG_HIDDEN = (Path("/usr/etc/npmrc"), Path("/usr/local/etc/npmrc"))
"""npm's global config for a node installed under /usr or /usr/local (`$PREFIX/etc/npmrc`): it may hold
registry tokens, and /usr is otherwise visible whole."""

HOSTNAME = "airlock-sandbox"


@dataclass(frozen=True, slots=True)
class BubblewrapSandbox:
    bwrap: Path
    """The bwrap executable the availability probe ran successfully."""
    options: tuple[str, ...] = NAMESPACE_OPTIONS
    """The namespace options the probe found this bwrap accepts."""
    name: str = "bubblewrap"
    remaps_paths: bool = True

    def run(self, command: SandboxedCommand) -> SandboxOutcome:
        argv = (str(self.bwrap), *bwrap_arguments(command, options=self.options), "--", *command.argv)
        # bwrap makes a missing mount point inside a writable path on the host (the project's node_modules
        # before the first install, for the project's own scripts): take it away again afterwards.
        made = [t for t in _targets(command) if _inside_writable(t, command) and not _exists(t)]
        try:
            return run_process(argv, env={"PATH": os.defpath}, cwd=None, timeout=command.timeout)
        finally:
            for target in sorted(made, key=lambda t: len(t.parts), reverse=True):
                with contextlib.suppress(OSError):
                    target.rmdir()


def _targets(command: SandboxedCommand) -> list[Path]:
    return [b.target for b in command.binds]


def _inside_writable(target: Path, command: SandboxedCommand) -> bool:
    return any(w in target.parents for w in command.writable)


def bwrap_arguments(
    command: SandboxedCommand, *, root: Path = Path("/"), options: tuple[str, ...] = NAMESPACE_OPTIONS
) -> list[str]:
    """The bwrap options for `command` (without the command itself). `root` is where the host's /
    is read from (tests give a fake one)."""
    args: list[str] = [*options]
    args += ["--share-net"] if command.allow_network else ["--unshare-net"]
    args += ["--hostname", HOSTNAME]
    args += _system_view(root, allow_network=command.allow_network)
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for variable in ("HOME", "TMPDIR"):
        place = command.env.get(variable)
        if place and not _under(Path(place), Path("/tmp")):
            args += ["--tmpfs", place]
    targets = [b.target for b in command.binds] + list(command.writable)
    mounts: list[tuple[Path, list[str]]] = []
    remounts: list[str] = []
    for path in command.readable:
        if path not in command.writable:  # listed as both: writable wins
            mounts += _readable(path, targets, root, remounts)
    mounts += [
        (b.target, ["--bind" if b.writable else "--ro-bind", str(b.source), str(b.target)])
        for b in command.binds
    ]
    mounts += [(path, ["--bind", str(path), str(path)]) for path in command.writable]
    # Parents before children, or a later parent mount would cover a child mounted before it; for one
    # target, the later entry (writable over readable) wins, so the sort is stable.
    for _, option in sorted(mounts, key=lambda m: len(m[0].parts)):
        args += option
    for hidden in (*command.hidden, *SYSTEM_CONFIG_HIDDEN):
        host = root / hidden.relative_to("/")
        where = str(hidden)
        if host.is_dir():
            args += ["--tmpfs", where, "--remount-ro", where]
        elif host.exists() or hidden in command.hidden:
            args += ["--ro-bind", "/dev/null", where]
    for remount in remounts:
        args += ["--remount-ro", remount]
    args += ["--remount-ro", "/", "--chdir", str(command.cwd), "--clearenv"]
    for key, value in sorted(command.env.items()):
        args += ["--setenv", key, value]
    return args


def _readable(
    path: Path, targets: list[Path], root: Path, remounts: list[str]
) -> list[tuple[Path, list[str]]]:
    """Mounts showing host `path` read-only at itself.

    A bind target below it that does not exist on the host (the project's `node_modules` before the first
    install) needs a mount point, which bwrap cannot create in a read-only bind. Then `path` becomes a
    tmpfs holding read-only binds of its entries, with the mount point made in it and the tmpfs remounted
    read-only once every mount is in place; the entry on the way to the target is treated the same way.
    """
    host = root / path.relative_to("/")
    needing = [t for t in targets if path in t.parents and not _exists(root / t.relative_to("/"))]
    if not needing or not host.is_dir():
        return [(path, ["--ro-bind", str(path), str(path)])]
    mounts: list[tuple[Path, list[str]]] = [(path, ["--tmpfs", str(path)])]
    remounts.insert(0, str(path))
    on_the_way = {path / t.relative_to(path).parts[0] for t in needing if len(t.relative_to(path).parts) > 1}
    for entry in sorted(host.iterdir()):
        inside = path / entry.name
        if entry.is_symlink():
            mounts.append((inside, ["--symlink", str(entry.readlink()), str(inside)]))
        elif inside in on_the_way:
            mounts += _readable(inside, targets, root, remounts)
        else:
            mounts.append((inside, ["--ro-bind", str(inside), str(inside)]))
    return mounts


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _system_view(root: Path, *, allow_network: bool) -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in SYSTEM_TOP_LEVEL:
        host = root / name
        if host.is_symlink():
            args += ["--symlink", str(host.readlink()), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    entries: Iterable[str] = (*ETC_ALLOWED, *(ETC_WITH_NETWORK if allow_network else ()))
    for entry in entries:
        args += ["--ro-bind-try", f"/etc/{entry}", f"/etc/{entry}"]
    return args


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


__all__ = ["NAMESPACE_OPTIONS", "WITHOUT_NESTED_USERNS", "BubblewrapSandbox", "bwrap_arguments"]
