"""`airlock diff --lockfile OLD NEW` and `--base REV [PATH]` end to end in-process, against the loopback
registry: two lockfiles pinning the bytes it serves (their integrities), the event-stream update and a
benign bump in the same diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airlock.registry.client import RegistryClient
from airlock.tree import LockfileInput
from tests.diff.lockfiles import npm_lock
from tests.diff.scenarios import publish_benign, publish_event_stream
from tests.diff.schema import assert_valid_diff
from tests.diff.test_git import _commit, _git, _write
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.schema import assert_valid_sarif
from tests.test_cli import run


@pytest.fixture
def registry(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeRegistry:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    publish_event_stream(fake_registry)
    publish_benign(fake_registry)
    return fake_registry


def _node(registry: FakeRegistry, name: str, version: str, **dependencies: str) -> dict[str, object]:
    """A lockfile node pinning the integrity the registry serves, as `npm install` would record it."""
    dist = registry.packument(name)["versions"][version]["dist"]
    node: dict[str, object] = {"version": version, "integrity": dist["integrity"]}
    if dependencies:
        node["dependencies"] = dependencies
    return node


def old_lock(registry: FakeRegistry) -> LockfileInput:
    return npm_lock(
        {"event-stream": "3.3.5", "calm-pad": "1.2.0"},
        {
            "node_modules/event-stream": _node(registry, "event-stream", "3.3.5", through="~2.3.1"),
            "node_modules/through": _node(registry, "through", "2.3.8"),
            "node_modules/calm-pad": _node(registry, "calm-pad", "1.2.0"),
        },
    )


def new_lock(registry: FakeRegistry, **override: dict[str, object]) -> LockfileInput:
    nodes = {
        "node_modules/event-stream": _node(
            registry, "event-stream", "3.3.6", through="~2.3.1", **{"flatmap-stream": "^0.1.0"}
        ),
        "node_modules/flatmap-stream": _node(registry, "flatmap-stream", "0.1.1"),
        "node_modules/through": _node(registry, "through", "2.3.8"),
        "node_modules/calm-pad": _node(registry, "calm-pad", "1.3.0"),
    }
    nodes.update(override)
    return npm_lock({"event-stream": "3.3.6", "calm-pad": "1.3.0"}, nodes)


def _write_lock(path: Path, data: LockfileInput) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / data.file).write_text(data.text)
    (path / "package.json").write_text(json.dumps(data.manifests[""]))
    return path / data.file


def diff_json(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(["diff", *argv, "--format", "json", "--jobs", "2"], monkeypatch, capsys)
    assert out, err
    return code, assert_valid_diff(out)


def _assert_event_stream_first(document: dict[str, Any]) -> None:
    names = [c["name"] for c in document["changes"]]
    # flatmap-stream comes with the update that pulls it in: not a change of its own
    assert names == ["event-stream", "calm-pad"]
    top, benign = document["changes"]
    assert (top["from_version"], top["to_version"], top["verdict"]) == ("3.3.5", "3.3.6", "block")
    assert top["attention"] == "high"
    assert top["maintainers_changed"] == {"added": ["right9ctrl"], "removed": []}
    assert top["paths"] == ["event-stream"]
    (flatmap,) = top["dependencies_added"]
    assert (flatmap["name"], flatmap["version"], flatmap["spec"]) == ("flatmap-stream", "0.1.1", "^0.1.0")
    assert flatmap["verdict"] == "block" and flatmap["maintainers"] == ["right9ctrl"]
    assert flatmap["first_published"] is not None
    assert {"eval-decoded-payload", "package-keyed-payload"} <= {f["rule"] for f in flatmap["findings"]}
    evidence = [e for f in flatmap["findings"] for e in f.get("evidence", [])]
    assert any("npm_package_description" in (e.get("snippet") or "") for e in evidence)
    assert (benign["from_version"], benign["to_version"]) == ("1.2.0", "1.3.0")
    assert benign["verdict"] == "allow" and benign["attention"] == "low"
    assert benign["score"] < top["score"]


def test_lockfile_diff_ranks_event_stream_first_with_flatmap_stream_under_it(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    old = _write_lock(tmp_path / "old", old_lock(registry))
    new = _write_lock(tmp_path / "new", new_lock(registry))
    code, document = diff_json(["--lockfile", str(old), str(new)], monkeypatch, capsys)
    assert code == 1
    _assert_event_stream_first(document)
    # every package fetched once, in one run: the unchanged `through` is never asked for
    assert registry.requests_to("/through/-/") == []
    assert len(registry.requests_to("/flatmap-stream/-/")) == 1

    code, out, _ = run(["diff", "--lockfile", str(old), str(new), "-f", "text"], monkeypatch, capsys)
    assert code == 1
    assert out.index("event-stream 3.3.5 → 3.3.6") < out.index("calm-pad 1.2.0 → 1.3.0")
    assert "+ flatmap-stream  BLOCK" in out and "maintainers: +right9ctrl" in out


def test_a_package_added_and_one_removed_are_changes_of_their_own(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    old = npm_lock({"calm-pad": "1.2.0"}, {"node_modules/calm-pad": _node(registry, "calm-pad", "1.2.0")})
    new = npm_lock({"through": "2.3.8"}, {"node_modules/through": _node(registry, "through", "2.3.8")})
    code, document = diff_json(
        ["--lockfile", str(_write_lock(tmp_path / "o", old)), str(_write_lock(tmp_path / "n", new))],
        monkeypatch,
        capsys,
    )
    assert code == 0
    by_name = {c["name"]: c for c in document["changes"]}
    assert (by_name["through"]["from_version"], by_name["through"]["to_version"]) == (None, "2.3.8")
    assert (by_name["calm-pad"]["from_version"], by_name["calm-pad"]["to_version"]) == ("1.2.0", None)
    assert [f["change"] for f in by_name["through"]["files"]] == ["added"] * len(by_name["through"]["files"])


def test_a_pin_other_than_the_registrys_bytes_blocks_the_change(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    tampered = _node(registry, "calm-pad", "1.3.0")
    tampered["integrity"] = _node(registry, "calm-pad", "1.2.0")["integrity"]
    old = _write_lock(tmp_path / "old", old_lock(registry))
    new = _write_lock(tmp_path / "new", new_lock(registry, **{"node_modules/calm-pad": tampered}))
    code, document = diff_json(["--lockfile", str(old), str(new)], monkeypatch, capsys)
    assert code == 1
    calm = next(c for c in document["changes"] if c["name"] == "calm-pad")
    assert calm["verdict"] == "block"
    (mismatch,) = [f for f in calm["findings_added"] if f["rule"] == "lockfile-integrity-mismatch"]
    assert mismatch["evidence"][0]["file"] == "package-lock.json"


def test_base_revision_against_the_work_tree(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # git must not find a repository above the temporary directory, nor read the user's config.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Airlock Tests")
    _git(repo, "config", "user.email", "tests@example.com")
    _write(repo, old_lock(registry))
    _commit(repo, "old lockfile")
    _write(repo, new_lock(registry))
    _commit(repo, "the update")

    code, document = diff_json(["--base", "HEAD~1", str(repo)], monkeypatch, capsys)
    assert code == 1
    _assert_event_stream_first(document)
    monkeypatch.chdir(repo)
    code, document = diff_json(["--base", "HEAD"], monkeypatch, capsys)
    assert code == 0 and document["changes"] == []  # the work tree is what HEAD committed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lockfile", "a", "--base", "main"], "--lockfile and --base"),
        (["--lockfile", "package-lock.json"], "--lockfile takes two lockfiles"),
        (["--base", "main", "a", "b"], "takes one PATH"),
        (["event-stream@3.3.5"], "OLD and NEW are both required"),
    ],
)
def test_wrong_combinations_are_usage_errors_with_a_hint(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code, out, err = run(["diff", *argv], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert message in err and "airlock diff" in err


def _pair(registry: FakeRegistry, tmp_path: Path) -> tuple[str, str]:
    old = _write_lock(tmp_path / "old", old_lock(registry))
    new = _write_lock(tmp_path / "new", new_lock(registry))
    return str(old), str(new)


def _calm_pad_only(registry: FakeRegistry, tmp_path: Path) -> tuple[str, str]:
    old = npm_lock({"calm-pad": "1.2.0"}, {"node_modules/calm-pad": _node(registry, "calm-pad", "1.2.0")})
    new = npm_lock({"calm-pad": "1.3.0"}, {"node_modules/calm-pad": _node(registry, "calm-pad", "1.3.0")})
    return str(_write_lock(tmp_path / "o", old)), str(_write_lock(tmp_path / "n", new))


def _sarif_results(out: str) -> list[dict[str, Any]]:
    (sarif_run,) = assert_valid_sarif(out)["runs"]
    results: list[dict[str, Any]] = sarif_run["results"]
    return results


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without sleeping between them: a fetch that keeps failing gives up at once."""
    monkeypatch.setattr(RegistryClient, "_delay", lambda self, attempt: 0.0)


