"""Registry-metadata signals: each with a positive case and a benign one, and "unavailable" when the
registry leaves a field out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from airlock.check.metadata import MetadataContext, previous_version, version_signals
from airlock.model import Evidence, Finding, Severity, Verdict
from airlock.registry.packument import Dist, Maintainer, Packument, VersionManifest
from airlock.verdict import decide

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CONTEXT = MetadataContext(NOW, timedelta(days=7), Evidence("package-lock.json", 3))


def _version(version: str, **fields: object) -> VersionManifest:
    return VersionManifest("pkg", version, Dist(f"https://r.example.com/pkg/-/pkg-{version}.tgz"), **fields)  # type: ignore[arg-type]


def _packument(
    *versions: VersionManifest, ages: dict[str, float] | None = None, latest: str | None = None
) -> Packument:
    times = {v: NOW - timedelta(days=d) for v, d in (ages or {}).items()}
    return Packument(
        "pkg",
        {"latest": latest or versions[-1].version},
        {v.version: v for v in versions},
        times,
    )


def _rules(packument: Packument, version: str) -> dict[str, str]:
    return {f.rule: f.message for f in version_signals(packument, version, CONTEXT).findings}


def test_an_old_unchanged_version_has_no_findings() -> None:
    doc = _packument(_version("1.0.0"), _version("1.0.1"), ages={"1.0.0": 400, "1.0.1": 300})
    assert _rules(doc, "1.0.1") == {}


def test_young_version_says_when() -> None:
    doc = _packument(_version("1.0.0"), _version("1.0.1"), ages={"1.0.0": 400, "1.0.1": 2})
    message = _rules(doc, "1.0.1")["young-version"]
    assert "2.0 days ago" in message and "minimum release age: 7 days" in message


def test_one_day_is_singular() -> None:
    doc = _packument(_version("1.0.0"), _version("1.0.1"), ages={"1.0.0": 400, "1.0.1": 0.5})
    one_day = replace(CONTEXT, min_age=timedelta(days=1))
    message = {f.rule: f.message for f in version_signals(doc, "1.0.1", one_day).findings}["young-version"]
    assert "minimum release age: 1 day)" in message


# ---- young versions: information alone, a review when they change what matters (issue 11) -------------
BOT = Maintainer("caniuse-lite-bot", "bot@example.com")
AI = Maintainer("ai", "ai@example.com")


def _daily(count: int = 90, **last: object) -> tuple[Packument, str]:
    """caniuse-lite's shape: a patch release a day (1.0.30001600, 1.0.30001601, ...), the newest 10 hours
    old, every one by the same publishing bot with the same maintainers and no dependencies or scripts.
    `last` overrides fields of the newest version."""
    versions = [f"1.0.{30001600 + i}" for i in range(count)]
    manifests = [
        _version(v, **{"maintainers": (AI, BOT), "publisher": BOT, **(last if v == versions[-1] else {})})
        for v in versions
    ]
    # one a day, the first `count - 1` days ago; the newest 10 hours ago
    ages = {v: count - 1 - i + 10 / 24 for i, v in enumerate(versions)}
    return _packument(*manifests, ages=ages), versions[-1]


def _finding(packument: Packument, version: str, rule: str) -> Finding:
    return next(f for f in version_signals(packument, version, CONTEXT).findings if f.rule == rule)


def test_a_package_that_publishes_daily_is_information_not_a_review() -> None:
    doc, newest = _daily()
    findings = version_signals(doc, newest, CONTEXT).findings
    assert [f.rule for f in findings] == ["young-version"]
    assert findings[0].severity is Severity.INFO and decide(findings) is Verdict.ALLOW


def test_a_young_version_that_adds_a_dependency_is_a_review_saying_so() -> None:
    doc, newest = _daily(dependencies={"flatmap-stream": "^0.1.0"})
    young = _finding(doc, newest, "young-version-changes")
    assert "adds dependencies not in pkg@1.0.30001688: flatmap-stream" in young.message
    assert "young-version" not in _rules(doc, newest)
    assert decide(version_signals(doc, newest, CONTEXT).findings) is Verdict.REVIEW


def test_a_young_version_that_adds_an_install_script_is_a_review() -> None:
    doc, newest = _daily(scripts={"postinstall": "node setup.js"}, has_install_script=True)
    assert "adds install scripts that pkg@1.0.30001688 did not have (postinstall)" in (
        _finding(doc, newest, "young-version-changes").message
    )


def test_a_young_version_with_a_new_maintainer_or_publisher_is_a_review() -> None:
    stranger = Maintainer("right9ctrl", "r@example.invalid")
    doc, newest = _daily(maintainers=(AI, BOT, stranger))
    assert "adds maintainers not on pkg@1.0.30001688: right9ctrl" in (
        _finding(doc, newest, "young-version-changes").message
    )
    doc, newest = _daily(publisher=stranger)
    assert "was published by right9ctrl, who neither published nor maintained" in (
        _finding(doc, newest, "young-version-changes").message
    )
    # an older document without `_npmUser` on the previous version: its maintainers are who is known
    old = _version("1.0.0", maintainers=(AI,))
    doc = _packument(
        old, _version("1.0.1", maintainers=(AI,), publisher=stranger), ages={"1.0.0": 90, "1.0.1": 1}
    )
    assert "was published by right9ctrl" in _finding(doc, "1.0.1", "young-version-changes").message
    # another existing maintainer publishing (ai instead of the bot) is nobody new
    doc, newest = _daily(publisher=Maintainer("AI", "ai@example.com"))
    assert set(_rules(doc, newest)) == {"young-version"}


def test_a_brand_new_package_is_a_review() -> None:
    doc = _packument(_version("1.0.0"), ages={"1.0.0": 2})
    young = _finding(doc, "1.0.0", "young-version-changes")
    assert "the package itself was first published" in young.message and "2.0 days ago" in young.message
    # a second version a day later of a package created three days ago: still young itself
    doc = _packument(_version("1.0.0"), _version("1.0.1"), ages={"1.0.0": 3, "1.0.1": 1})
    assert "young-version-changes" in _rules(doc, "1.0.1")


def test_the_package_age_comes_from_time_created_when_given() -> None:
    # npm's `time.created` predates every surviving version when early versions were unpublished
    doc = _packument(_version("2.0.0"), ages={"2.0.0": 2, "created": 900})
    assert set(_rules(doc, "2.0.0")) == {"young-version"}


def test_changes_of_an_old_version_are_not_escalated_by_age() -> None:
    doc, _ = _daily(count=3, dependencies={"left-pad": "^1"})
    old = _packument(*doc.versions.values(), ages={v: 400 - i for i, v in enumerate(doc.versions)})
    newest = list(doc.versions)[-1]
    assert set(_rules(old, newest)) == {"dependency-added"}


def test_no_publish_time_means_no_age_signal() -> None:
    assert _rules(_packument(_version("1.0.0")), "1.0.0") == {}


def test_maintainer_change_names_who_came_and_went() -> None:
    old = _version("3.3.5", maintainers=(Maintainer("dominictarr"),))
    new = _version("3.3.6", maintainers=(Maintainer("dominictarr"), Maintainer("right9ctrl")))
    message = _rules(_packument(old, new, ages={"3.3.5": 900, "3.3.6": 800}), "3.3.6")["maintainers-changed"]
    assert "added right9ctrl" in message and "removed none" in message


def test_maintainers_unknown_on_either_side_is_not_a_change() -> None:
    old = _version("1.0.0")
    new = _version("1.0.1", maintainers=(Maintainer("someone"),))
    assert "maintainers-changed" not in _rules(_packument(old, new), "1.0.1")


def test_install_script_added_relative_to_previous_version() -> None:
    old = _version("1.0.0", scripts={"test": "jest"})
    new = _version("1.0.1", scripts={"postinstall": "node setup.js"}, has_install_script=True)
    assert "postinstall: node setup.js" in _rules(_packument(old, new), "1.0.1")["install-script-added"]
    kept = _version("1.0.2", scripts={"postinstall": "node setup.js"}, has_install_script=True)
    assert "install-script-added" not in _rules(_packument(old, new, kept), "1.0.2")


def test_adding_prepare_is_not_an_install_script_added() -> None:
    # npm never runs `prepare` for a registry install, so a version that adds one runs nothing new there.
    old = _version("1.0.0", scripts={"test": "jest"})
    new = _version("1.0.1", scripts={"prepare": "husky install"})
    assert dict(new.install_scripts) == {}
    assert "install-script-added" not in _rules(_packument(old, new), "1.0.1")
    # ...while a version that adds `install` next to an existing `prepare` is
    had_prepare = _version("1.0.0", scripts={"prepare": "tsc"})
    adds_install = _version(
        "1.0.1", scripts={"prepare": "tsc", "install": "node i.js"}, has_install_script=True
    )
    assert (
        "install: node i.js" in _rules(_packument(had_prepare, adds_install), "1.0.1")["install-script-added"]
    )


def test_new_bin_is_low_unless_it_shadows_a_common_command() -> None:
    old = _version("1.0.0")
    new = _version("1.1.0", bin={"pkg-cli": "cli.js"})
    findings = {f.rule: f for f in version_signals(_packument(old, new), "1.1.0", CONTEXT).findings}
    assert findings["bin-added"].severity.value == "low"
    shadow = _version("1.1.0", bin={"git": "cli.js"})
    findings = {f.rule: f for f in version_signals(_packument(old, shadow), "1.1.0", CONTEXT).findings}
    assert findings["bin-added"].severity.value == "medium" and "shadows" in findings["bin-added"].message


def test_deprecated_and_new_dependencies() -> None:
    old = _version("3.3.5", dependencies={"through": "~2.3.1"})
    new = _version(
        "3.3.6", dependencies={"through": "~2.3.1", "flatmap-stream": "^0.1.0"}, deprecated="use 4.x"
    )
    doc = _packument(old, new)
    rules = _rules(doc, "3.3.6")
    assert "flatmap-stream" in rules["dependency-added"]
    assert "use 4.x" in rules["deprecated-version"]
    assert version_signals(doc, "3.3.6", CONTEXT).added_dependencies == ("flatmap-stream",)
    assert version_signals(doc, "3.3.5", CONTEXT).added_dependencies == ()


def test_security_placeholder_only_when_npm_replaced_the_package() -> None:
    taken_down = _packument(_version("0.0.1-security"), latest="0.0.1-security")
    assert "the lockfile pins 1.2.0" in _rules(taken_down, "1.2.0")["security-placeholder"]
    # tslib-style: an old placeholder among real releases is a reclaimed name, not a takedown
    reclaimed = _packument(_version("0.0.1-security"), _version("2.9.1"), latest="2.9.1")
    assert "security-placeholder" not in _rules(reclaimed, "2.9.1")


def test_previous_version_skips_prereleases_for_stable_versions() -> None:
    doc = _packument(_version("1.0.0"), _version("1.1.0-beta.1"), _version("1.1.0"), _version("2.0.0"))
    previous = previous_version(doc, "1.1.0")
    assert previous is not None and previous.version == "1.0.0"
    previous = previous_version(doc, "1.1.0-beta.1")
    assert previous is not None and previous.version == "1.0.0"
    assert previous_version(doc, "1.0.0") is None


def test_a_display_name_change_on_the_same_account_is_not_a_maintainer_change() -> None:
    old = _version("1.0.4", maintainers=(Maintainer("joshua appelman", "jappelman@example.com"),))
    new = _version("1.0.5", maintainers=(Maintainer("joshua boy nicolai appelman", "jappelman@example.com"),))
    assert "maintainers-changed" not in _rules(_packument(old, new), "1.0.5")
    other = _version("1.0.6", maintainers=(Maintainer("joshua appelman", "someone-else@example.com"),))
    message = _rules(_packument(new, other), "1.0.6")["maintainers-changed"]
    assert "added joshua appelman" in message and "removed joshua boy nicolai appelman" in message


def test_a_new_email_on_the_same_name_is_not_a_maintainer_change() -> None:
    old = _version("8.16.0", maintainers=(Maintainer("marijn haverbeke", "old@example.com"),))
    new = _version("8.17.0", maintainers=(Maintainer("marijn haverbeke", "new@example.com"),))
    assert "maintainers-changed" not in _rules(_packument(old, new), "8.17.0")


def test_maintainers_are_compared_by_account_trimmed_and_case_insensitive() -> None:
    old = _version("2.0.0", maintainers=(Maintainer("Marijn  Haverbeke", "Marijn@Example.com "),))
    new = _version("2.0.1", maintainers=(Maintainer(" marijn haverbeke", "marijn@example.com"),))
    assert "maintainers-changed" not in _rules(_packument(old, new), "2.0.1")


def test_only_a_new_account_is_a_new_maintainer() -> None:
    # one account renamed (same e-mail), one re-mailed (same name), and one account nobody had before
    old = _version(
        "5.0.0",
        maintainers=(Maintainer("sindresorhus", "sindre@example.com"), Maintainer("qix", "qix@example.com")),
    )
    new = _version(
        "5.0.1",
        maintainers=(
            Maintainer("Sindre Sorhus", "sindre@example.com"),
            Maintainer("qix", "josh@example.com"),
            Maintainer("newcomer", "newcomer@example.invalid"),
        ),
    )
    message = _rules(_packument(old, new), "5.0.1")["maintainers-changed"]
    assert message.endswith("added newcomer; removed none")


def test_what_the_document_cannot_say_is_listed_per_version() -> None:
    with_people = _version("1.0.0", maintainers=(Maintainer("a"),))
    without = _version("1.0.1")
    doc = _packument(with_people, without, ages={"1.0.0": 400})
    assert version_signals(doc, "1.0.1", CONTEXT).unavailable == ("young-version", "maintainers-changed")
    doc = _packument(
        with_people, _version("1.0.1", maintainers=(Maintainer("a"),)), ages={"1.0.0": 400, "1.0.1": 300}
    )
    assert version_signals(doc, "1.0.1", CONTEXT).unavailable == ()
    # a first version has no predecessor to compare: nothing is missing
    assert version_signals(_packument(without, ages={"1.0.1": 9}), "1.0.1", CONTEXT).unavailable == ()
