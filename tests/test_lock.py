"""The environment is the locked set: ``make install`` runs ``uv sync --frozen`` from uv.lock."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {canonical(p["name"]): p["version"] for p in lock["package"] if "version" in p}


def installed_versions() -> dict[str, str]:
    return {
        canonical(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"]
    }


def test_every_installed_dependency_has_its_locked_version() -> None:
    locked = locked_versions()
    installed = installed_versions()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    for requirement in wanted:
        name = canonical(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not in uv.lock: run `make lock`"
        assert installed.get(name) == locked[name], (
            f"{name}: installed {installed.get(name)}, locked {locked[name]} — run `make install`"
        )
    # And everything else the lock pulls in (transitive dependencies) that is installed.
    drift = {
        name: (installed[name], version)
        for name, version in locked.items()
        if name in installed and name != "trakt-sync" and installed[name] != version
    }
    assert not drift, f"installed differs from uv.lock (installed, locked): {drift}"


def test_lock_is_for_this_project() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert lock["requires-python"] == project["requires-python"]
    assert any(p["name"] == "trakt-sync" for p in lock["package"])
