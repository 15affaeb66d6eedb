"""Install the built wheel into a clean venv outside the work tree and run it there.

A file the package needs at run time (a JSON schema, a sandbox world, the config template,
the web page's templates) but that ``pyproject.toml``'s package data forgets would pass every
test run from the work tree; here it fails. The wheel's dependencies are installed at the
versions of ``uv.lock`` (CONSTRAINTS, exported by ``make dist``).
Usage: ``python .ci/check_wheel.py DIST_DIR [CONSTRAINTS]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("$ " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, text=True, capture_output=True, check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode:
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        raise SystemExit(f"check_wheel: {' '.join(cmd)} exited {done.returncode}")
    return done


def data_files() -> list[Path]:
    """Every file of the package in the work tree that is not Python source (schemas, worlds,
    templates, static files, message catalogs), relative to ``trakt_sync/``: the tracked ones,
    and the ``.mo`` the build compiles from each ``.po``."""
    root = Path(__file__).resolve().parents[1]
    tracked = subprocess.run(
        ["git", "ls-files", "trakt_sync"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    files = {Path(name).relative_to("trakt_sync") for name in tracked}
    files |= {f.with_suffix(".mo") for f in files if f.suffix == ".po"}
    return sorted(f for f in files if f.suffix not in {".py", ".pyc"})


def main(dist: Path, constraints: Path | None) -> int:
    wheels = sorted(dist.glob("trakt_sync-*.whl"))
    sdists = sorted(dist.glob("trakt_sync-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise SystemExit(f"check_wheel: expected one wheel and one sdist in {dist}")
    with tempfile.TemporaryDirectory(prefix="trakt-sync-wheel-") as tmp:
        root = Path(tmp)
        venv.create(root / "venv", with_pip=True)
        python = str(root / "venv" / "bin" / "python")
        cli = str(root / "venv" / "bin" / "trakt-sync")
        pinned = ["-c", str(constraints.resolve())] if constraints else []
        run([python, "-m", "pip", "install", "-q", *pinned, str(wheels[0].resolve())])
        # Nothing of the work tree on the path: run from the temp dir with a clean env.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAKT_SYNC_", "PYTHON"))}
        env["TRAKT_SYNC_HOME"] = str(root / "home")
        env["TRAKT_SYNC_SECRETS__BACKEND"] = "file"
        # `config check` wants what `auth` needs; the package carries no public client id.
        env["TRAKT_SYNC_TRAKT__CLIENT_ID"] = "wheel-check-client-id"
        where = run(
            [python, "-c", "import trakt_sync; print(trakt_sync.__file__)"], cwd=tmp, env=env
        )
        if not where.stdout.strip().startswith(str(root)):
            raise SystemExit(f"check_wheel: imported {where.stdout.strip()}, not the wheel")
        installed = Path(where.stdout.strip()).parent
        missing = [str(f) for f in data_files() if not (installed / f).is_file()]
        if missing:
            raise SystemExit(f"check_wheel: the wheel lacks package data: {missing}")
        print(run([cli, "--version"], cwd=tmp, env=env).stdout.strip())
        run([cli, "config", "init"], cwd=tmp, env=env)
        print(run([cli, "config", "check"], cwd=tmp, env=env).stdout.strip()[:400])
        demo = run([python, "-m", "trakt_sync.demo"], cwd=tmp, env=env)
        print(f"demo from the installed wheel: exit 0, {len(demo.stdout.splitlines())} lines")
    print(f"check_wheel: {wheels[0].name} and {sdists[0].name} install and run")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    raise SystemExit(
        main(Path(args[0] if args else "dist"), Path(args[1]) if len(args) > 1 else None)
    )
