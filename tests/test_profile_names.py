"""Issue 26.6: a profile's name becomes a file name, so only [A-Za-z0-9_-]+ is accepted."""

from pathlib import Path

import pytest

BAD_NAMES = ["../x", "a/b", "..", "x y", "ü", ""]


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.mark.parametrize("name", ["../x", "a/b", "x.y"])
def test_a_backup_naming_a_path_as_profile_is_refused_and_nothing_written(
    cli, tmp_path: Path, isolated_env: Path, name: str
) -> None:
    config = isolated_env / "config.toml"
    config.write_text('[sync]\nschedule = "0 1 * * *"\n', encoding="utf-8")
    backup = tmp_path / "evil.toml"
    backup.write_text(
        f'version = 1\n[settings.profiles."{name}".sync]\nschedule = "0 2 * * *"\n'
        f'[[profiles."{name}".overrides]]\nshow = "trakt:1"\nsubject_id = 2\n',
        encoding="utf-8",
    )
    before = files_under(tmp_path)
    result = cli("import", "--yes", str(backup))
    assert result.code == 78, result.out + result.err
    assert "not a valid profile name" in result.err
    assert files_under(tmp_path) == before
    assert not (tmp_path / "x.sqlite3").exists()
    assert config.read_text() == '[sync]\nschedule = "0 1 * * *"\n'


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_config_file_with_such_a_profile_is_refused(cli, isolated_env: Path, name: str) -> None:
    (isolated_env / "config.toml").write_text(
        f'[profiles."{name}".sync]\nschedule = "0 2 * * *"\n', encoding="utf-8"
    )
    result = cli("config", "check")
    assert result.code == 78 and "not a valid profile name" in result.err


@pytest.mark.parametrize("name", ["../x", "a/b", ".."])
def test_the_profile_option_and_variable_are_checked(
    cli, isolated_env: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    result = cli("-p", name, "map", "add", "--offline", "trakt:1", "2")
    assert result.code == 78 and "--profile" in result.err
    monkeypatch.setenv("TRAKT_SYNC_PROFILE", name)
    assert cli("status").code == 78
    assert not (isolated_env.parent / "x.sqlite3").exists()
    assert not list(isolated_env.rglob("*.sqlite3"))


def test_ordinary_names_still_work(cli, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text("[profiles.Partner_2-b.sync]\n", encoding="utf-8")
    assert cli("-p", "Partner_2-b", "map", "add", "--offline", "trakt:1", "2").code == 0