def test_a_changed_package_that_cannot_be_fetched_is_reviewed_and_the_rest_of_the_diff_is_produced(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    registry.fail(registry.tarball_path("calm-pad", "1.3.0"), 404, times=1000)
    old, new = _pair(registry, tmp_path)
    code, document = diff_json(["--lockfile", old, new], monkeypatch, capsys)
    assert code == 1  # event-stream blocks: a block beats a failure, as in `check`
    assert [c["name"] for c in document["changes"]] == ["event-stream", "calm-pad"]
    assert document["changes"][0]["verdict"] == "block"
    calm = document["changes"][1]
    assert (calm["from_version"], calm["to_version"]) == ("1.2.0", "1.3.0")
    assert calm["verdict"] == "review" and calm["attention"] == "high"
    (missing,) = calm["not_analysed"]
    assert (missing["name"], missing["version"], missing["side"]) == ("calm-pad", "1.3.0", "new")
    assert "no tarball" in missing["reason"]
    assert "target-failed" in {f["rule"] for f in calm["findings_added"]}
    assert any("could not be analysed" in r for r in calm["reasons"])
    # nothing is known of 1.3.0: no file or capability of 1.2.0 is said to be gone
    assert calm["files"] == [] and calm["capabilities_removed"] == {} and calm["scripts_changed"] == []

    code, out, err = run(["diff", "--lockfile", old, new, "-f", "text"], monkeypatch, capsys)
    assert code == 1
    assert "calm-pad 1.2.0 → 1.3.0  REVIEW  high attention" in out
    assert "calm-pad@1.3.0, the new version, could not be analysed" in out and "target-failed" in out
    assert "warning:" in err and "no tarball" in err

    code, out, _ = run(["diff", "--lockfile", old, new, "-f", "markdown"], monkeypatch, capsys)
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith("| `calm-pad`"))
    assert "⚠️ **REVIEW** | high" in row and "**not analysed** `calm-pad@1.3.0`" in row
    assert "`target-failed`" in out

    code, out, _ = run(["diff", "--lockfile", old, new, "-f", "sarif"], monkeypatch, capsys)
    assert code == 1
    failed = [r for r in _sarif_results(out) if r["ruleId"] == "target-failed"]
    assert [r["properties"]["update"] for r in failed] == ["calm-pad 1.2.0 → 1.3.0"]

    # alone, the failure decides the exit code: 3 (network/registry), or 1 when review is to fail
    only_old, only_new = _calm_pad_only(registry, tmp_path)
    code, document = diff_json(["--lockfile", only_old, only_new], monkeypatch, capsys)
    assert code == 3
    assert [(c["name"], c["verdict"]) for c in document["changes"]] == [("calm-pad", "review")]
    code, _ = diff_json(["--lockfile", only_old, only_new, "--fail-on", "review"], monkeypatch, capsys)
    assert code == 1


