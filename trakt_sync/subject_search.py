"""``trakt-sync search``: Bangumi subjects by title (B.3), as plain rows with a link, so the
subject id every unmatched hint asks for is one command away."""

from __future__ import annotations

from typing import Any, Protocol

from trakt_sync.errors import InvalidValue
from trakt_sync.i18n import N_
from trakt_sync.i18n import subject_name as shown_name

# SubjectType (B.2), in the words the output uses.
TYPE_NAMES = {1: "book", 2: "anime", 3: "music", 4: "game", 6: "real"}
SUBJECT_URL = "https://bgm.tv/subject/{}"


class SubjectSearcher(Protocol):
    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]: ...


def subject_row(subject: dict[str, Any]) -> dict[str, Any]:
    """A subject as ``search`` shows it: id, type, names, air date, episodes and link."""
    subject_id = int(subject["id"])
    kind = subject.get("type")
    eps = subject.get("eps") or subject.get("total_episodes") or None
    return {
        "id": subject_id,
        "type": kind,
        "type_name": TYPE_NAMES.get(kind, "other") if isinstance(kind, int) else None,
        "name": subject.get("name") or "",
        "name_cn": subject.get("name_cn") or "",
        "date": subject.get("date") or None,
        "platform": subject.get("platform") or None,
        "eps": int(eps) if eps else None,
        "url": SUBJECT_URL.format(subject_id),
    }


def search_subjects(
    client: SubjectSearcher,
    title: str,
    *,
    limit: int = 10,
    types: list[int] | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Bangumi's best matches for ``title`` (anime and live action by default), at most
    ``limit`` (Bangumi answers 20 at most)."""
    title = title.strip()
    if not title:
        raise InvalidValue.said(N_("give a title to search for"))
    air_date = [f">={year}-01-01", f"<{year + 1}-01-01"] if year else None
    found = client.search_subjects(
        title, subject_types=types or [2, 6], air_date=air_date, limit=min(limit, 20)
    )
    return [subject_row(subject) for subject in found[:limit]]


def subject_name(subject: dict[str, Any]) -> str:
    """The one name a subject goes by in every command's output (``subject_names``): its
    original name, or its Chinese one to a person reading Chinese."""
    return shown_name(str(subject.get("name") or ""), str(subject.get("name_cn") or ""))
