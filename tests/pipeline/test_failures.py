from __future__ import annotations

from airlock.errors import OperationalError
from airlock.pipeline.failures import fold_failures
from airlock.registry.client import NotCachedError


def test_offline_misses_fold_into_one_line_counting_packages_not_names() -> None:
    # two versions of `a` miss the same registry document: still two packages not analysed
    failures = (
        NotCachedError("a is not in the cache and airlock is offline", "a"),
        NotCachedError("a is not in the cache and airlock is offline", "a"),
        NotCachedError("the tarball of b@1.0.0 is not in the cache and airlock is offline", "b@1.0.0"),
        OperationalError("registry said 500"),
        OperationalError("registry said 500"),
    )
    folded = fold_failures(failures)
    assert [f.message for f in folded] == [
        "registry said 500",
        "3 packages are not in the cache and airlock is offline (a, b@1.0.0)",
    ]


def test_a_single_miss_is_shown_as_it_is() -> None:
    only = NotCachedError("a is not in the cache and airlock is offline", "a")
    assert fold_failures((only,)) == (only,)
