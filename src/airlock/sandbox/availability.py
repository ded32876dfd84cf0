"""Whether bubblewrap can sandbox here, found by running it: a trivial `bwrap … true` with the namespace
options every sandboxed command uses. When it cannot, `SandboxUnavailableError` says exactly why (bwrap's own
words included) and how to fix it."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from airlock.sandbox import SandboxUnavailableError
from airlock.sandbox.bubblewrap import NAMESPACE_OPTIONS, WITHOUT_NESTED_USERNS, BubblewrapSandbox

PROBE_TIMEOUT = 15.0
NULL_DEVICE = Path("/dev/null")
OPT_OUT = (
    "or, only if you trust every allowed script with your files, secrets and network, run them without a "
    "sandbox: --unsandboxed-scripts"
)
INSTALL_HINT = (
    "install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` "
    f"(Fedora), `sudo pacman -S bubblewrap` (Arch); {OPT_OUT}"
)
USERNS_HINT = (
    "allow unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian's "
    "switch), `sudo sysctl -w user.max_user_namespaces=15000` (when it is 0), on Ubuntu 23.10+ "
    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (or an AppArmor profile for bwrap); "
    "in a container, allow the unshare/clone syscalls (e.g. docker --security-opt seccomp=unconfined); "
    f"{OPT_OUT}"
)

_USERNS_SIGNS = (
    "user namespace",
    "unprivileged_userns_clone",
    "max_user_namespaces",
    "no permissions to creating new namespace",
    "no permissions to create new namespace",
    "creating new namespace failed",
    "setting up uid map",
    "operation not permitted",
    "no space left on device",
)


def probe(path: str | None = None, *, null_device: Path = NULL_DEVICE) -> BubblewrapSandbox:
    """The bubblewrap sandbox, after checking it runs here; `path` is the PATH to find `bwrap` on
    (the process's own by default)."""
    _check_null_device(null_device)
    search = path if path is not None else os.environ.get("PATH", os.defpath)
    found = shutil.which("bwrap", path=search)
    if found is None:
        raise SandboxUnavailableError(
            "cannot run install scripts in a sandbox: bubblewrap (`bwrap`) is not installed "
            f"(not on PATH: {search})",
            hint=INSTALL_HINT,
        )
    options = NAMESPACE_OPTIONS
    said = _try(found, options)
    if said is not None and f"unknown option {WITHOUT_NESTED_USERNS}" in said.lower():
        options = tuple(o for o in NAMESPACE_OPTIONS if o != WITHOUT_NESTED_USERNS)
        said = _try(found, options)
    if said is not None:
        raise unavailable_because(found, said)
    return BubblewrapSandbox(Path(found), options)


def _check_null_device(null_device: Path) -> None:
    """Hidden files (`.npmrc`, `/usr/etc/npmrc`) are covered with the host's /dev/null: when that is not the
    null device (something renamed a regular file over it), they would show its contents. Fail closed."""
    try:
        is_null = stat.S_ISCHR(null_device.stat().st_mode)
    except OSError:
        is_null = False
    if not is_null:
        raise SandboxUnavailableError(
            f"cannot run install scripts in a sandbox: {null_device} is not the null device here, and the "
            "sandbox covers the files it hides with it",
            hint=f"recreate it as root: rm -f {null_device} && mknod -m 666 {null_device} c 1 3",
        )


def _try(bwrap: str, options: tuple[str, ...]) -> str | None:
    """None when `bwrap` sets up a trivial sandbox with `options`, else what it said."""
    argv = [bwrap, *options, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        done = subprocess.run(
            argv,
            env={"PATH": os.defpath},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SandboxUnavailableError(
            f"cannot run install scripts in a sandbox: `{bwrap} … true` did not finish in {PROBE_TIMEOUT:g} s",
            hint=OPT_OUT,
        ) from None
    except OSError as exc:
        raise SandboxUnavailableError(
            f"cannot run install scripts in a sandbox: {bwrap} does not start: {exc.strerror}",
            hint=INSTALL_HINT,
        ) from None
    if done.returncode == 0:
        return None
    return done.stderr.decode("utf-8", errors="replace").strip() or f"exit status {done.returncode}"


def unavailable_because(bwrap: str, said: str) -> SandboxUnavailableError:
    """The error for a bwrap that failed to set up its trivial sandbox, from what it said on stderr."""
    lowered = said.lower()
    if any(sign in lowered for sign in _USERNS_SIGNS):
        return SandboxUnavailableError(
            "cannot run install scripts in a sandbox: this kernel (or container) does not let bubblewrap "
            f"create user namespaces; {bwrap} said: {said}",
            hint=USERNS_HINT,
        )
    return SandboxUnavailableError(
        f"cannot run install scripts in a sandbox: {bwrap} fails to set up a trivial sandbox: {said}",
        hint=f"check that bubblewrap works: `bwrap --ro-bind / / --unshare-all true`; {USERNS_HINT}",
    )


__all__ = ["INSTALL_HINT", "USERNS_HINT", "probe", "unavailable_because"]


def main() -> int:
    """`python -m airlock.sandbox.availability`: say whether install scripts can run sandboxed here
    (the README's set-up runs it; exit 1 with the reason and the fix when they cannot)."""
    import sys

    try:
        sandbox = probe()
    except SandboxUnavailableError as exc:
        print(exc.diagnostics(), file=sys.stderr)
        return 1
    print(f"install scripts can run sandboxed: {sandbox.bwrap} works here")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
