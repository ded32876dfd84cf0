"""The bubblewrap sandbox: what its arguments mount, and (where bwrap runs) what a command can do."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from airlock.sandbox import Bind, SandboxedCommand
from airlock.sandbox.availability import probe
from airlock.sandbox.bubblewrap import bwrap_arguments
from airlock.sandbox.unsandboxed import Unsandboxed

ENV = {"PATH": "/usr/bin:/bin", "HOME": "/airlock/home", "TMPDIR": "/tmp"}


def command(script: str, cwd: Path, **fields: object) -> SandboxedCommand:
    values: dict[str, object] = {"env": ENV, "timeout": 20.0, "readable": (cwd,), "writable": (cwd,)}
    values.update(fields)
    return SandboxedCommand(argv=("/bin/sh", "-c", script), cwd=cwd, **values)  # type: ignore[arg-type]


def pairs(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == option]


def test_the_system_view_is_read_only_and_etc_is_an_allowlist(tmp_path: Path) -> None:
    args = bwrap_arguments(command("true", tmp_path))
    assert {
        "--unshare-all",
        "--unshare-net",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
    } <= set(args)
    assert "--share-net" not in args and args[args.index("--cap-drop") + 1] == "ALL"
    etc = pairs(args, "--ro-bind-try")
    assert "/etc/passwd" in etc and "/etc/ssl/certs" in etc
    for secret in ("/etc/shadow", "/etc/npmrc", "/etc/ssh", "/etc/ssl/private", "/etc/resolv.conf"):
        assert secret not in etc and secret not in args
    assert args[args.index("--clearenv") + 1 :] == [
        x for key in sorted(ENV) for x in ("--setenv", key, ENV[key])
    ]
    end = args.index("--clearenv")
    assert args[end - 4 : end] == ["--remount-ro", "/", "--chdir", str(tmp_path)]
    hidden = [p for p in ("/usr/etc/npmrc", "/usr/local/etc/npmrc") if Path(p).exists()]
    assert [args[i + 1] for i, a in enumerate(args) if a == "/dev/null"] == hidden
    networked = bwrap_arguments(command("true", tmp_path, allow_network=True))
    assert "--share-net" in networked and "--unshare-net" not in networked
    assert "/etc/resolv.conf" in pairs(networked, "--ro-bind-try")


def test_a_missing_mount_point_in_a_read_only_tree_is_made_in_a_tmpfs(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "link").symlink_to("src")
    staged = tmp_path / "staging" / "node_modules"
    staged.mkdir(parents=True)
    args = bwrap_arguments(
        command("true", project, writable=(), binds=(Bind(staged, project / "node_modules"),))
    )
    joined = " ".join(args)
    assert f"--tmpfs {project} " in joined
    assert f"--ro-bind {project}/src {project}/src" in joined
    assert f"--symlink src {project}/link" in joined
    assert f"--ro-bind {staged} {project}/node_modules" in joined
    assert joined.index(f"--remount-ro {project} ") > joined.index(f"{project}/node_modules")


# --- running (needs bubblewrap) -----------------------------------------------------------------


class Listener:
    """A loopback TCP listener in the host's network namespace that counts connections."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


CONNECT = (
    "node -e \"const s=require('net').connect({port:PORT,host:'127.0.0.1'},()=>{console.log('CONNECTED');"
    "s.end()});s.on('error',e=>{console.log('ERR '+e.code);process.exit(7)})\""
)


@pytest.mark.requires_bwrap
def test_loopback_of_the_host_is_out_of_reach_without_network(tmp_path: Path, listener: Listener) -> None:
    outcome = probe().run(command(CONNECT.replace("PORT", str(listener.port)), tmp_path))
    assert outcome.exit_code == 7 and "ERR ECONNREFUSED" in outcome.output
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.requires_bwrap
def test_with_the_network_granted_the_host_loopback_is_reached(tmp_path: Path, listener: Listener) -> None:
    script = CONNECT.replace("PORT", str(listener.port))
    outcome = probe().run(command(script, tmp_path, allow_network=True))
    assert outcome.exit_code == 0 and "CONNECTED" in outcome.output
    deadline = time.monotonic() + 5
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections == 1


@pytest.mark.requires_bwrap
def test_a_script_past_its_time_limit_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    started = time.monotonic()
    outcome = probe().run(command("echo begun; (sleep 60; touch late) & sleep 60", tmp_path, timeout=1.0))
    assert outcome.timed_out and outcome.exit_code is None and not outcome.ok
    assert time.monotonic() - started < 15
    assert "begun" in outcome.output and "time limit" in outcome.output
    assert not (tmp_path / "late").exists()


@pytest.mark.requires_bwrap
def test_output_is_captured_interleaved_and_capped(tmp_path: Path) -> None:
    outcome = probe().run(command("echo out; echo err >&2; exit 3", tmp_path))
    assert outcome.exit_code == 3 and outcome.output == "out\nerr\n"
    big = probe().run(command("yes 0123456789 | head -c 300000; echo END", tmp_path))
    assert big.ok and big.truncated and len(big.output) == 64 * 1024 and big.output.endswith("END\n")


@pytest.mark.requires_bwrap
def test_home_and_tmp_are_fresh_and_the_environment_is_exactly_the_given_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "leak")
    outcome = probe().run(command("env | sort; ls -A ~ /tmp; echo x > ~/f && echo home-writable", tmp_path))
    assert outcome.ok
    assert outcome.output.splitlines()[:4] == [
        "HOME=/airlock/home",
        "PATH=/usr/bin:/bin",
        "PWD=" + str(tmp_path),
        "TMPDIR=/tmp",
    ]
    assert "leak" not in outcome.output and "home-writable" in outcome.output


def test_unsandboxed_runs_with_fresh_home_and_the_given_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "leak")
    outcome = Unsandboxed().run(command("echo $HOME; echo ${SECRET_TOKEN:-none}; ls -A $HOME", tmp_path))
    home, secret = outcome.output.splitlines()
    assert outcome.ok and secret == "none" and home != str(Path.home()) and not Path(home).exists()
