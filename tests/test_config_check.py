"""``trakt-sync config check``: the whole file, every profile, each schedule's next fires."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # the night before Europe's clocks go forward


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("trakt_sync.cli.config_cmd.utcnow", lambda: NOW)
    # What `auth` needs; without it a valid file is "not ready" (test_config_round_two).
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "client-id")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_checks_valid(cli) -> None:
    example = Path(__file__).parents[1] / "config.example.toml"
    result = cli("--config", str(example), "config", "check")
    assert result.code == 0, result.err
    assert result.out.startswith(f"{example}: valid (profiles: default)")


def test_every_profile_with_its_next_five_fires_in_its_zone(cli, tmp_path: Path) -> None:
    write(
        tmp_path / "home" / "config.toml",
        '[trakt]\nclient_id = "cid"\n'
        '[sync]\nschedule = "0 3 * * *"\ntimezone = "Europe/Berlin"\n'
        '[profiles.partner.sync]\nschedule = "30 */12 * * *"\ntimezone = "Asia/Tokyo"\n',
    )
    result = cli("config", "check")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"{tmp_path / 'home' / 'config.toml'}: valid (profiles: default, partner)"
    assert lines[1] == "profile default: sync.schedule '0 3 * * *' (Europe/Berlin)"
    # 03:00 local time on both sides of the spring-forward night.
    assert lines[2].startswith("  Sun 2026-03-29 03:00 CEST")
    assert lines[3].startswith("  Mon 2026-03-30 03:00 CEST")
    assert lines[6].startswith("  Thu 2026-04-02 03:00 CEST")
    assert lines[7] == "profile partner: sync.schedule '30 */12 * * *' (Asia/Tokyo)"
    assert lines[8].startswith("  Sun 2026-03-29 12:30 JST")
    assert len(lines) == 13 and "warning" not in result.out

    data = json.loads(cli("config", "check", "--json").out)
    assert data["valid"] is True and data["exit_code"] == 0 and data["error"] is None
    partner = data["profiles"][1]
    assert partner["name"] == "partner" and partner["timezone"] == "Asia/Tokyo"
    assert partner["next_fires"][:2] == ["2026-03-29T12:30:00+09:00", "2026-03-30T00:30:00+09:00"]
    assert len(partner["next_fires"]) == 5 and partner["warnings"] == []


def test_six_fields_with_every_second_warn(cli, tmp_path: Path) -> None:
    write(
        tmp_path / "home" / "config.toml", '[sync]\nschedule = "*/2 * * * * *"\ntimezone = "UTC"\n'
    )
    result = cli("config", "check")
    assert result.code == 0
    assert "warning: sync.schedule: '*/2 * * * * *' fires every second for a whole minute" in (
        result.out
    )
    assert "Sat 2026-03-28 22:30:01 UTC" in result.out  # six fields: seconds shown
    data = json.loads(cli("config", "check", "--json").out)
    assert "croniter reads the sixth field as seconds" in data["profiles"][0]["warnings"][0]
    # Seconds pinned: once a minute, no warning.
    write(
        tmp_path / "home" / "config.toml",
        '[trakt]\nclient_id = "cid"\n[sync]\nschedule = "*/2 * * * * 0"\n',
    )
    assert "warning" not in cli("config", "check").out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[profiles.work.sync]\nschedul = "0 3 * * *"\n',
            "profiles.work.sync.schedul: unknown key",
        ),
        ('[sync]\nschedule = "0 0 31 2 *"\n', "sync.schedule: never fires"),
        (b"[sync]\nschedule = '\xe9'\n", "not UTF-8"),
    ],
)
def test_an_invalid_file_is_78_and_one_json_document(
    cli, tmp_path: Path, text: str | bytes, expected: str
) -> None:
    path = tmp_path / "home" / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        write(path, text)
    result = cli("config", "check")
    assert result.code == 78 and result.out == ""
    assert expected in result.err and str(path) in result.err
    result = cli("config", "check", "--json")
    assert result.code == 78
    data = json.loads(result.out)
    assert data["valid"] is False and data["exit_code"] == 78 and data["profiles"] == []
    assert expected in data["error"] and str(path) in data["error"]


def test_a_named_file_that_does_not_exist_is_78(cli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = cli("config", "check", "--json", "--config", str(missing))
    assert result.code == 78
    data = json.loads(result.out)
    assert data["file"] == str(missing) and data["file_exists"] is False
    assert "does not exist" in data["error"]


def test_no_file_at_the_usual_place_checks_defaults(cli, tmp_path: Path) -> None:
    result = cli("config", "check")
    assert result.code == 0
    assert result.out.startswith(f"no file at {tmp_path / 'home' / 'config.toml'}: valid")


def test_a_file_named_by_the_environment_must_exist(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_CONFIG", str(tmp_path / "nowhere.toml"))
    result = cli("config", "check")
    assert result.code == 78 and "does not exist" in result.err


def test_help_shows_whole_sentences_and_examples(cli) -> None:
    root = cli("--help").out
    commands = root.split("Commands:")[1].split("Examples:")[0]
    assert "..." not in commands and "config check" in root.split("Examples:")[1]
    assert all(len(line) <= 80 for line in root.splitlines()), root
    assert "..." not in cli("config", "--help").out.split("Commands:")[1]
    for command in ("init", "show", "path", "check"):
        assert "Example:" in cli("config", command, "--help").out, command


def test_the_system_zone_keeps_its_dst_rules(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # No sync.timezone: the fires follow the system's zone across the spring-forward
    # night, not the offset in force when the command runs.
    monkeypatch.setenv("TZ", "Europe/Berlin")
    result = cli("config", "check")
    assert result.code == 0
    lines = result.out.splitlines()
    assert (
        lines[1] == "profile default: sync.schedule '0 */6 * * *' (system time zone Europe/Berlin)"
    )
    assert [line[:30] for line in lines[2:4]] == [
        "  Sun 2026-03-29 00:00 CET  in",
        "  Sun 2026-03-29 06:00 CEST  i",
    ]
    data = json.loads(cli("config", "check", "--json").out)
    assert data["profiles"][0]["next_fires"][1] == "2026-03-29T06:00:00+02:00"