def test_an_old_version_that_cannot_be_fetched_counts_as_nothing(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    registry.fail(registry.tarball_path("calm-pad", "1.2.0"), 404, times=1000)
    old, new = _calm_pad_only(registry, tmp_path)
    code, document = diff_json(["--lockfile", old, new], monkeypatch, capsys)
    assert code == 3
    (calm,) = document["changes"]
    assert calm["verdict"] == "review" and calm["attention"] == "high"
    assert [(n["version"], n["side"]) for n in calm["not_analysed"]] == [("1.2.0", "old")]
    assert "target-failed" in {f["rule"] for f in calm["findings_added"]}
    # every file of 1.3.0 is new to read: never less than the update could hold
    assert calm["files"] and {f["change"] for f in calm["files"]} == {"added"}


def test_bytes_other_than_the_registrys_block_only_their_change(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    registry.set_tarball(
        "calm-pad", "1.3.0", build_package("calm-pad", "1.3.0", {"index.js": "module.exports = 2"})
    )
    old, new = _calm_pad_only(registry, tmp_path)
    code, document = diff_json(["--lockfile", old, new], monkeypatch, capsys)
    assert code == 1
    (calm,) = document["changes"]
    assert calm["verdict"] == "block" and calm["attention"] == "high"
    assert calm["not_analysed"][0]["side"] == "new"
    assert "integrity-mismatch" in {f["rule"] for f in calm["findings_added"]}


def test_a_pulled_in_dependency_that_cannot_be_fetched_stays_under_its_parent(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    no_backoff: None,
) -> None:
    registry.truncate(registry.tarball_path("flatmap-stream", "0.1.1"), times=1000)
    old, new = _pair(registry, tmp_path)
    code, document = diff_json(["--lockfile", old, new], monkeypatch, capsys)
    # flatmap-stream's payload is what blocked the update: unread, it is a review, and the network
    # failure sets the exit code
    assert code == 3
    assert [c["name"] for c in document["changes"]] == ["event-stream", "calm-pad"]
    top, benign = document["changes"]
    assert top["verdict"] == "review" and top["attention"] == "high"
    (flatmap,) = top["dependencies_added"]
    assert (flatmap["name"], flatmap["version"], flatmap["verdict"]) == ("flatmap-stream", "0.1.1", "review")
    assert "could not fetch the tarball of flatmap-stream@0.1.1" in flatmap["not_analysed"]
    assert "target-failed" in {f["rule"] for f in flatmap["findings"]}
    assert [(n["name"], n["side"]) for n in top["not_analysed"]] == [("flatmap-stream", "dependency")]
    assert (benign["verdict"], benign["attention"], benign["not_analysed"]) == ("allow", "low", [])

    code, out, _ = run(["diff", "--lockfile", old, new, "-f", "text"], monkeypatch, capsys)
    assert code == 3
    assert "event-stream 3.3.5 → 3.3.6  REVIEW  high attention" in out
    assert "flatmap-stream@0.1.1, which the update pulls in, could not be analysed" in out
    assert "+ flatmap-stream  REVIEW" in out

    code, out, _ = run(["diff", "--lockfile", old, new, "-f", "markdown"], monkeypatch, capsys)
    assert code == 3
    row = next(line for line in out.splitlines() if line.startswith("| `event-stream`"))
    assert "**not analysed** `flatmap-stream@0.1.1`" in row and "`flatmap-stream` (REVIEW)" in row

    code, out, _ = run(["diff", "--lockfile", old, new, "-f", "sarif"], monkeypatch, capsys)
    assert code == 3
    failed = [r for r in _sarif_results(out) if r["ruleId"] == "target-failed"]
    assert [r["properties"].get("dependencyOf") for r in failed] == ["event-stream"]


def _dev_only(lock: LockfileInput, name: str) -> LockfileInput:
    """`lock` with `name` a devDependency of the project (and marked dev-only in the tree), as npm writes it."""
    document = json.loads(lock.text)
    root = document["packages"][""]
    root.setdefault("devDependencies", {})[name] = root["dependencies"].pop(name)
    document["packages"][f"node_modules/{name}"]["dev"] = True
    manifest = {
        "name": root["name"],
        "version": root["version"],
        "dependencies": root["dependencies"],
        "devDependencies": root["devDependencies"],
    }
    return LockfileInput(lock.file, json.dumps(document, indent=2), {"": manifest})


def test_production_leaves_a_dev_only_change_out(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    old = str(_write_lock(tmp_path / "old", _dev_only(old_lock(registry), "calm-pad")))
    new = str(_write_lock(tmp_path / "new", _dev_only(new_lock(registry), "calm-pad")))
    code, document = diff_json(["--lockfile", old, new], monkeypatch, capsys)
    assert code == 1
    assert [c["name"] for c in document["changes"]] == ["event-stream", "calm-pad"]
    code, document = diff_json(["--lockfile", old, new, "--production"], monkeypatch, capsys)
    assert code == 1
    assert [c["name"] for c in document["changes"]] == ["event-stream"]
    code, _, err = run(["diff", "a@1", "a@2", "--production"], monkeypatch, capsys)
    assert code == 2 and "--production" in err and "--lockfile" in err
