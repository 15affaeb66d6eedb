"""What the page's buttons do: the same core calls as ``map add`` and ``auth bangumi``."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trakt_sync.errors import NeedsAuth

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
        return MapResult(str(exc), ok=False)
    added, retried = add_override(rt.store, override)
    message = (
        f"{'Added' if added else 'Already present'}: {override.describe()} "
        f"({retried} play(s) will be resolved again on the next sync)"
    )
    if found is not None and (found.show_title or found.subject_name):
        message += "; checked: " + " → ".join(
            n for n in (found.show_title, found.subject_name) if n
        )
    resolved = []
    kind, _, ref = show.partition(":")
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
                lines.append(f"{head} → subject {ep['subject_id']} ({ep['source']})")
            else:
                lines.append(f"{head}: {ep['status']} — {ep.get('reason') or ''}".rstrip(" —"))
    return lines


def login_bangumi(rt: Runtime, token: str) -> str:
    """``auth bangumi``: the token is checked with ``/v0/me`` and stored; the message
    never holds it."""
    from trakt_sync.accounts import login_bangumi as store_token

    token = token.strip()
    if not token:
        return "The token is empty."
    rt.secrets.add(token)
    with closing(rt.bangumi_client(token)) as client:
        try:
            saved = store_token(client, rt.tokens, token)
        except NeedsAuth:
            return "Bangumi refused this token (expired, revoked or mistyped)."
    return f"Logged in to Bangumi as {saved.username} (token in {rt.tokens.backend_name})."
