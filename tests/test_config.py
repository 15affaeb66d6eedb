"""Configuration: precedence, profiles, and every error path → exit 78 with one clear line."""

import os
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
    path = write(
        tmp_path / "c.toml", '[trakt]\nclient_id = "file"\napi_url = "https://file.test"\n'
    )
    assert load_settings(path).trakt.client_id == "file"
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "env")
    settings = load_settings(path)
    assert settings.trakt.client_id == "env"
    assert settings.trakt.api_url == "https://file.test"
    flagged = load_settings(path, overrides={"trakt": {"client_id": "flag"}})
    assert flagged.trakt.client_id == "flag"


def test_profile_overrides_top_level_sections(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        '[bangumi]\nuser_agent = "me/trakt-sync"\n'
        '[profiles.partner.bangumi]\napi_url = "https://partner.test"\n',
    )
    partner = load_settings(path, "partner")
    assert partner.bangumi.api_url == "https://partner.test"
    assert partner.bangumi.user_agent == "me/trakt-sync"
    assert load_settings(path).bangumi.api_url == "https://api.bgm.tv"


def test_the_example_file_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parents[1] / "config.example.toml"
    load_settings(example)
    text = example.read_text()
    from trakt_sync.config import Settings

    for section, field in Settings.model_fields.items():
        assert f"[{section}]" in text
        model = field.annotation
        assert model is not None
        for key in model.model_fields:
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
    path = write(tmp_path / "home" / "config.toml", text)
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
    target = tmp_path / "home" / "config.toml"
    assert cli("config", "init").code == 0
    assert "[trakt]" in target.read_text()
    again = cli("config", "init")
    assert again.code == 2 and "--force" in again.err  # a usage error (issue 20.15)
    assert cli("config", "init", "--force").code == 0


def test_config_path_follows_flag_then_env(cli, tmp_path: Path) -> None:
    assert cli("config", "path").out.strip() == str(tmp_path / "home" / "config.toml")
    other = tmp_path / "other.toml"
    assert cli("--config", str(other), "config", "path").out.strip() == str(other)


def test_config_show_redacts_secrets(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path / "home" / "config.toml",
        '[trakt]\nclient_id = "cid"\nclient_secret = "s3cret-value-123"\n',
    )
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__TOKEN", "bgm-token-value-456")
    for args in (("config", "show"), ("config", "show", "--json")):
        result = cli(*args)
        assert result.code == 0
        assert "s3cret-value-123" not in result.out + result.err
        assert "bgm-token-value-456" not in result.out + result.err
        assert "cid" in result.out


# Issue 12, bug 2: a schedule that never fires is a config error found when the file loads.
@pytest.mark.parametrize("command", [("status",), ("status", "--check"), ("daemon", "--once")])
def test_a_schedule_that_never_fires_is_a_config_error(
    cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = write(tmp_path / "home" / "config.toml", '[sync]\nschedule = "0 0 31 2 *"\n')
    result = cli(*command)
    assert result.code == 78, result.err
    assert str(path) in result.err and "sync.schedule: never fires" in result.err
    assert "Croniter" not in result.err


def test_a_schedule_that_never_fires_is_refused_by_load_settings(tmp_path: Path) -> None:
    from trakt_sync.errors import ConfigError

    with pytest.raises(ConfigError, match=r"sync\.schedule: never fires"):
        load_settings(write(tmp_path / "c.toml", '[sync]\nschedule = "0 0 30 2 *"\n'))
    # Rare is not never: 29 February comes every four years.
    load_settings(write(tmp_path / "c.toml", '[sync]\nschedule = "0 0 29 2 *"\n'))


# Issue 12, bug 4: the missing key is the one named; issue 18: a secret is not needed.
def test_a_missing_client_id_is_named_and_a_secret_is_not_needed(cli, tmp_path: Path) -> None:
    path = tmp_path / "home" / "config.toml"
    write(path, '[trakt]\nclient_secret = "s3cret-value-123"\n')
    path.chmod(0o600)  # else a warning names the secret others can read (issue 20.4)
    result = cli("auth")
    assert result.code == 78
    assert "trakt.client_id: not set" in result.err
    assert "trakt.client_secret" not in result.err


# Issue 12, bug 5: a file named explicitly must exist; the default path may be absent.
def test_explicit_config_file_that_does_not_exist_is_78(cli, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent.toml"
    for args in (("--config", str(missing), "status"), ("status", "--config", str(missing))):
        result = cli(*args)
        assert result.code == 78, result.err
        assert str(missing) in result.err and "does not exist" in result.err
    # Writing the file there is what `config init` is for; `config path` just names it.
    assert cli("--config", str(missing), "config", "path").code == 0
    assert cli("--config", str(missing), "config", "init").code == 0
    assert cli("--config", str(missing), "status").code == 0


def test_missing_file_at_the_default_location_is_fine(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_HOME")
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):  # never the real home's directories
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / "xdg" / name.lower()))
    expected = tmp_path / "xdg" / "config" / "trakt-sync" / "config.toml"
    assert cli("config", "path").out.strip() == str(expected)
    assert cli("status").code == 0


