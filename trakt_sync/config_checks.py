"""Checks of the config file beyond the settings model: TOML types taken strictly, secrets
in a file others can read, and what ``auth`` and ``sync`` need that a valid file may lack."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trakt_sync.errors import ConfigError
from trakt_sync.paths import check_profile_name

if TYPE_CHECKING:
    from pydantic import BaseModel


# Durations are written "15m" or as seconds, so a string is right for these.
_DURATIONS = {
    ("sync", "history_overlap"),
    ("matching", "refresh_interval"),
    ("http", "retry_budget"),
}
_TOML_TYPES: dict[type, tuple[type, ...]] = {bool: (bool,), int: (int,), float: (int, float)}
_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number"}


def _sections() -> dict[str, type[BaseModel]]:
    from trakt_sync.config_sections import Settings

    return {name: field.annotation for name, field in Settings.model_fields.items()}  # type: ignore[misc]


def _converted(model: type[BaseModel]) -> set[str]:
    """Fields a before-validator converts (durations: ``"15m"`` or seconds), so a string
    is right for them."""
    validators = model.__pydantic_decorators__.field_validators.values()
    return {name for v in validators if v.info.mode == "before" for name in v.info.fields}


def type_problems(raw: dict[str, Any]) -> list[str]:
    """Values of the wrong TOML type (``complete_subjects = "yes"``, ``page_limit = "100"``):
    the file has real booleans and numbers, so a quoted one is a mistake, not a spelling.
    Environment variables are strings by nature and are not checked here."""
    problems: list[str] = []
    scopes = [("", raw)] + [
        (f"profiles.{name}.", body)
        for name, body in (raw.get("profiles") or {}).items()
        if isinstance(body, dict)
    ]
    sections = _sections()
    for prefix, data in scopes:
        for section, model in sections.items():
            values = data.get(section)
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                field = model.model_fields.get(key)
                wanted = _TOML_TYPES.get(field.annotation) if field is not None else None  # type: ignore[arg-type]
                if wanted is None or key in _converted(model):
                    continue
                if isinstance(value, bool) and bool not in wanted or not isinstance(value, wanted):
                    problems.append(
                        f"{prefix}{section}.{key}: must be {_TYPE_NAMES[field.annotation]}, "  # type: ignore[union-attr,index]
                        f"not {_toml_repr(value)}"
                    )
    return problems


def _toml_repr(value: Any) -> str:
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _unknown_section(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{key}: unknown section ({hint}known: {', '.join(known)})"


def shape_problems(data: dict[str, Any], sections: tuple[str, ...]) -> list[str]:
    """Sections and profiles that are not there to be validated by the settings model."""
    problems = [
        _unknown_section(key, (*sections, "profiles"))
        for key in data
        if key not in (*sections, "profiles")
    ]
    profiles = data.get("profiles") or {}
    if not isinstance(profiles, dict):
        return [*problems, "profiles: must be a table of [profiles.<name>] sections"]
    for name, body in profiles.items():
        try:
            check_profile_name(name, "profiles")
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if not isinstance(body, dict):
            problems.append(f"profiles.{name}: must be a table of sections")
            continue
        problems += [
            f"profiles.{name}.{_unknown_section(key, sections)}"
            for key in body
            if key not in sections
        ]
    return problems


def config_error(path: Path, problems: list[str]) -> ConfigError:
    """One error for every problem found, each on its own line after the first."""
    if len(problems) == 1:
        return ConfigError(
            problems[0] if problems[0].startswith("environment") else f"{path}: {problems[0]}"
        )
    lines = [f"{path}: {len(problems)} problems:"]
    lines += [f"  {problem}" for problem in problems]
    return ConfigError("\n".join(lines))


def unknown_key(section: str, key: str) -> str:
    """``unknown key (did you mean page_limit?)`` for a key not in ``section``."""
    model = _sections().get(section)
    known = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(key, known, n=1)
    return f"unknown key (did you mean {close[0]}?)" if close else "unknown key"


class ProfileProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def describe_error(error: Any, profile: str, raw: dict[str, Any]) -> str:
    """``sync.page_limit: reason``, or ``environment variable X: key: reason`` when the value
    came from the environment."""
    from trakt_sync.config_sections import ENV_PREFIX

    loc = tuple(error["loc"])
    key = ".".join(str(part) for part in loc)
    reason = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden" and len(loc) == 2:
        reason = unknown_key(str(loc[0]), str(loc[1]))
    env_name = ENV_PREFIX + "__".join(str(part) for part in loc).upper()
    # The env var wins over the file, as in loading.
    if env_name in os.environ:
        return f"environment variable {env_name}: {key}: {reason}"
    profile_raw = (raw.get("profiles") or {}).get(profile, {})
    if in_data(loc, profile_raw):
        key = f"profiles.{profile}.{key}"
    return f"{key}: {reason}"


def in_data(loc: tuple[Any, ...], data: Any) -> bool:
    """Whether the key path ``loc`` is set in ``data`` (the file's, or a profile's)."""
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True
