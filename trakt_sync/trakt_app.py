"""Which Trakt app trakt-sync talks as, and what to say when Trakt no longer accepts it.

Since 2026 a CLI is a public client (api_contracts.md A.1b, A.3.2): it needs a ``client_id``
and nothing secret. A build of trakt-sync may carry its publisher's public client id here,
the way gh carries its OAuth app's id (each user then spends their free account's one
connected-app slot on it); ``trakt.client_id`` in the config overrides it. This repository
carries none.
"""

from __future__ import annotations

from trakt_sync.i18n import N_

PUBLIC_CLIENT_ID = ""  # a publisher's public client id; empty in this repository
APPS_PAGE = "https://app.trakt.tv/settings/apps"

# Marked for the catalog: `config check` shows it translated (reason_text.py).
NO_CLIENT_ID = N_(
    "trakt.client_id: not set, and this build of trakt-sync carries no public client id. "
    "Two ways to get one: set trakt.client_id to a public client id published for "
    "trakt-sync (it takes the one connected community app a free Trakt account may keep), "
    "or create your own API app at https://app.trakt.tv/settings/apps (needs an active "
    "Trakt VIP membership; "
    "redirect URI urn:ietf:wg:oauth:2.0:oob) and set trakt.client_id to its client id. "
    "No client secret is needed. Without either, `trakt-sync sync --from-export PATH` syncs "
    "from Trakt's data export (trakt.tv/settings/data)"
)

NOT_LOGGED_IN = N_(
    "not logged in to Trakt; run `trakt-sync auth` (without Trakt API access, sync from "
    "Trakt's data export: `trakt-sync sync --from-export PATH`)"
)

LOGIN_ENDED = N_(
    "the Trakt login was ended on Trakt's side (Trakt refused the refresh token); on a free "
    "account, connecting another community app can end this one; run `trakt-sync auth` again"
)


def client_id(configured: str) -> str:
    """``trakt.client_id`` if set, else the public client id this build carries."""
    return configured or PUBLIC_CLIENT_ID


def app_unknown(client_id: str, answer: str, *, secret_sent: bool = False) -> str:
    """The words for a removed or unknown app: 403 on API calls, ``invalid_client`` at OAuth."""
    secret = (
        " (or trakt.client_secret does not belong to it: a public client needs none, remove it)"
        if secret_sent
        else ""
    )
    return (
        f"Trakt no longer knows the client id {client_id!r}{secret} ({answer}): since "
        "2026-07-31 API apps need an active Trakt VIP membership, and the apps of free "
        f"accounts were removed. Check or create the app at {APPS_PAGE}, or set "
        "trakt.client_id to a public client id that Trakt still knows"
    )
