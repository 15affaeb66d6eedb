"""The least a no-op `sync` can cost with the project's fixed dependencies (`make bench-perf`).

A bare Typer app with a ``sync`` command that does only what any no-op sync must: validate
settings with pydantic-settings (environment and the TOML file), read the Trakt token,
open the SQLite file, ask Trakt's ``/sync/last_activities`` with httpx, record the run and
commit. Nothing of trakt_sync is imported. ``bench/perf.py`` runs it beside the real no-op
sync against the same fakes, so the table shows how far above this floor trakt-sync is.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(add_completion=False)


@app.command()
def status() -> None:
    """A second command, so that ``sync`` is parsed as a command name as in trakt-sync."""


@app.command()
def sync(dry_run: bool = False, full: bool = False, since: str | None = None) -> None:
    import json
    import os
    import sqlite3
    import tomllib

    import httpx
    from pydantic import BaseModel
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Trakt(BaseModel):
        client_id: str = ""
        api_url: str = "https://api.trakt.tv"

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="TRAKT_SYNC_", env_nested_delimiter="__")
        trakt: Trakt = Trakt()

    home = Path(os.environ["TRAKT_SYNC_HOME"])
    config = home / "config.toml"
    settings = Settings(**(tomllib.loads(config.read_text()) if config.exists() else {}))
    token = json.loads((home / "tokens.json").read_text())["profiles"]["default"]["trakt"]
    db = sqlite3.connect(home / "floor.sqlite3")
    db.execute("CREATE TABLE IF NOT EXISTS runs (started_at TEXT, activities TEXT)")
    with httpx.Client(base_url=settings.trakt.api_url, timeout=30) as client:
        response = client.get(
            "/sync/last_activities",
            headers={
                "trakt-api-version": "2",
                "trakt-api-key": settings.trakt.client_id,
                "Authorization": f"Bearer {token['access_token']}",
            },
        )
    response.raise_for_status()
    with db:
        db.execute("INSERT INTO runs VALUES (datetime('now'), ?)", (response.text,))
    db.close()


if __name__ == "__main__":
    app()
