"""Issue 26.9: `map import` of a badly shaped file is a configuration error (78)."""

from pathlib import Path

import pytest

BAD = [
    ("list.json", '[{"show": "trakt:1", "subject_id": 2}]', "a list of tables"),
    ("entries.json", '{"overrides": ["trakt:1", 2]}', "a list of tables"),
    ("entries.toml", 'overrides = "trakt:1"\n', "a list of tables"),
    ("string.json", '"overrides"', "a list of tables"),
    ("ignore.json", '{"overrides": [{"show": "trakt:1", "ignore": "false"}]}', "true or false"),
    ("ignore.toml", '[[overrides]]\nshow = "trakt:1"\nignore = 1\n', "true or false"),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD)
def test_a_badly_shaped_overrides_file_exits_78_naming_the_problem(
    cli, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = cli("map", "import", str(path))
    assert result.code == 78, result.err
    assert expected in result.err and "unexpected" not in result.err
    assert cli("map", "list", "--json").out.strip() == "[]"


def test_ignore_true_still_imports(cli, tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text('{"overrides": [{"show": "trakt:1", "ignore": true}]}', encoding="utf-8")
    assert cli("map", "import", str(path)).code == 0
    assert '"ignore": true' in cli("map", "list", "--json").out
