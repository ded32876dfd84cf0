"""`diff_targets` on the one pipeline: the three scenarios compared and ranked together, the way a
lockfile diff will rank them (riskiest first)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from airlock.diff.gather import diff_targets
from airlock.diff.model import Attention
from airlock.diff.score import ordered
from airlock.model import Verdict
from airlock.pipeline import Pipeline
from tests.diff.scenarios import publish_benign, publish_event_stream, publish_takeover
from tests.fakes.pipelines import loopback_pipeline
from tests.fakes.registry import FakeRegistry


@pytest.fixture
def pipeline(fake_registry: FakeRegistry, tmp_path: Path) -> Iterator[Pipeline]:
    with loopback_pipeline(fake_registry.url, tmp_path / "cache") as made:
        yield made


def test_event_stream_ranks_first_takeover_above_benign(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    publish_event_stream(fake_registry)
    publish_takeover(fake_registry)
    publish_benign(fake_registry)
    changes = [
        *diff_targets(pipeline, "calm-pad@1.2.0", "calm-pad@1.3.0").changes,
        *diff_targets(pipeline, "ui-widget@2.0.1", "ui-widget@2.0.2").changes,
        *diff_targets(pipeline, "event-stream@3.3.5", "event-stream@3.3.6").changes,
    ]
    ranked = ordered(changes)
    assert [c.name for c in ranked] == ["event-stream", "ui-widget", "calm-pad"]
    event_stream, takeover, benign = ranked
    assert event_stream.verdict is Verdict.BLOCK
    assert takeover.verdict is Verdict.REVIEW and takeover.attention is Attention.HIGH
    assert benign.verdict is Verdict.ALLOW and benign.attention is Attention.LOW
    assert event_stream.score > takeover.score > benign.score


def test_stored_analyses_are_reused_for_the_files(fake_registry: FakeRegistry, pipeline: Pipeline) -> None:
    """A second diff of the same versions reads the store and the verified download cache: no tarball is
    fetched twice."""
    publish_benign(fake_registry)
    first = diff_targets(pipeline, "calm-pad@1.2.0", "calm-pad@1.3.0")
    before = sum(1 for r in fake_registry.requests if r.path.endswith(".tgz"))
    second = diff_targets(pipeline, "calm-pad@1.2.0", "calm-pad@1.3.0")
    after = sum(1 for r in fake_registry.requests if r.path.endswith(".tgz"))
    assert first == second and before == after == 2
