"""Fail when an installed dependency has a known vulnerability: pip-audit, completed from PyPI's project JSON.

Run with the environment's own Python (``make audit``). pip-audit asks PyPI for each installed
version's advisories (``/pypi/NAME/VERSION/json``). Where that endpoint is not served (CI's network
answers 404 for it, while ``/pypi/NAME/json`` works), pip-audit skips the package; each skipped one is
then checked here against its project JSON, whose ``vulnerabilities`` are those of the newest release:

- installed version == newest release: those are exactly this version's advisories;
- installed version older (held back by a pin or another package's cap): the newest release's
  advisories count against it too (fail-safe), a yanked installed release is a finding, and the
  advisories already fixed by the newest release cannot be seen from here: the report names them.

Network trouble is retried with back-off; when PyPI stays unreachable the audit fails (it never
passes without having looked). Exit status 1 on any finding not in IGNORED.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import distributions

from packaging.version import InvalidVersion, Version

IGNORED: dict[str, str] = {}  # advisory id -> why it does not apply; keep each reason specific
PROJECT = "warwatch"
ATTEMPTS = 4


class Unreachable(Exception):
    pass


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def get_json(url: str) -> dict | None:
    """The JSON at ``url``; None on 404; Unreachable after ATTEMPTS tries of anything else."""
    for attempt in range(ATTEMPTS):
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            problem = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as exc:
            problem = str(exc)
        time.sleep(2 ** attempt)
    raise Unreachable(f"{url}: {problem}")


def pip_audit() -> list[dict]:
    """pip-audit's per-dependency results for this environment (retried when it cannot finish)."""
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--vulnerability-service", "pypi",
               "--format", "json", "--progress-spinner", "off"]
    for attempt in range(ATTEMPTS):
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        try:
            return json.loads(result.stdout)["dependencies"]
        except (json.JSONDecodeError, KeyError):
            time.sleep(2 ** attempt)
    raise Unreachable(f"pip-audit did not finish: {result.stderr.strip()[-500:]}")


def public(version: str) -> Version | None:
    try:
        return Version(Version(version).public)
    except InvalidVersion:
        return None


def check_project_json(name: str, version: str) -> tuple[list[str], str]:
    """(findings, how it was audited) for one package pip-audit could not audit."""
    data = get_json(f"https://pypi.org/pypi/{name}/json")
    if data is None:
        return [], "not on PyPI"
    newest = data["info"]["version"]
    vulns = [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
    findings = [f"{name} {version}: {v['id']} ({', '.join(v.get('aliases') or [])}) fixed in "
                f"{', '.join(v.get('fixed_in') or []) or 'no release'}" for v in vulns]
    installed = public(version)
    if installed is not None and installed == public(newest):
        return findings, "newest"
    yanked = [f for f in data.get("releases", {}).get(str(installed), []) if f.get("yanked")]
    if yanked:
        findings.append(f"{name} {version}: this release is yanked ({yanked[0].get('yanked_reason') or 'no reason'})")
    return findings, f"behind {newest}"


def main() -> int:
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions() if d.metadata["Name"]}
    installed.pop(PROJECT, None)
    try:
        results = pip_audit()
        findings = [f"{d['name']} {d['version']}: {v['id']} fixed in {', '.join(v['fix_versions']) or 'no release'}"
                    for d in results for v in d.get("vulns", [])]
        audited = {canonical(d["name"]) for d in results if "skip_reason" not in d}
        skipped = sorted(set(installed) - audited)
        with ThreadPoolExecutor(8) as pool:
            checked = dict(zip(skipped, pool.map(lambda n: check_project_json(n, installed[n]), skipped)))
    except Unreachable as exc:
        print(f"audit: PyPI unreachable, nothing audited: {exc}", file=sys.stderr)
        return 2
    for found, _ in checked.values():
        findings += found
    findings = [f for f in findings if not any(advisory in f for advisory in IGNORED)]
    behind = sorted(f"{n} {installed[n]} ({how})" for n, (_, how) in checked.items() if how.startswith("behind"))
    absent = sorted(n for n, (_, how) in checked.items() if how == "not on PyPI")
    print(f"audit: {len(installed)} installed packages; {len(audited)} audited by pip-audit per version, "
          f"{sum(how == 'newest' for _, how in checked.values())} at their newest release checked against its "
          f"advisories, {len(behind)} behind their newest release checked against its advisories only")
    if behind:
        print("audit: advisories fixed before the newest release cannot be read here for: " + ", ".join(behind))
    if absent:
        print("audit: not on PyPI, not audited: " + ", ".join(absent))
    for reason in IGNORED.items():
        print("audit: ignored %s: %s" % reason)
    for finding in findings:
        print(f"audit: VULNERABLE {finding}")
    print(f"audit: {len(findings)} known-vulnerable dependencies")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
