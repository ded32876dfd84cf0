"""Where bubblewrap cannot sandbox, scripts do not run: the error says exactly why and how to fix it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from airlock.errors import OperationalError
from airlock.install.scripts import ScriptsRequest, default_sandbox
from airlock.sandbox import SandboxUnavailable
from airlock.sandbox.availability import probe
from airlock.sandbox.unsandboxed import Unsandboxed


def fake_bwrap(directory: Path, stderr: str, status: int = 1) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    said = directory / "said.txt"
    said.write_text(stderr + "\n")
    script = directory / "bwrap"
    script.write_text(f"#!/bin/sh\ncat '{said}' >&2\nexit {status}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_missing_bwrap_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailable) as caught:
        probe(path=str(tmp_path))
    error = caught.value
    assert isinstance(error, OperationalError)
    assert "bubblewrap (`bwrap`) is not installed" in error.message
    assert error.hint is not None
    assert "apt-get install bubblewrap" in error.hint and "--unsandboxed-scripts" in error.hint


def test_a_kernel_without_user_namespaces_is_named_with_the_sysctl_to_fix_it(tmp_path: Path) -> None:
    said = (
        "bwrap: No permissions to creating new namespace, likely because the kernel does not allow "
        "non-privileged user namespaces. On e.g. debian this can be enabled with "
        "sysctl kernel.unprivileged_userns_clone=1."
    )
    fake_bwrap(tmp_path, said)
    with pytest.raises(SandboxUnavailable) as caught:
        probe(path=str(tmp_path))
    error = caught.value
    assert "does not let bubblewrap create user namespaces" in error.message
    assert said in error.message  # bwrap's own words
    assert error.hint is not None
    assert "kernel.unprivileged_userns_clone=1" in error.hint and "user.max_user_namespaces" in error.hint
    assert "--unsandboxed-scripts" in error.hint


def test_another_bwrap_failure_is_reported_with_its_words(tmp_path: Path) -> None:
    fake_bwrap(tmp_path, "bwrap: Can't find source path /nope: No such file or directory")
    with pytest.raises(SandboxUnavailable, match="fails to set up a trivial sandbox: bwrap: Can't find"):
        probe(path=str(tmp_path))


def test_default_sandbox_is_the_loud_opt_out_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    request = ScriptsRequest(tmp_path, tmp_path / "node_modules", unsandboxed=True)
    assert isinstance(default_sandbox(request), Unsandboxed)
    with pytest.raises(SandboxUnavailable, match="not installed"):
        default_sandbox(ScriptsRequest(tmp_path, tmp_path / "node_modules"))


def test_a_bwrap_older_than_0_8_runs_without_disabling_nested_user_namespaces(tmp_path: Path) -> None:
    script = tmp_path / "bwrap"
    script.write_text(
        '#!/bin/sh\nfor a in "$@"; do [ "$a" = --disable-userns ] && '
        '{ echo "bwrap: Unknown option --disable-userns" >&2; exit 1; }; done\nexit 0\n'
    )
    script.chmod(0o755)
    sandbox = probe(path=str(tmp_path))
    assert "--disable-userns" not in sandbox.options and "--unshare-user" in sandbox.options


def test_a_null_device_that_is_a_regular_file_refuses_the_sandbox(tmp_path: Path) -> None:
    # hidden files are covered with /dev/null; a regular file renamed over it would show its contents
    impostor = tmp_path / "null"
    impostor.write_text("WARNING something logged here\n")
    with pytest.raises(SandboxUnavailable) as caught:
        probe(path=str(tmp_path), null_device=impostor)
    assert "is not the null device" in caught.value.message
    assert caught.value.hint is not None and "mknod" in caught.value.hint


def test_the_real_null_device_passes_the_check(tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailable) as caught:  # no bwrap on this PATH: the next check speaks
        probe(path=str(tmp_path))
    assert "not installed" in caught.value.message
