"""Configuration: precedence, profiles, and every error path → exit 78 with one clear line."""

from pathlib import Path

import pytest

from trakt_sync.config import load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml")
    assert settings.trakt.api_url == "https://api.trakt.tv"
    assert settings.trakt.auth_url == "https://auth.trakt.tv"
    assert settings.bangumi.api_url == "https://api.bgm.tv"
    assert settings.sync.schedule == "0 */6 * * *"


def test_precedence_flags_over_env_over_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "c.toml", '[trakt]\nclient_id = "file"\napi_url = "http://file.test"\n')
    assert load_settings(path).trakt.client_id == "file"
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "env")
    settings = load_settings(path)
    assert settings.trakt.client_id == "env"
    assert settings.trakt.api_url == "http://file.test"
    flagged = load_settings(path, overrides={"trakt": {"client_id": "flag"}})
    assert flagged.trakt.client_id == "flag"


def test_profile_overrides_top_level_sections(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        '[bangumi]\nuser_agent = "me/trakt-sync"\n'
        '[profiles.partner.bangumi]\napi_url = "http://partner.test"\n',
    )
    partner = load_settings(path, "partner")
    assert partner.bangumi.api_url == "http://partner.test"
    assert partner.bangumi.user_agent == "me/trakt-sync"
    assert load_settings(path).bangumi.api_url == "https://api.bgm.tv"


def test_the_example_file_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parents[1] / "config.example.toml"
    load_settings(example)
    text = example.read_text()
    from trakt_sync.config import Settings

    for section, model in Settings.model_fields.items():
        assert f"[{section}]" in text
        for key in model.annotation.model_fields:  # type: ignore[union-attr]
            assert key in text, f"{section}.{key} is not documented"


BAD = [
    ("[trakt\n", "invalid TOML"),
    ('[trakt]\nclientid = "x"\n', "trakt.clientid: unknown key"),
    ('[traktt]\nclient_id = "x"\n', "traktt: unknown section"),
    ('[bangumi]\napi_url = "api.bgm.tv"\n', "bangumi.api_url: not an http(s) URL"),
    ('[sync]\nschedule = "every hour"\n', "sync.schedule: invalid cron expression"),
    ('[sync]\nschedule = "61 * * * *"\n', "sync.schedule: invalid cron expression"),
    ('[sync]\ntimezone = "Mars/Olympus"\n', "sync.timezone: unknown IANA time zone"),
    ('[secrets]\nbackend = "vault"\n', "secrets.backend"),
    ('[matching]\nrefresh_interval = "soon"\n', "matching.refresh_interval"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_config_errors_exit_78_naming_file_key_and_reason(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_SECRETS__BACKEND")  # the env would win over the file
    path = write(tmp_path / "config.toml", text)
    result = cli("status")
    assert result.code == 78
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.err


def test_bad_env_value_names_the_variable(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "not cron")
    result = cli("status")
    assert result.code == 78
    assert "TRAKT_SYNC_SYNC__SCHEDULE" in result.err and "sync.schedule" in result.err


def test_unknown_profile_exits_78(cli) -> None:
    result = cli("--profile", "nobody", "status")
    assert result.code == 78 and "unknown profile 'nobody'" in result.err


def test_config_init_writes_example_and_refuses_to_overwrite(cli, tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    assert cli("config", "init").code == 0
    assert "[trakt]" in target.read_text()
    again = cli("config", "init")
    assert again.code == 78 and "--force" in again.err
    assert cli("config", "init", "--force").code == 0


def test_config_path_follows_flag_then_env(cli, tmp_path: Path) -> None:
    assert cli("config", "path").out.strip() == str(tmp_path / "config.toml")
    other = tmp_path / "other.toml"
    assert cli("--config", str(other), "config", "path").out.strip() == str(other)


def test_config_show_redacts_secrets(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path / "config.toml", '[trakt]\nclient_id = "cid"\nclient_secret = "s3cret-value-123"\n'
    )
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__TOKEN", "bgm-token-value-456")
    for args in (("config", "show"), ("config", "show", "--json")):
        result = cli(*args)
        assert result.code == 0
        assert "s3cret-value-123" not in result.out + result.err
        assert "bgm-token-value-456" not in result.out + result.err
        assert "cid" in result.out
