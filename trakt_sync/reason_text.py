"""A stored match reason (or a run's message, a network error) as a person reading Chinese
sees it.

The matcher writes its reasons in English and the store keeps them with each play (``--json``
and the logs show them as written, plays stored by older versions too). So the reasons are
translated where shown, phrase by phrase: first the matcher's own templates
(``match_phrases.py``, every reason and evidence line it makes), then the phrases below
(nothing found for a season, network errors, doctor's details, ``config check``).
"""

from __future__ import annotations

import re
from functools import partial

from trakt_sync.i18n import N_, _, is_chinese
from trakt_sync.match_phrases import in_order, pattern
from trakt_sync.show_grammar import GRAMMAR
from trakt_sync.trakt_app import NO_CLIENT_ID

_PHRASES = (
    (
        re.compile(r"no Bangumi subject confirmed for (?P<title>.+?) season (?P<season>\d+)"),
        N_("no Bangumi subject confirmed for {title} season {season}"),
    ),
    (
        re.compile(
            r"no Bangumi subject for (?P<tmdb>TMDB tv/\d+) season (?P<season>\d+) in "
            r"bangumi-data"
        ),
        N_("no Bangumi subject for {tmdb} season {season} in bangumi-data"),
    ),
    (
        re.compile(r" \(TMDB id not in bangumi-data; searched (?P<searched>.*?)\)(?=[:;]|$)"),
        N_(" (TMDB id not in bangumi-data; searched {searched})"),
    ),
    (re.compile(r" from the id table(?=[:;]|$)"), N_(" from the id table")),
    (
        re.compile(r": no candidate could be confirmed \(see candidates\)"),
        N_(": no candidate could be confirmed (see candidates)"),
    ),
    (
        re.compile(
            r"^(?P<episode>S\d+E\d+) lies outside the Bangumi subjects found for this "
            r"season and no sequel or prequel fits it"
        ),
        N_(
            "{episode} lies outside the Bangumi subjects found for this season and no sequel "
            "or prequel fits it"
        ),
    ),
    (re.compile(r"; add one with (?P<command>`[^`]*`)$"), N_("; add one with {command}")),
    # Why a service could not be reached (netproblems.py, httpclient.py).
    (re.compile(r"connection refused by (?P<host>[\w.:-]+)"), N_("connection refused by {host}")),
    (re.compile(r"DNS lookup of (?P<host>[\w.:-]+) failed"), N_("DNS lookup of {host} failed")),
    (re.compile(r"connect timeout to (?P<host>[\w.:-]+)"), N_("connect timeout to {host}")),
    (
        re.compile(r"(?P<host>[\w.:-]+) did not answer in time \(read timeout\)"),
        N_("{host} did not answer in time (read timeout)"),
    ),
    (re.compile(r" after (?P<count>\d+) tr(?:y|ies)\b"), N_(" after {count} tries")),
    (
        re.compile(
            r"; gave up after waiting (?P<spent>\d+s) for retries \(http\.retry_budget is "
            r"(?P<budget>\d+s)\)"
        ),
        N_("; gave up after waiting {spent} for retries (http.retry_budget is {budget})"),
    ),
    (re.compile(r"; try again later$"), N_("; try again later")),
    # doctor's details (doctor.py).
    (
        re.compile(
            r"^no file at (?P<path>.+) \(defaults and environment\): valid, profile "
            r"(?P<profile>\S+)$"
        ),
        N_("no file at {path} (defaults and environment): valid, profile {profile}"),
    ),
    (
        re.compile(r"^(?P<path>.+): valid, profile (?P<profile>\S+)$"),
        N_("{path}: valid, profile {profile}"),
    ),
    (
        re.compile(r"^(?P<path>.+): mode (?P<mode>\d+), others may read it \(0700\)$"),
        N_("{path}: mode {mode}, others may read it (0700)"),
    ),
    (
        re.compile(r"^(?P<path>.+): writable, mode (?P<mode>\d+)$"),
        N_("{path}: writable, mode {mode}"),
    ),
    (
        re.compile(r"^not used: secrets\.backend = file \((?P<path>.+)\)$"),
        N_("not used: secrets.backend = file ({path})"),
    ),
    (
        re.compile(r"^(?P<host>\S+) answered in (?P<ms>\d+) ms"),
        N_("{host} answered in {ms} ms"),
    ),
    (re.compile(r" through the proxy (?P<proxy>\S+)$"), N_(" through the proxy {proxy}")),
    (re.compile(r"^cannot reach it: "), N_("cannot reach it: ")),
    (
        re.compile(r"^accepted, logged in as (?P<user>.+) \(tokens in (?P<backend>\w+)\)$"),
        N_("accepted, logged in as {user} (tokens in {backend})"),
    ),
    (
        re.compile(r"^accepted, user (?P<user>.+) \(token stored in the (?P<backend>\w+)\)$"),
        N_("accepted, user {user} (token stored in the {backend})"),
    ),
    (
        re.compile(r"^not running \(no heartbeat\); cron or a timer may sync instead$"),
        N_("not running (no heartbeat); cron or a timer may sync instead"),
    ),
    (
        re.compile(r"^running, last heartbeat (?P<at>.+)$"),
        N_("running, last heartbeat {at}"),
    ),
    (re.compile(r"^not logged in: run "), N_("not logged in: run ")),
    (
        re.compile(r"^not checked: (?P<service>.+) did not answer$"),
        N_("not checked: {service} did not answer"),
    ),
    (re.compile(r"^the configuration is not valid$"), N_("the configuration is not valid")),
    # explain's path lines and why a candidate was turned down (matching/explain.py, segments.py).
    (re.compile(r"^nothing confirmed: "), N_("nothing confirmed: ")),
    (re.compile(r"no candidate$"), N_("no candidate")),
    (
        re.compile(r"(?P<count>\d+) candidate\(s\), none confirmed by air dates"),
        N_("{count} candidate(s), none confirmed by air dates"),
    ),
    (re.compile(r"(?P<count>\d+) candidate\(s\)$"), N_("{count} candidate(s)")),
    (
        re.compile(r"(?P<count>\d+) episode\(s\) left unmatched"),
        N_("{count} episode(s) left unmatched"),
    ),
    (
        re.compile(r"^your overrides settle every episode$"),
        N_("your overrides settle every episode"),
    ),
    (
        re.compile(r"^skipped: out of scope, nothing was looked up$"),
        N_("skipped: out of scope, nothing was looked up"),
    ),
    (
        re.compile(r"^confidence (?P<score>[\d.]+) < (?P<least>[\d.]+)$"),
        N_("confidence {score} < {least}"),
    ),
    (
        re.compile(
            r"^air date disagrees: Trakt (?P<trakt>\S+) / Bangumi (?P<bangumi>\S+) "
            r"\(JST broadcast day\)$"
        ),
        N_("air date disagrees: Trakt {trakt} / Bangumi {bangumi} (JST broadcast day)"),
    ),
    # config check's problems and warnings (config_report.py, scheduler.py).
    (re.compile(re.escape(NO_CLIENT_ID)), NO_CLIENT_ID),
    (re.compile(r"; `auth` and `sync` need it$"), N_("; `auth` and `sync` need it")),
    (
        re.compile(
            r"^(?P<path>.+): valid, but (?P<count>\d+) problem\(s\) would stop `auth` or `sync`$"
        ),
        N_("{path}: valid, but {count} problem(s) would stop `auth` or `sync`"),
    ),
    (
        re.compile(
            r"(?P<schedule>'[^']*') fires every second for a whole minute: croniter reads the "
            r"sixth field as seconds, after the day of the week \(most cron tools put seconds "
            r"first\); to fire once in each such minute write (?P<once>'[^']*') or make the "
            r"sixth field 0"
        ),
        N_(
            "{schedule} fires every second for a whole minute: croniter reads the sixth field "
            "as seconds, after the day of the week (most cron tools put seconds first); to fire "
            "once in each such minute write {once} or make the sixth field 0"
        ),
    ),
)


