"""Markdown summary of a sweep's `--json-out` file: every non-allow package grouped by rule.

    python scripts/sweep_summary.py /work/notes/sweep-baseline-realtrees.jsonl

A package with findings of several rules appears under each; packages seen in several projects are listed
once per (package, version) with the projects that hold them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("jsonl", type=Path)
    args = parser.parse_args()
    by_rule: dict[str, dict[tuple[str, str], dict[str, object]]] = {}
    for line in args.jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        label = (record["package"], record["version"] or "")
        for finding in record["findings"]:
            seen = by_rule.setdefault(finding["rule"], {}).setdefault(
                label, {"verdict": record["verdict"], "finding": finding, "projects": set()}
            )
            if "project" in record:
                projects = seen["projects"]
                assert isinstance(projects, set)
                projects.add(record["project"])
    for rule in sorted(by_rule, key=lambda r: (-len(by_rule[r]), r)):
        packages = by_rule[rule]
        print(f"\n### {rule} ({len(packages)} package versions)")
        for (name, version), seen in sorted(packages.items()):
            finding = seen["finding"]
            assert isinstance(finding, dict)
            projects = seen["projects"]
            assert isinstance(projects, set)
            where = f" ({finding['file']}:{finding['line']})" if finding["file"] else ""
            in_projects = f" — in {', '.join(sorted(projects))}" if projects else ""
            print(
                f"- **{seen['verdict']}** {name}@{version} [{finding['severity']}]: "
                f"{finding['message'][:220]}{where}{in_projects}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
