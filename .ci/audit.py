"""Known vulnerabilities of the locked dependency set, from PyPI's per-project data.

pip-audit and ``uv audit`` ask a vulnerability service per version (PyPI's
``/pypi/NAME/VERSION/json`` or OSV), which this project's CI cannot reach; PyPI's
per-project document (``/pypi/NAME/json``) is reachable and lists the advisories that affect
the newest release, each with the versions that fix it. So for every locked ``NAME==VERSION``:

- an advisory listed there whose ``fixed_in`` versions are all above VERSION (or that names no
  fix) is a finding;
- an advisory fixed in a release between VERSION and the newest is no longer listed there, so a
  locked version older than the newest release is reported as such: refresh the lock
  (``make lock``) rather than trust the silence.

A finding fails the run unless ``.ci/audit-exceptions.toml`` names its id with a reason.
Usage: ``python .ci/audit.py REQUIREMENTS`` (``uv export`` output).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import httpx
from packaging.version import InvalidVersion, Version

INDEX = "https://pypi.org/pypi/{name}/json"
EXCEPTIONS = Path(__file__).with_name("audit-exceptions.toml")
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def locked(requirements: Path) -> list[tuple[str, str]]:
    pins = []
    for line in requirements.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins.append((match.group(1), match.group(2)))
    return pins


def affects(advisory: dict, version: Version) -> bool:
    fixed = []
    for raw in advisory.get("fixed_in") or []:
        try:
            fixed.append(Version(raw))
        except InvalidVersion:
            continue
    # No fixed version known: it affects every release, ours included.
    return not fixed or all(version < f for f in fixed)


def main(requirements: Path) -> int:
    allowed = tomllib.loads(EXCEPTIONS.read_text()).get("ignore", {}) if EXCEPTIONS.exists() else {}
    findings: list[str] = []
    stale: list[str] = []
    pins = locked(requirements)
    if not pins:
        print(f"audit: no pinned requirement in {requirements}")
        return 1
    transport = httpx.HTTPTransport(retries=3)
    headers = {"User-Agent": "trakt-sync-ci-audit"}
    with httpx.Client(timeout=30, headers=headers, transport=transport) as client:
        for name, raw in pins:
            response = client.get(INDEX.format(name=name))
            response.raise_for_status()
            document = response.json()
            version = Version(raw)
            newest = document["info"]["version"]
            if Version(newest) > version:
                stale.append(f"{name} {raw} (newest {newest})")
            for advisory in document.get("vulnerabilities") or []:
                if not affects(advisory, version):
                    continue
                ident = advisory.get("id", "?")
                aliases = ", ".join(advisory.get("aliases") or [])
                if ident in allowed or any(a in allowed for a in advisory.get("aliases") or []):
                    print(
                        f"audit: {name} {raw}: {ident} ({aliases}) excepted: {allowed.get(ident)}"
                    )
                    continue
                fixed = ", ".join(advisory.get("fixed_in") or []) or "no fix"
                findings.append(f"{name} {raw}: {ident} ({aliases}), fixed in {fixed}")
    print(f"audit: {len(pins)} locked packages checked against PyPI's advisories")
    for line in stale:
        print(f"audit: older than newest release (run `make lock`): {line}")
    for line in findings:
        print(f"audit: VULNERABLE {line}")
    if findings:
        print("audit: fix the lock, or name the id in .ci/audit-exceptions.toml with a reason")
        return 1
    print("audit: no known vulnerability in the locked set")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
