"""The language of messages meant for a person: English, or Simplified Chinese.

Messages are marked with ``_()`` (and ``ngettext`` for counts) and looked up in the gettext
catalog ``trakt_sync/locale/zh/LC_MESSAGES/trakt_sync.mo`` (Simplified Chinese), compiled from
the ``.po`` beside it when the package is built or installed (``make install``, the wheel's
build); Typer's own words ("Usage:", "Options:") are looked up there too
(``cli/click_words.py``). The language comes from ``TRAKT_SYNC_UI__LANGUAGE`` / the
``ui.language`` setting when it is set, else from ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``
(POSIX order); anything that is not Chinese, and a missing catalog, means English. ``--json``
documents, log lines meant for files and exit codes never change with the language: only the
CLI's (and the web page's) words do.

Help texts are read when the CLI module is imported, so they follow the environment only;
a ``ui.language`` in the config file applies to everything printed after the config is read.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

DOMAIN = "trakt_sync"
LOCALE_DIR = Path(__file__).parent / "locale"
ENGLISH = "en"
CHINESE = "zh_Hans"
LANGUAGES = (ENGLISH, CHINESE)
SETTING_ENV = "TRAKT_SYNC_UI__LANGUAGE"

CATALOG_FOLDER = "zh"

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = ENGLISH


def normalise(value: str | None) -> str | None:
    """``zh_CN.UTF-8``, ``zh-Hans``, ``zh`` → ``zh_Hans``; ``C``, ``en_US`` → ``en``; ``auto``,
    empty → None (not decided here)."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    if code in {"", "auto"}:
        return None
    if code.startswith("zh"):
        # Traditional Chinese readers get the Simplified catalog rather than English.
        return CHINESE
    return ENGLISH


def pick_language(setting: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: the setting (or its variable), else the POSIX locale variables."""
    env = os.environ if environ is None else environ
    for value in (setting, env.get(SETTING_ENV)):
        chosen = normalise(value)
        if chosen:
            return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalise(value) or ENGLISH
    return ENGLISH


def use(language: str) -> str:
    """Speak ``language`` from now on; returns the language in effect (English when the
    catalog is missing)."""
    global _translations, _language
    if language == CHINESE:
        try:
            with (LOCALE_DIR / CATALOG_FOLDER / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as mo:
                _translations = _gettext.GNUTranslations(mo)
        except OSError:
            pass
        else:
            _language = CHINESE
            return _language
    _translations = _gettext.NullTranslations()
    _language = ENGLISH
    return _language


def language() -> str:
    return _language


def is_chinese() -> bool:
    return _language == CHINESE


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table, a constant) and translated
    later, where it is shown, with ``_(message)``."""
    return message


use(pick_language())


def english(message: str) -> str:
    """The message as written: for text that goes to ``--json`` or a log file."""
    return message


def listed(items: Iterable[str]) -> str:
    """Items in a line of text: ``a, b`` in English, ``a、b`` (the enumeration comma) in
    Chinese."""
    return ("、" if _language == CHINESE else ", ").join(items)


def subject_name(name: str, name_cn: str) -> str:
    """A Bangumi subject's name as shown: the Chinese name (``name_cn``) to a person reading
    Chinese, the original (usually Japanese) otherwise; whichever there is when one is empty."""
    if _language == CHINESE:
        return name_cn or name
    return name or name_cn