# Messages of the rest of the program that carry parts of others (token stores, notices),
# as templates like the matcher's.
_TEMPLATES = (
    N_("the OS keyring (service {quoted}, entry {quoted2})"),
    N_(" (profile {quoted}, {kind})"),
    N_("another trakt-sync process is writing {path}"),
    N_(
        "OS keyring unavailable ({why}); storing tokens in {path} (mode 0600) from now on — set "
        'secrets.backend = "keyring" to insist'
    ),
    N_("{path} holds {secrets} and others can read it (mode {mode}); run {command}"),
    N_("no usable keyring backend ({name})"),
    N_("the keyring package cannot be imported ({error})"),
    N_("the keyring failed a test read ({error})"),
    N_("the keyring did not answer within {seconds}s (locked?)"),
    N_("another trakt-sync process has been refreshing the Trakt token for long"),
    N_("the OS keyring failed to read {where}"),
    N_("the OS keyring failed to store {where}"),
    N_("the OS keyring failed to delete {where}"),
    N_("run {command}"),
    GRAMMAR,  # the forms that name a show or a film
)
_IN_ORDER = in_order(_TEMPLATES)


def shown_reason(reason: str) -> str:
    """``reason`` in the language spoken: as stored in English, its known phrases translated
    in Chinese."""
    if not is_chinese() or not reason:
        return reason
    for template in _IN_ORDER:
        reason = pattern(template).sub(partial(_phrase, _(template)), reason)
    for found, template in _PHRASES:
        reason = found.sub(partial(_phrase, _(template)), reason)
    return reason


def _phrase(template: str, found: re.Match[str]) -> str:
    return template.format(**found.groupdict())
