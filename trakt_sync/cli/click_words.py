"""Typer's own words in our help and usage errors, where it asks gettext for them.

Typer (its vendored Click) looks them up through the process-wide gettext domain, which
``trakt_sync.i18n`` points at our catalog when it speaks Chinese; listing them here keeps them
in that catalog (``make messages`` extracts ``N_`` strings). Its other words ("Usage:",
"Error:") are fixed English in Typer. Nothing imports this list at run time.
"""

from trakt_sync.i18n import N_

WORDS = (
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Aborted!"),
)
