"""What the page's buttons do: the same core calls as ``map add`` and ``auth bangumi``."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trakt_sync.errors import NeedsAuth, TraktSyncError
from trakt_sync.i18n import _
from trakt_sync.reason_text import shown_reason
from trakt_sync.words import PLAY_WORDS, source_word

if TYPE_CHECKING:
    from trakt_sync.runtime import Runtime


@dataclass
class MapResult:
    message: str
    ok: bool
    # How the season resolves now, from the matcher (``explain``): "S1E1 → subject …".
    resolved: list[str] = field(default_factory=list)


def map_group(
    rt: Runtime,
    show: str,
    episodes: str | None,
    target: str,
    start_ep: int = 1,
    *,
    check: bool = True,
) -> MapResult:
    """``map add SHOW [EPISODES] SUBJECT_ID|ignore [--start-ep N]``: checked online like
    ``map add``, written, and the season resolved again at once to show what it becomes."""
    from trakt_sync.mapping_ops import add_override, check_override, parse_override
    from trakt_sync.matching.explain import explain_show

    args = ([episodes] if episodes else []) + [target.strip()]
    try:
        override = parse_override(show, args, start_ep)
        found = check_override(override, rt.bangumi, rt.trakt) if check else None
    except ValueError as exc:
        shown = exc.translated() if isinstance(exc, TraktSyncError) else shown_reason(str(exc))
        return MapResult(shown, ok=False)
    added, retried = add_override(rt.store, override)
    template = (
        _("Added: {override} ({count} play(s) will be resolved again on the next sync)")
        if added
        else _(
            "Already present: {override} ({count} play(s) will be resolved again on the next sync)"
        )
    )
    message = template.format(override=override.describe(_), count=retried)
    if found is not None and (found.show_title or found.subject_name):
        names = " → ".join(n for n in (found.show_title, found.subject_name) if n)
        message += _("; ") + _("checked: {names}").format(names=names)
    resolved = []
    kind, _colon, ref = show.partition(":")
    if not override.ignore and not override.is_movie and kind in ("trakt", "slug"):
        explained = explain_show(rt.resolver(), rt.trakt, ref, override.season, None)
        resolved = resolved_lines(explained)
    return MapResult(message, ok=True, resolved=resolved)


def resolved_lines(explained: dict[str, Any]) -> list[str]:
    """One line per episode from ``explain --json``: ``S1E3 → subject 12345 (override)``."""
    lines = []
    for trace in explained.get("seasons", []):
        for ep in trace["episodes"]:
            head = f"S{trace['season']}E{ep['number']}"
            if ep["status"] == "matched":
                lines.append(
                    head
                    + _(" → subject {subject} ({source})").format(
                        subject=ep["subject_id"], source=source_word(ep["source"])
                    )
                )
            else:
                status = _(PLAY_WORDS.get(ep["status"], ep["status"]))
                reason = shown_reason(ep.get("reason") or "")
                lines.append(f"{head}: {status} — {reason}".rstrip(" —"))
    return lines


def login_bangumi(rt: Runtime, token: str) -> tuple[bool, str]:
    """``auth bangumi``: the token is checked with ``/v0/me`` and stored; (logged in, the
    message), which never holds the token."""
    from trakt_sync.accounts import login_bangumi as store_token

    token = token.strip()
    if not token:
        return False, _("The token is empty.")
    rt.secrets.add(token)
    with closing(rt.bangumi_client(token)) as client:
        try:
            saved = store_token(client, rt.tokens, token)
        except NeedsAuth:
            return False, _("Bangumi refused this token (expired, revoked or mistyped).")
    return True, _("Logged in to Bangumi as {user} (token in {backend}).").format(
        user=saved.username, backend=rt.tokens.backend_name
    )
