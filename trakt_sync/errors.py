"""The one exception hierarchy of trakt-sync.

Every error a user can see derives from :class:`TraktSyncError` and carries the
process exit code it maps to; ``cli.app`` is the single place that turns these
into exit codes and one-line messages.
"""

from __future__ import annotations

from typing import Any, Self

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DATAERR = 65  # sysexits EX_DATAERR: the input file is unusable
EXIT_TEMPFAIL = 75  # sysexits EX_TEMPFAIL: try again later
EXIT_NOPERM = 77  # sysexits EX_NOPERM: run `trakt-sync auth`
EXIT_CONFIG = 78  # sysexits EX_CONFIG: fix the configuration
EXIT_CANCELLED = 130  # 128 + SIGINT: stopped with Ctrl-C, as shells report it


class TraktSyncError(Exception):
    """Base class: ``str(err)`` is a one-line message a user can act on, in English (the
    ``--json`` error documents and log files); :meth:`translated` is the same message in the
    language of the terminal, when the error was raised with :meth:`said`."""

    exit_code = EXIT_FAILED
    template: str | None = None
    params: dict[str, Any] = {}  # noqa: RUF012 (never mutated: said() sets a new dict)

    @classmethod
    def said(cls, template: str, /, **params: Any) -> Self:
        """The error with the message ``template.format(**params)``; ``template`` is marked
        with ``N_`` at the raise site, so that :meth:`translated` finds it in the catalog."""
        error = cls(template.format(**params))
        error.template, error.params = template, params
        return error

    def translated(self) -> str:
        from trakt_sync.reason_text import shown_reason  # its known phrases, if any

        if self.template is None:
            return shown_reason(str(self))
        from trakt_sync.i18n import _

        # A part that is an error of ours or holds a known phrase (reason_text) is said in
        # the same language.
        params = {
            name: value.translated()
            if isinstance(value, TraktSyncError)
            else shown_reason(value)
            if isinstance(value, str)
            else value
            for name, value in self.params.items()
        }
        return _(self.template).format(**params)


class BadArgument(TraktSyncError):
    """An argument names something that is not there: a file, a show (exit 2, usage)."""

    exit_code = EXIT_USAGE


class InvalidValue(BadArgument, ValueError):
    """A value a person gave is not one (exit 2, usage): a ValueError too, for the parsers
    that raise it and the callers that catch one."""


class ConfigError(TraktSyncError):
    """Invalid, unreadable or inconsistent configuration (exit 78)."""

    exit_code = EXIT_CONFIG


class BadInput(TraktSyncError):
    """A file handed to trakt-sync cannot be used (a Trakt export): exit 65, nothing read."""

    exit_code = EXIT_DATAERR


class StateError(TraktSyncError):
    """The state directory or database cannot be used (exit 1)."""


class NeedsAuth(TraktSyncError):
    """A token is missing, expired or rejected: the user must run ``auth`` (exit 77)."""

    exit_code = EXIT_NOPERM


class TryLater(TraktSyncError):
    """A transient condition: service down, rate limited, lock held (exit 75)."""

    exit_code = EXIT_TEMPFAIL


class RateLimited(TryLater):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(TryLater):
    """Transport error, timeout or 5xx that outlived the retry budget."""


class ListReadShort(ServiceUnavailable):
    """A paged Trakt list came short or changed while it was read (an empty page before the
    last, fewer items than counted): nothing may be concluded from its absences."""


class Interrupted(TryLater):
    """A stop was requested (daemon shutdown); the work left stays pending."""


class LockHeld(TryLater):
    """Another sync of the same profile is running."""


class BadData(TraktSyncError):
    """A service's answer (or a data file) has a field the program cannot use — a missing
    key, a wrong type, a null, an odd date: the item it belongs to is left alone with this
    as its reason, and the rest of the run goes on (issue 24).

    ``source`` names where it came from (Trakt, Bangumi, bangumi-data, the id table) and
    ``item`` what it belongs to (a subject, a show)."""

    def __init__(self, source: str, item: str, detail: str) -> None:
        super().__init__(f"{source} sent unreadable data for {item}: {detail}")
        self.source, self.item, self.detail = source, item, detail


class ApiError(TraktSyncError):
    """An HTTP answer the client cannot use (4xx other than auth / not found)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EpisodesNotOfSubject(ApiError):
    """400 "episode X is not episodes of subject Y" (B.8): the episode ids a write was
    planned with are no longer the subject's own (Bangumi re-created its episodes)."""


class NotFound(ApiError):
    """404 from an API: for look-ups this usually means "no match"."""


class AccessDenied(ApiError):
    """403 that is not a token problem (missing User-Agent, unapproved app, scope)."""

    exit_code = EXIT_CONFIG


class AuthFlowError(TraktSyncError):
    """The Trakt device-code flow ended without a token (denied, expired, ...)."""

    exit_code = EXIT_NOPERM
