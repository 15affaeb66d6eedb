"""The forms that name a show or a film on the command line, as help and errors list them
(parsed by :mod:`trakt_sync.show_key`; here, without it, so that ``reason_text`` can
translate the list where an error shows it)."""

from trakt_sync.i18n import N_

GRAMMAR = N_(
    "trakt:ID, a Trakt id, a slug, a trakt.tv URL, tmdb:ID, or for a film movie:trakt:ID, "
    "movie:SLUG or movie:tmdb:ID"
)
