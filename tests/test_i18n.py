"""Simplified Chinese: every marked message has a translation, and the language follows
``LANG``/``LC_MESSAGES``/``ui.language`` while ``--json`` and exit codes never change."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from trakt_sync import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "trakt_sync" / "locale" / "zh" / "LC_MESSAGES" / "trakt_sync.po"
KEYWORDS = {"_": None, "N_": None, "say": None, "ngettext": (1, 2)}


def marked_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "trakt_sync"),
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    ):
        if isinstance(message, tuple):
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


def catalog():
    with PO.open("rb") as source:
        return read_po(source, locale="zh_Hans")


def fields(text: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return names | set(re.findall(r"%\(\w+\)[sd]|%[sd]", text))


def test_every_marked_message_has_a_chinese_translation() -> None:
    messages = marked_messages()
    assert len(messages) > 20, "the extraction found (almost) nothing: is babel.cfg right?"
    translated = {}
    for entry in catalog():
        if not entry.id:
            continue
        assert not entry.fuzzy, f"fuzzy translation of {entry.id!r}"
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for msgid in ids:
            translated[msgid] = strings
    missing = sorted(m for m in messages if not all(translated.get(m, ("",))))
    assert not missing, f"{len(missing)} message(s) without a zh_Hans translation: {missing[:10]}"


def test_translations_keep_their_placeholders() -> None:
    for entry in catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for translation in strings:
            assert fields(translation) == fields(ids[0]) or fields(translation) == fields(
                ids[-1]
            ), f"{entry.id!r} → {translation!r}: placeholders differ"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, i18n.CHINESE),
        ({"LANG": "C"}, i18n.ENGLISH),
        ({"LANG": "C.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, i18n.CHINESE),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, i18n.ENGLISH),
        ({"LANG": "zh_CN.UTF-8", i18n.SETTING_ENV: "en"}, i18n.ENGLISH),
        ({i18n.SETTING_ENV: "zh-Hans"}, i18n.CHINESE),
        ({}, i18n.ENGLISH),
    ],
)
def test_the_language_follows_the_setting_then_the_locale(
    env: dict[str, str], expected: str
) -> None:
    assert i18n.pick_language(environ=env) == expected


def test_the_setting_wins_over_the_environment() -> None:
    assert i18n.pick_language("zh_Hans", {"LANG": "C"}) == i18n.CHINESE
    assert i18n.pick_language("auto", {"LANG": "zh_CN.UTF-8"}) == i18n.CHINESE
