"""Issue 26.8: the dependency floors exclude the versions with known advisories.

pip-audit cannot see packages through this machine's package mirror, so the fixed versions
are written down here, from the advisories (PyPI / GitHub advisory database / OSV):
"""

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

# package → (first fixed version, the advisories it fixes)
FIXED = {
    # UnixFileLock TOCTOU (3.20.1), SoftFileLock TOCTOU (3.20.3); later Soft*/ReadWrite lock
    # advisories of 2026 are all fixed by 4.3.0.
    "filelock": ("4.3.0", "CVE-2025-68146, CVE-2026-22701, CVE-2026-112906, CVE-2026-144394"),
    # httpx allows any httpcore 1.*: h11 accepts malformed chunked bodies before 0.16.
    "httpcore": ("1.0.9", "CVE-2025-43859 (through its h11 floor)"),
    "h11": ("0.16.0", "CVE-2025-43859"),
    # orjson.loads (3.9.15) and orjson.dumps (3.11.6) recursion on deep documents.
    "orjson": ("3.11.6", "CVE-2024-27454, CVE-2025-67221"),
}


def floors() -> dict[str, Version]:
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    found = {}
    for line in project["project"]["dependencies"]:
        requirement = Requirement(line)
        lows = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        if lows:
            found[requirement.name] = max(lows)
    return found


@pytest.mark.parametrize("package", sorted(FIXED))
def test_the_floor_is_past_every_known_fix(package: str) -> None:
    fixed, advisories = FIXED[package]
    assert package in floors(), f"{package}: no floor in pyproject.toml ({advisories})"
    assert floors()[package] >= Version(fixed), f"{package} < {fixed}: {advisories}"


@pytest.mark.parametrize("package", sorted(FIXED))
def test_the_installed_version_is_past_it_too(package: str) -> None:
    assert Version(version(package)) >= Version(FIXED[package][0])
