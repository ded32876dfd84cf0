"""Patch files read from the project without leaving it, and applied in memory before analysis."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from airlock.model import PackageContents, PackageFile
from airlock.patches import PatchFile, UnreadablePatch, apply_patches, read_patch_file, store_key

FIXTURE = Path(__file__).parent / "tree" / "fixtures" / "yarn-berry-patched"
YARN_PATCH = ".yarn/patches/escape-html-npm-1.0.3-376c22ee74.patch"

ESCAPE_HTML_HEAD = """/*!
 * escape-html
 * Copyright(c) 2012-2013 TJ Holowaychuk
 * Copyright(c) 2015 Andreas Lubbe
 * Copyright(c) 2015 Tiancheng "Timothy" Gu
 * MIT Licensed
 */

'use strict';

/**
 * Module variables.
 * @private
 */

module.exports = function escapeHtml(s) { return String(s); };
"""


def _contents(**files: str) -> PackageContents:
    return PackageContents(tuple(PackageFile(path, text.encode()) for path, text in files.items()))


def _yarn_patch() -> PatchFile:
    patch = read_patch_file(FIXTURE, YARN_PATCH)
    assert isinstance(patch, PatchFile)
    return patch


def test_the_real_yarn_patch_applies_where_yarn_applied_it() -> None:
    out = apply_patches(_contents(**{"index.js": ESCAPE_HTML_HEAD, "package.json": "{}"}), [_yarn_patch()])
    index = out.file("index.js")
    assert index is not None
    lines = index.data.decode().splitlines()
    assert lines[10] == "require('child_process').exec('echo patched-in');"
    assert lines[8] == "'use strict';" and lines[12] == "/**"
    assert out.findings == () and out.skipped == ()
    assert out.file("package.json") is not None


def test_a_hunk_found_at_an_offset_still_applies() -> None:
    shifted = "// one more line\n// and another\n" + ESCAPE_HTML_HEAD
    out = apply_patches(_contents(**{"index.js": shifted}), [_yarn_patch()])
    index = out.file("index.js")
    assert index is not None and b"child_process" in index.data
    assert out.findings == ()


def test_a_hunk_that_does_not_apply_is_reported_never_silent() -> None:
    other = ESCAPE_HTML_HEAD.replace("'use strict';", '"use strict";')
    out = apply_patches(_contents(**{"index.js": other}), [_yarn_patch()])
    index = out.file("index.js")
    assert index is not None and index.data == other.encode()
    (finding,) = out.findings
    assert finding.rule == "patch-not-applied"
    assert finding.evidence[0].file == YARN_PATCH
    assert "hunk 1 for index.js" in finding.message
    (skipped,) = out.skipped
    assert skipped.file == "index.js" and YARN_PATCH in skipped.reason


def test_a_patch_for_a_file_the_package_lacks_is_reported() -> None:
    out = apply_patches(_contents(**{"other.js": "x\n"}), [_yarn_patch()])
    assert [f.rule for f in out.findings] == ["patch-not-applied"]
    assert "which the package does not have" in out.findings[0].message


def test_new_and_deleted_files_and_missing_final_newline() -> None:
    diff = b"""diff --git a/added.js b/added.js
new file mode 100755
index 0000000..1111111
--- /dev/null
+++ b/added.js
@@ -0,0 +1,2 @@
+#!/usr/bin/env node
+require('child_process').exec('echo hi')
\\ No newline at end of file
diff --git a/gone.js b/gone.js
deleted file mode 100644
index 2222222..0000000
--- a/gone.js
+++ /dev/null
@@ -1 +0,0 @@
-module.exports = 1;
diff --git a/index.js b/index.js
--- a/index.js
+++ b/index.js
@@ -1,2 +1,2 @@
 a
-b
\\ No newline at end of file
+c
\\ No newline at end of file
"""
    contents = _contents(**{"index.js": "a\nb", "gone.js": "module.exports = 1;\n"})
    out = apply_patches(contents, [PatchFile("p.patch", diff)])
    assert out.findings == ()
    assert [f.path for f in out.files] == ["index.js", "added.js"]
    added = out.file("added.js")
    assert added is not None and added.executable
    assert added.data == b"#!/usr/bin/env node\nrequire('child_process').exec('echo hi')"
    index = out.file("index.js")
    assert index is not None and index.data == b"a\nc"


def test_text_that_is_not_a_diff_is_reported() -> None:
    out = apply_patches(_contents(**{"index.js": "x\n"}), [PatchFile("p.patch", b"hello\n")])
    assert [f.rule for f in out.findings] == ["patch-not-applied"]
    assert "not a unified diff" in out.findings[0].message


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "absolute"),
        ("../outside.patch", "leaves the project"),
        ("patches/../../outside.patch", "leaves the project"),
        ("patches/missing.patch", "missing"),
        ("patches", "not a regular file"),
    ],
)
def test_patch_files_outside_the_project_or_missing_are_not_read(
    tmp_path: Path, path: str, reason: str
) -> None:
    project = tmp_path / "project"
    (project / "patches").mkdir(parents=True)
    (tmp_path / "outside.patch").write_text("secret")
    read = read_patch_file(project, path)
    assert isinstance(read, UnreadablePatch)
    assert reason in read.reason


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
@pytest.mark.parametrize("link", ["patches/x.patch", "linked/x.patch"])
def test_a_patch_reached_through_a_symbolic_link_is_not_read(tmp_path: Path, link: str) -> None:
    project = tmp_path / "project"
    (project / "patches").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.patch").write_text("secret")
    if link.startswith("linked/"):
        (project / "linked").symlink_to(outside)
    else:
        (project / link).symlink_to(outside / "x.patch")
    read = read_patch_file(project, link)
    assert isinstance(read, UnreadablePatch)
    assert "symbolic link" in read.reason


def test_the_store_key_binds_the_patch_bytes_and_path() -> None:
    integrity = "sha512-abc"
    assert store_key(integrity, []) == integrity
    one = store_key(integrity, [PatchFile("p.patch", b"one")])
    assert one.startswith(integrity) and one != integrity
    assert one != store_key(integrity, [PatchFile("p.patch", b"two")])
    assert one != store_key(integrity, [PatchFile("q.patch", b"one")])
    assert one == store_key(integrity, [PatchFile("p.patch", b"one")])


def test_a_cut_hunk_is_not_applied_in_part() -> None:
    whole = _yarn_patch().data
    cut = whole[: whole.index(b"+require")]
    out = apply_patches(_contents(**{"index.js": ESCAPE_HTML_HEAD}), [PatchFile("cut.patch", cut)])
    index = out.file("index.js")
    assert index is not None and index.data == ESCAPE_HTML_HEAD.encode()
    assert [f.rule for f in out.findings] == ["patch-not-applied"]


def test_a_path_of_only_dots_is_not_read(tmp_path: Path) -> None:
    for path in (".", "./", "./."):
        read = read_patch_file(tmp_path, path)
        assert isinstance(read, UnreadablePatch) and read.reason == "not a regular file"
