"""airlock-policy.json: parsing, writing, LavaMoat's override merge, and drift.

Merge cases marked "LavaMoat" are copied from LavaMoat/LavaMoat `packages/core/test/mergePolicy.spec.js`
(expected results as there), so airlock's merge is checked against LavaMoat's own expectations.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airlock.errors import AirlockError
from airlock.policy.document import (
    PackageGrants,
    Policy,
    PolicyError,
    Resource,
    dumps,
    grants_for,
    loads,
    parse,
    to_data,
)
from airlock.policy.drift import GrantKind, drift
from airlock.policy.merge import lost_refusals, merge
from tests.policy.schema import assert_valid_policy as assert_valid
from tests.policy.schema import policy_validator as validator

EXAMPLE: dict[str, Any] = {
    "version": 1,
    "resources": {
        "some-package": {
            "globals": {"Buffer.from": True, "process.env": True},
            "packages": {"some-package>entropoetry": True},
        },
        "some-package>entropoetry": {
            "builtin": {"assert": True, "buffer.Buffer": True, "zlib": True},
            "globals": {"console": True, "process.exitCode": "write"},
            "native": False,
        },
        "bufferutil": {"native": True, "builtin": {"child_process": True, "fs.readFile": True}},
    },
    "allowScripts": {"bufferutil#4.0.8": True, "esbuild": False},
}


def policy(resources: dict[str, Any], allow_scripts: dict[str, bool] | None = None) -> Policy:
    data: dict[str, Any] = {"version": 1, "resources": resources}
    if allow_scripts is not None:
        data["allowScripts"] = allow_scripts
    return parse(data)


def resources_of(p: Policy) -> dict[str, Any]:
    data = to_data(p)["resources"]
    assert isinstance(data, dict)
    return data


# --- round trip, determinism, schema -------------------------------------------------------------


def test_round_trip_keeps_every_grant() -> None:
    parsed = parse(EXAMPLE)
    assert parsed.resources["bufferutil"].native is True
    assert parsed.resources["some-package>entropoetry"].globals["process.exitCode"] == "write"
    assert parsed.allow_scripts == {"bufferutil#4.0.8": True, "esbuild": False}
    assert to_data(parsed) == EXAMPLE
    assert loads(dumps(parsed)) == parsed


def test_written_text_is_sorted_indented_and_ends_with_one_newline() -> None:
    text = dumps(parse(EXAMPLE))
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(EXAMPLE, indent=2, sort_keys=True) + "\n"
    assert text.index('"bufferutil"') < text.index('"some-package"')


def test_same_policy_in_any_key_order_gives_the_same_bytes() -> None:
    shuffled = json.loads(json.dumps(EXAMPLE), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert list(shuffled) != list(EXAMPLE)
    assert dumps(parse(shuffled)).encode() == dumps(parse(EXAMPLE)).encode()


def test_empty_sections_are_left_out_as_lavamoat_writes_them() -> None:
    text = dumps(policy({"a": {"builtin": {}, "globals": {"x": True}}}))
    assert json.loads(text)["resources"] == {"a": {"globals": {"x": True}}}
    assert_valid(text)


_keys = st.text(alphabet="abcxyz.>@/-_", min_size=1, max_size=12).filter(lambda k: k == k.strip())
_resources = st.dictionaries(
    _keys,
    st.fixed_dictionaries(
        {},
        optional={
            "builtin": st.dictionaries(_keys, st.booleans(), max_size=4),
            "globals": st.dictionaries(
                _keys, st.sampled_from([True, False, "write", "redefine"]), max_size=4
            ),
            "packages": st.dictionaries(_keys, st.booleans(), max_size=3),
            "native": st.booleans(),
        },
    ),
    max_size=5,
)


@given(_resources)
def test_every_written_document_validates_and_reads_back(resources: dict[str, Any]) -> None:
    written = dumps(policy(resources, {"pkg#1.0.0": True, "other": False}))
    assert_valid(written)
    assert dumps(loads(written)) == written


def test_schema_rejects_what_the_parser_rejects() -> None:
    for bad in (
        {"version": 2},
        {"version": 1, "resources": {"a": {"globals": {"x": "read"}}}},
        {"version": 1, "allowScripts": {"a": True}},
        {"version": 1, "resources": {"a": {"meta": {}}}},
    ):
        assert list(validator().iter_errors(bad)), bad
        with pytest.raises(PolicyError):
            parse(bad)


# --- malformed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("{", "not valid JSON", "fix the JSON syntax"),
        ("[]", "the document is an array", "docs/schema/airlock-policy-v1.schema.json"),
        ('{"resources": {}}', '"version" is missing', '"version": 1'),
        ('{"version": "1"}', '"version" is "1"', 'set "version": 1'),
        ('{"version": 7}', '"version" is 7', "upgrade airlock"),
        ('{"version": 1, "resource": {}}', "unknown top-level field 'resource'", "allowScripts"),
        ('{"version": 1, "resources": {"a": {"builtins": {}}}}', "unknown field 'builtins'", "LavaMoat"),
        ('{"version": 1, "resources": {"a": {"builtin": {"fs": 1}}}}', 'builtin["fs"] is 1', "true grants"),
        ('{"version": 1, "resources": {"a": {"globals": {"x": "read"}}}}', '"read"', "write true"),
        ('{"version": 1, "resources": {"a": {"globals": {"x": "yes"}}}}', '"yes"', '"write" writes'),
        ('{"version": 1, "resources": {"a": {"native": "yes"}}}', "native is", "native is true"),
        ('{"version": 1, "resources": {"a": []}}', 'resources["a"] is an array', "schema"),
        ('{"version": 1, "resources": {" a": {}}}', "package named", "canonical names"),
        ('{"version": 1, "allowScripts": {"a": true}}', "without a version", '"a#<version>"'),
        ('{"version": 1, "allowScripts": {"a#1#2": false}}', "malformed key", "canonical-name#version"),
        ('{"version": 1, "allowScripts": {"a": "no"}}', 'allowScripts["a"] is "no"', "true grants"),
    ],
)
def test_malformed_policy_says_what_and_how_to_fix_it(text: str, message: str, hint: str) -> None:
    with pytest.raises(PolicyError) as caught:
        loads(text, source="lavamoat/airlock-policy.json")
    assert isinstance(caught.value, AirlockError)
    assert caught.value.message.startswith("lavamoat/airlock-policy.json")
    assert message in caught.value.message
    assert caught.value.hint is not None and hint in caught.value.hint


def test_a_policy_is_read_only() -> None:
    parsed = parse(EXAMPLE)
    with pytest.raises(TypeError):
        parsed.resources["x"] = Resource()  # type: ignore[index]
    with pytest.raises(TypeError):
        parsed.resources["bufferutil"].builtin["net"] = True  # type: ignore[index]


# --- override merge (LavaMoat's mergePolicy) ------------------------------------------------------


def test_override_widens_with_new_grants() -> None:
    base = policy({"a": {"builtin": {"fs": True}}})
    merged = merge(base, policy({"a": {"globals": {"URL": True}, "builtin": {"net": True}}}))
    assert resources_of(merged) == {"a": {"builtin": {"fs": True, "net": True}, "globals": {"URL": True}}}


def test_override_false_denies_a_generated_grant() -> None:
    base = policy({"a": {"builtin": {"assert": True, "fs": True}, "packages": {"b": True}}})
    merged = merge(base, policy({"a": {"builtin": {"assert": False}, "packages": {"b": False}}}))
    assert resources_of(merged) == {
        "a": {"builtin": {"assert": False, "fs": True}, "packages": {"b": False}},
    }
    # An explicit false is a decision already taken (the runtime refuses it): reported as denied, no error.
    result = drift(grants_for(merged, "a", None), PackageGrants("a", builtin={"assert": True}))
    assert not result.exceeds
    assert [str(e.line) for e in result.denied] == ['resources["a"]["builtin"]["assert"]: true']


def test_override_false_on_a_parent_removes_its_generated_fields() -> None:
    # docs/policy.md "Limiting access": deny console except console.log.
    base = policy({"a": {"globals": {"console.error": True, "console.warn": True, "process.env": True}}})
    merged = merge(base, policy({"a": {"globals": {"console": False, "console.log": True}}}))
    assert resources_of(merged) == {
        "a": {"globals": {"console": False, "console.log": True, "process.env": True}}
    }


def test_lavamoat_deduplication_basic_merge() -> None:
    base = policy(
        {"babel": {"globals": {"abc": True, "xyz": False, "a.b.c": True}, "builtin": {"derp": True}}}
    )
    override = policy(
        {"babel": {"globals": {"def": True, "ghi": False, "a.b": True}, "builtin": {"derp": True}}}
    )
    assert resources_of(merge(base, override)) == {
        "babel": {
            "globals": {"abc": True, "xyz": False, "def": True, "ghi": False, "a.b": True},
            "builtin": {"derp": True},
        }
    }


def test_lavamoat_deduplication_re_add_from_override() -> None:
    base = policy(
        {
            "babel": {
                "globals": {
                    "abc": True,
                    "xyz": False,
                    "a.b": True,
                    "q.w.e": True,
                    "document": True,
                    "window": True,
                },
                "builtin": {"derp": True, "qwerty": False},
            }
        }
    )
    override = policy(
        {
            "babel": {
                "globals": {
                    "abc": False,
                    "a.b.c": False,
                    "q.w": False,
                    "document": False,
                    "document.createElement": True,
                    "window": False,
                    "window.location.hash": True,
                },
                "builtin": {"derp": False},
            }
        }
    )
    assert resources_of(merge(base, override)) == {
        "babel": {
            "builtin": {"derp": False, "qwerty": False},
            "globals": {
                "a.b": True,
                "abc": False,
                "q.w": False,
                "xyz": False,
                "document": False,
                "window": False,
                "document.createElement": True,
                "window.location.hash": True,
            },
        }
    }


def test_lavamoat_invalid_nesting_is_an_error_with_advice() -> None:
    base = policy({"babel": {"globals": {"abc": True, "qwe": True}}})
    override = policy({"babel": {"globals": {"abc.z": True, "qwe.z": True}}})
    with pytest.raises(PolicyError) as caught:
        merge(base, override)
    assert '"abc.z" is invalid when "abc" is also present' in caught.value.message
    assert '"qwe.z" is invalid when "qwe" is also present' in caught.value.message
    assert caught.value.hint is not None and 'set "abc": false' in caught.value.hint


def test_lavamoat_native_from_override_or_else_from_policy() -> None:
    assert resources_of(merge(policy({"p": {"native": True}}), policy({"p": {"native": False}}))) == {
        "p": {"native": False}
    }
    assert resources_of(merge(policy({"p": {"native": True}}), policy({"p": {"globals": {"x": True}}}))) == {
        "p": {"native": True, "globals": {"x": True}}
    }
    assert resources_of(merge(policy({"p": {"globals": {"x": True}}}), policy({"p": {"native": True}}))) == {
        "p": {"native": True, "globals": {"x": True}}
    }


def test_lavamoat_packages_merge_shallowly() -> None:
    merged = merge(
        policy({"pkg": {"packages": {"dep1": True, "dep2": False}}}),
        policy({"pkg": {"packages": {"dep2": True, "dep3": True}}}),
    )
    assert resources_of(merged) == {"pkg": {"packages": {"dep1": True, "dep2": True, "dep3": True}}}


def test_unknown_package_in_override_is_added_as_written() -> None:
    merged = merge(policy({"pkg-a": {"globals": {"x": True}}}), policy({"pkg-b": {"globals": {"y": True}}}))
    assert resources_of(merged) == {"pkg-a": {"globals": {"x": True}}, "pkg-b": {"globals": {"y": True}}}


def test_merge_changes_neither_input_and_allow_scripts_follow_the_override() -> None:
    base = policy({"a": {"builtin": {"fs": True}}}, {"a#1.0.0": True, "b": False})
    override = policy({"a": {"builtin": {"fs": False}}}, {"a#1.0.0": False, "c#2.0.0": True})
    before = (dumps(base), dumps(override))
    merged = merge(base, override)
    assert (dumps(base), dumps(override)) == before
    assert merged.allow_scripts == {"a#1.0.0": False, "b": False, "c#2.0.0": True}
    assert_valid(dumps(merged))


# --- drift ----------------------------------------------------------------------------------------

GRANTED = policy(
    {
        "a": {
            "builtin": {"fs.readFile": True, "path": True},
            "globals": {"process.env": True, "console": True},
            "packages": {"a>b": True},
        }
    },
    {"a#1.0.0": False},
)


def observed(**fields: Any) -> PackageGrants:
    base: dict[str, Any] = {
        "builtin": {"fs.readFile": True, "path.join": True},
        "globals": {"process.env.HOME": True, "console": True},
        "packages": {"a>b": True},
    }
    base.update(fields)
    return PackageGrants("a", "1.0.0", **base)


def test_no_drift_when_everything_observed_is_granted() -> None:
    result = drift(grants_for(GRANTED, "a", "1.0.0"), observed())
    assert result.excesses == () and result.narrowings == () and not result.exceeds


def test_new_capability_is_an_excess_with_the_line_that_accepts_it() -> None:
    seen = observed(
        builtin={"fs.readFile": True, "path": True, "child_process": True}, globals={"fetch": True}
    )
    result = drift(grants_for(GRANTED, "a", "1.0.0"), seen)
    assert result.exceeds
    excess = {(e.kind, e.key): e.line for e in result.excesses}
    assert set(excess) == {(GrantKind.BUILTIN, "child_process"), (GrantKind.GLOBAL, "fetch")}
    line = excess[(GrantKind.BUILTIN, "child_process")]
    assert str(line) == 'resources["a"]["builtin"]["child_process"]: true'
    assert line.pointer == "/resources/a/builtin/child_process"
    # Adding exactly that line accepts it.
    widened = merge(GRANTED, policy({"a": {"builtin": {"child_process": True}, "globals": {"fetch": True}}}))
    assert not drift(grants_for(widened, "a", "1.0.0"), seen).exceeds


def test_a_field_is_not_covered_by_a_sibling_and_a_whole_module_not_by_one_field() -> None:
    result = drift(grants_for(GRANTED, "a", "1.0.0"), observed(builtin={"fs": True, "fs.writeFile": True}))
    assert {e.key for e in result.excesses} == {"fs", "fs.writeFile"}


def test_write_access_needs_a_write_grant() -> None:
    result = drift(grants_for(GRANTED, "a", "1.0.0"), observed(globals={"console": "write"}))
    assert [(e.key, e.line.value) for e in result.excesses] == [("console", "write")]


def test_deepest_listed_path_decides() -> None:
    granted = grants_for(policy({"a": {"globals": {"x": True, "x.b": False, "x.b.c": True}}}), "a", None)
    result = drift(granted, PackageGrants("a", globals={"x.z": True, "x.b.c": True, "x.b.y": True}))
    assert [e.key for e in result.denied] == ["x.b.y"] and result.excesses == ()
    unlisted = drift(granted, PackageGrants("a", globals={"y": True}))
    assert [e.key for e in unlisted.excesses] == ["y"] and unlisted.denied == ()


def test_new_dependency_is_an_excess() -> None:
    result = drift(grants_for(GRANTED, "a", "1.0.0"), observed(packages={"a>b": True, "evil": True}))
    assert [(e.kind, e.key, str(e.line)) for e in result.excesses] == [
        (GrantKind.PACKAGE, "evil", 'resources["a"]["packages"]["evil"]: true')
    ]


def test_new_native_code_is_an_excess() -> None:
    result = drift(grants_for(GRANTED, "a", "1.0.0"), observed(native=True))
    assert [(e.kind, str(e.line)) for e in result.excesses] == [
        (GrantKind.NATIVE, 'resources["a"]["native"]: true')
    ]


def test_install_scripts_the_policy_says_nothing_about_are_an_excess_recorded_off() -> None:
    # allow-scripts' "missing policy": no entry decides this version. Accepting records it as false.
    result = drift(grants_for(Policy(resources=GRANTED.resources), "a", "1.0.0"), observed(scripts=True))
    assert [(e.kind, str(e.line)) for e in result.excesses] == [
        (GrantKind.INSTALL_SCRIPT, 'allowScripts["a#1.0.0"]: false')
    ]
    # A decision either way is no excess: false keeps them off, a pinned true runs them.
    assert not drift(grants_for(GRANTED, "a", "1.0.0"), observed(scripts=True)).exceeds
    allowed = policy({}, {"a#1.0.0": True})
    assert not drift(grants_for(allowed, "a", "1.0.0"), PackageGrants("a", "1.0.0", scripts=True)).exceeds
    # Entries are pinned to a version: a new version's scripts are undecided again...
    assert drift(grants_for(allowed, "a", "1.0.1"), PackageGrants("a", "1.0.1", scripts=True)).exceeds
    assert drift(grants_for(GRANTED, "a", "1.0.1"), PackageGrants("a", "1.0.1", scripts=True)).exceeds
    # ...unless a bare name denies every version.
    every = policy({}, {"a": False})
    assert not drift(grants_for(every, "a", "2.0.0"), PackageGrants("a", "2.0.0", scripts=True)).exceeds


def test_removed_capability_is_a_narrowing_not_an_error() -> None:
    granted = grants_for(
        merge(GRANTED, policy({"a": {"native": True}}, {"a#1.0.0": True})),
        "a",
        "1.0.0",
    )
    result = drift(granted, observed(builtin={"path": True}, packages={}))
    assert not result.exceeds
    assert {(n.kind, n.key) for n in result.narrowings} == {
        (GrantKind.BUILTIN, "fs.readFile"),
        (GrantKind.PACKAGE, "a>b"),
        (GrantKind.NATIVE, None),
        (GrantKind.INSTALL_SCRIPT, None),
    }


def test_an_unlisted_package_has_no_grants() -> None:
    result = drift(grants_for(GRANTED, "z", None), PackageGrants("z", builtin={"net": True}))
    assert [str(e.line) for e in result.excesses] == ['resources["z"]["builtin"]["net"]: true']


def test_a_key_written_twice_is_an_error_not_a_silent_choice() -> None:
    with pytest.raises(PolicyError) as caught:
        loads('{"version": 1, "resources": {"a": {"builtin": {"fs": false, "fs": true}}}}')
    assert '"fs" twice' in caught.value.message
    assert caught.value.hint is not None and "keep one" in caught.value.hint


def test_a_write_grant_only_read_now_is_a_narrowing() -> None:
    granted = grants_for(policy({"a": {"globals": {"process.exitCode": "write"}}}), "a", None)
    result = drift(granted, PackageGrants("a", globals={"process.exitCode": True}))
    assert not result.exceeds
    assert [(n.key, n.line.value) for n in result.narrowings] == [("process.exitCode", "write")]
    still_written = drift(granted, PackageGrants("a", globals={"process.exitCode": "write"}))
    assert still_written.narrowings == ()


def test_drift_compares_one_package() -> None:
    with pytest.raises(ValueError, match="one package"):
        drift(grants_for(GRANTED, "a", None), PackageGrants("b"))


def test_install_scripts_are_judged_for_a_version() -> None:
    with pytest.raises(ValueError, match="need the package's version"):
        drift(grants_for(GRANTED, "a", None), PackageGrants("a", scripts=True))


def test_a_refusal_under_a_granted_parent_is_reported_as_lost() -> None:
    policy = Policy(resources={"a": Resource(globals={"process": True}, builtin={"fs.readFile": True})})
    override = Policy(
        resources={"a": Resource(globals={"process.env": False}, builtin={"fs.readFile": False})}
    )
    (message,) = lost_refusals(policy, override)
    assert message.startswith('resources["a"]["globals"]["process.env"]: false has no effect')
    assert 'refuse "process" instead' in message
    # Refused at the granted depth, nothing is lost.
    assert lost_refusals(policy, Policy(resources={"a": Resource(globals={"process": False})})) == ()


# --- allowNetwork (airlock's addition for install scripts) ---------------------------------------


def test_allow_network_reads_writes_and_validates() -> None:
    data = {**EXAMPLE, "allowNetwork": {"playwright#1.49.0": True, "puppeteer": True, "x#2.0.0": False}}
    parsed = parse(data)
    assert parsed.network_allowed("playwright", "1.49.0")
    assert not parsed.network_allowed("playwright", "1.50.0")
    assert parsed.network_allowed("puppeteer", "23.0.0") and parsed.network_allowed("puppeteer", None)
    assert not parsed.network_allowed("x", "2.0.0") and not parsed.network_allowed("bufferutil", "4.0.8")
    assert to_data(parsed) == data and loads(dumps(parsed)) == parsed
    assert_valid(dumps(parsed))
    assert "allowNetwork" not in to_data(parse(EXAMPLE))  # unused: the file keeps its bytes


def test_allow_network_is_merged_with_the_override_winning() -> None:
    base = parse({"version": 1, "allowNetwork": {"a": True, "b#1.0.0": True}})
    override = parse({"version": 1, "allowNetwork": {"a": False}})
    merged = merge(base, override)
    assert dict(merged.allow_network) == {"a": False, "b#1.0.0": True}


@pytest.mark.parametrize("bad", [{"a#1#2": True}, {"a": "yes"}, {"#1.0.0": True}])
def test_a_malformed_allow_network_entry_is_refused_by_parser_and_schema(bad: dict[str, object]) -> None:
    document = {"version": 1, "allowNetwork": bad}
    assert list(validator().iter_errors(document))
    with pytest.raises(PolicyError, match="allowNetwork"):
        parse(document)


def test_accepting_drift_keeps_the_network_grants() -> None:
    from airlock.policy.widen import narrow, widen

    parsed = parse({**EXAMPLE, "allowNetwork": {"playwright#1.49.0": True}})
    assert widen(parsed, ()).allow_network == parsed.allow_network
    assert narrow(parsed, ()).allow_network == parsed.allow_network