def test_missing_file_in_trakt_sync_home_is_fine(cli) -> None:
    # The Docker image keeps everything, an optional config.toml too, in TRAKT_SYNC_HOME=/data.
    home = Path(os.environ["TRAKT_SYNC_HOME"])
    assert cli("config", "path").out.strip() == str(home / "config.toml")
    assert cli("status").code == 0


def test_missing_file_named_by_the_environment_is_78(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere" / "config.toml"
    monkeypatch.setenv("TRAKT_SYNC_CONFIG", str(missing))
    result = cli("status")
    assert result.code == 78
    assert str(missing) in result.err and "does not exist" in result.err


# Issue 12, bug 6: a file that is not UTF-8.
def test_non_utf8_config_file_is_78_naming_the_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "home" / "config.toml"
    path.write_bytes('[bangumi]\nuser_agent = "café"\n'.encode("latin-1"))
    result = cli("status")
    assert result.code == 78, result.err
    assert str(path) in result.err and "UTF-8" in result.err
    assert "unexpected error" not in result.err


# Issue 12, bug 15: global options after the command, too.
def test_global_options_are_accepted_after_the_command(cli, tmp_path: Path) -> None:
    write(tmp_path / "other.toml", '[profiles.work.sync]\nschedule = "0 3 * * *"\n')
    result = cli("status", "--json", "-q", "--config", str(tmp_path / "other.toml"), "-p", "work")
    assert result.code == 0, result.err
    assert '"profile": "work"' in result.out and '"schedule": "0 3 * * *"' in result.out
    assert cli("config", "path", f"--config={tmp_path / 'x.toml'}").out.strip() == str(
        tmp_path / "x.toml"
    )
    assert (
        cli("status", "-vv", "--profile=work", "--config", str(tmp_path / "other.toml")).code == 0
    )


def test_hoisting_stops_at_a_double_dash() -> None:
    from trakt_sync.cli.app import hoist_global_options

    assert hoist_global_options(["status", "-q", "--", "-v"]) == ["-q", "status", "--", "-v"]
    assert hoist_global_options(["--config", "sync", "status"]) == ["--config", "sync", "status"]
    assert hoist_global_options(["map", "add", "-pwork", "1"]) == ["-pwork", "map", "add", "1"]


# Issue 12, bug 16: every profile is validated when the file loads, keys with their full path.
PROFILE_BAD = [
    ('[profiles.work.sync]\nschedul = "0 3 * * *"\n', "profiles.work.sync.schedul: unknown key"),
    ('[profiles.work.sync]\nschedule = "0 0 31 2 *"\n', "profiles.work.sync.schedule: never fires"),
    ('[profiles.work.synk]\nschedule = "0 3 * * *"\n', "profiles.work.synk: unknown section"),
    ("[profiles]\nwork = 3\n", "profiles.work: must be a table"),
    ('[profile.work.sync]\nschedule = "0 3 * * *"\n', "did you mean profiles?"),
]


@pytest.mark.parametrize(("text", "expected"), PROFILE_BAD)
def test_every_profile_is_validated_with_its_full_key_path(
    cli, tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path / "home" / "config.toml", text)
    result = cli("status")  # the default profile, not the broken one
    assert result.code == 78, result.err
    assert str(path) in result.err and expected in result.err


def test_unknown_section_lists_profiles_among_the_known(cli, tmp_path: Path) -> None:
    write(tmp_path / "home" / "config.toml", '[profile.x.sync]\nschedule = "0 3 * * *"\n')
    result = cli("status")
    assert "profile: unknown section" in result.err
    known = (
        "known: trakt, bangumi, secrets, sync, matching, http, network, notify, sink, web, "
        "profiles)"
    )
    assert known in result.err
