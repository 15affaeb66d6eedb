"""Every sentence the matcher stores (a play's reason, an evidence line, why a candidate was
turned down, explain's path) is shown in Chinese: nothing English is left but names, ids,
keys and commands.

The texts are what the bench's worlds make the matcher say (``bench/worlds.py``, the
vendored bangumi-data sample: about a second), and, for producers those worlds never reach,
texts the matcher said in ``tests/matcher`` (copied verbatim) or formatted as their producer
formats them. Each template of ``trakt_sync/match_phrases.py`` must be met by one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bench.scoring import run
from bench.worlds import DEFAULT_SEED, MovieRequest, ShowRequest, build_worlds
from trakt_sync import i18n
from trakt_sync.match_phrases import in_order, pattern
from trakt_sync.reason_text import shown_reason

# Said by the matcher in tests/matcher (verbatim), where the bench's worlds do not go.
SAID_IN_TESTS = (
    "ambiguous",
    "no air date to check its start E1 against, and TMDB numbers 13 episode(s) E1-E13 where "
    "Bangumi lists 12 main episodes: one counted on one side only would put every number after "
    "it one off",
    "進撃の巨人 (55770) lists a recap (recap sort 13.5) as a main episode after ep 13, and no "
    "air date says whether TMDB counts it: E14 would be ep 14 (sort 14), or the one before it if "
    "TMDB does, so it is left unmarked",
    "bangumi-data links TMDB movie/372058 to 160209 but none could be confirmed; if one is "
    "right, add `trakt-sync map add movie:trakt:230001 <bangumi subject id>`",
    "title search 'テスト星人' found 'テスト星人 第2期' (title match once season words are set "
    "aside, naming season 2)",
    "E1 and E2 are both ep 1 (sort 1) (one Bangumi episode split in two on TMDB: same air day)",
    "compilation/re-edit: it re-airs episodes of another subject",
    "air date disagrees: Trakt 2022-10-01 / Bangumi 2022-10-15 (JST broadcast day)",
    "original title '地球外少年少女 前編' is the name of this one only; also fits: 363309",
    "override trakt:1501 S1E13- → subject 373267 from ep 10 maps S1E17 to ep 14, but "
    "SPY×FAMILY(第2クール) (373267) lists 13 episodes; fix the override",
    "S1E1 fits 2 Bangumi subjects equally (黒い環礁 (950001), 黒い環礁 第二幕 (950002)); pick "
    "one with `trakt-sync map add trakt:4005 S1E1 <bangumi subject id>`",
    "release dates too far apart: Trakt 2030-01-01 / Bangumi 2016-08-25",
    "its 前传 chain reaches '忍び物語' (920001), the show's own title",
    "E2 is the recap SP sort 1.5: its air date and title agree",
    "SP 'あの日から' aired the same day but its title differs",
    "title search '忍び物語' found '忍び物語～伊勢篇～' (partial title match)",
    "Bangumi lists no main episodes for it yet",
    "续集 chain from '化石語' (900051), found by title search '化石語'",
    "held: a half-sort recap lies before it",
    "released 0 day(s) apart; also fits: 425211 (110 days)",
    "Bangumi no longer has this subject",
    "续集 of ぼん日記 (930001), against a batch placement",
    "id start E1 overruled by air dates",
    "S1E7: ぼっち・ざ・ろっく！ (328609) lists a recap (recap sort 6.5) as a main episode after "
    "ep 6, and no air date says whether TMDB counts it: E7 would be ep 7 (sort 7), or the one "
    "before it if TMDB does, so it is left unmarked; if it is ep 7 (sort 7), confirm it with "
    "`trakt-sync map add trakt:3103 S1E7 328609 --start-ep 7`",
    "subject 373267 was merged into 999001",
    "several subjects fit",
    "ignored by override movie:tmdb:372058 → ignore",
    "ignored by override slug:spy-x-family S1 → ignore",
    "override trakt:1501 S1E13-E25 → subject 373267",
    "override movie:trakt:230000 → subject 436738",
)

# As their producers format them (module named), for what no test world says yet.
FORMATTED = (
    "weak",  # films.py
    "ぼっち・ざ・ろっく！ (328609) lists a recap as a main episode after ep 6, and no air "
    "date says whether TMDB counts it: E7 would be ep 7 (sort 7), or the one before it if TMDB "
    "does, so it is left unmarked",  # pieces.py
    "needs Trakt's air dates to be placed, which the export lacks: sync again with a Trakt "
    "client id configured or after `trakt-sync auth` (or map it with `trakt-sync map add`)",
    "no id source knows it and the export has no genres to tell an anime by: sync again with "
    "a Trakt client id configured or after `trakt-sync auth`",  # context.py
    "specials (S0) of 'SPY x FAMILY' are matched only through bangumi-data keys or overrides; "
    "add one with `trakt-sync map add trakt:185614 S0E1 <bangumi subject id>`",  # specials.py
    "one of S1E5-E6 has no Bangumi episode (TMDB counts one more); E7 on are shifted by one "
    "to ep 6",  # pieces.py
    "bangumi-data links S0E3 to 110049, 110050 but it could not be confirmed; if it is right, "
    "add `trakt-sync map add trakt:1429 S0E3 <bangumi subject id>`",  # specials.py
    "special S0E3 fits 2 Bangumi episodes; pick one with "
    "`trakt-sync map add trakt:1429 S0E3 <bangumi subject id>`",
    "special S0E3 has no air date to place it by; add "
    "`trakt-sync map add trakt:1429 S0E3 <bangumi subject id>`",
    "override trakt:1501 S1 → subject 373267: Bangumi has no subject 373267; fix the override",
    "no release date to confirm the title match",  # films.py
    "title search: '君の名は。' (partial title match)",
    "Bangumi has no anime subject with this id",  # context.py
    "it starts at E13 but has no episode there",  # placement.py
    "a film or compilation, not a TV season",
    "Trakt lists no episodes for season 2",  # stages/lists.py
    "Trakt lists no episodes for Frieren",
    "Bangumi lists no episodes for it",
    "S1E3 was not resolved; sync again",  # matcher.py
    "air date disagrees: Trakt 2022-10-01 / 2022-10-15",  # specials.py
    "not an anime (Bangumi type 3)",  # context.py
    "no release date to compare",
    "Bangumi no longer has it",
    "a film, not a TV season",
    "several specials fit",
    "film match '君の名は。' scored 0.55",
    "override movie:trakt:120 → subject 160209 from ep 2",
    # explain's path lines (matching/explain.py)
    "skipped: your override",
    "skipped: out of scope",
    "E1–E12 → 329906 SPY×FAMILY (bangumi-data key); E13–E25 → 373267 SPY×FAMILY(第2クール) "
    "(id table link)",
    "E1–E3 → 1 A (your override); E4–E5 → 2 B (franchise walk); E6 → 3 C (title search)",
)

# A service's answer the matcher could not read (stages/lists.py): its detail, the program's
# words for a field or a type, stays English.
UNREADABLE = (
    "Bangumi sent unreadable data for subject 5: its episode list is dict, not a list — "
    "Frieren left unmatched"
)

# Latin words a Chinese reader meets as they are: the services, Bangumi's fields and
# episode kinds, Trakt's genre words for anime, settings.
KEPT = {"Bangumi", "Trakt", "TMDB", "JST", "TV", "SP", "ep", "sort", "recap", "id", "imdb"}
KEPT |= {"tvdb", "anime", "donghua", "animation", "include_live_action", "client", "OAD"}
KEPT |= {"OVA", "bangumi-data"}


def _names() -> Iterator[str]:
    """Titles of every world: they are shown as they are."""
    for world in WORLDS:
        for sid in world.index.subject_ids():
            found = world.index.subject(sid)
            yield from found.titles if found is not None else ()
        for subject in world.bangumi.catalogue.subjects.values():
            yield from (str(subject.get("name") or ""), str(subject.get("name_cn") or ""))
        for request in world.requests:
            if isinstance(request, ShowRequest):
                what = request.show
            else:
                assert isinstance(request, MovieRequest)
                what = request.movie  # type: ignore[assignment]
            yield from (what.title, what.original_title or "")
    yield "Frieren"  # FORMATTED's show


WORLDS = build_worlds(DEFAULT_SEED)


@pytest.fixture(scope="module")
def said() -> tuple[list[str], list[str]]:
    """(what the matcher said, names that may appear in it)."""
    outcomes, _tallies = run(WORLDS)
    texts: set[str] = set()
    names = set(_names())
    for outcome in outcomes:
        result = outcome.result
        texts.update([result.reason, *result.evidence])
        for candidate in result.candidates:
            texts.add(str(candidate.get("why_rejected") or ""))
            names.add(str(candidate.get("name") or ""))
    texts.discard("")
    names.discard("")
    return sorted(texts) + [*SAID_IN_TESTS, *FORMATTED], sorted(names, key=len, reverse=True)


def english_words(shown: str, names: list[str]) -> list[str]:
    """The Latin words of ``shown`` that are not a name, id, key or command."""
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "", shown)
    for name in names:
        text = text.replace(name, "")
    text = re.sub(r"（[a-z, -]*）", "", text)  # Trakt's genres
    text = re.sub(r"\b(?:tv|movie)/\d+(?:/season/\d+(?:/episode/\d+)?)?", "", text)
    text = re.sub(r"\b[\w-]+:[\w:.-]+|\btt\d+\b", "", text)  # trakt:1, slug:x, tt123
    text = re.sub(r"(?<![A-Za-z])(?:S\d+)?E\d+|(?<![A-Za-z])S\d+", "", text)  # S1E2, E5, S0
    return [w for w in re.findall(r"[A-Za-z][\w-]*[A-Za-z]", text) if w not in KEPT]


def test_every_stored_sentence_comes_out_in_chinese(
    said: tuple[list[str], list[str]], chinese: None
) -> None:
    texts, names = said
    assert len(texts) > 500  # the bench's worlds were run
    left = {}
    for text in texts:
        words = english_words(shown_reason(text), names)
        if words:
            left[text] = (shown_reason(text), words)
    assert not left, "\n".join(f"{t}\n  → {s} {w}" for t, (s, w) in list(left.items())[:20])


def test_every_template_is_met(said: tuple[list[str], list[str]]) -> None:
    """A template nothing says would translate nothing: its producer was reworded."""
    texts = [*said[0], UNREADABLE]
    unmet = [t for t in in_order() if not any(pattern(t).search(text) for text in texts)]
    assert unmet == []


def test_english_is_shown_as_stored(said: tuple[list[str], list[str]]) -> None:
    texts, _names = said
    assert not i18n.is_chinese()
    assert all(shown_reason(text) == text for text in texts)


def test_a_reason_and_its_parts_in_chinese(chinese: None) -> None:
    reason = (
        "best guess for S1E13 is ep 1 (sort 13) of SPY×FAMILY(第2クール) (373267) but air date "
        "disagrees: Trakt 2022-10-01 / Bangumi 2022-10-08 (JST broadcast day); if it is right, "
        "confirm it with `trakt-sync map add trakt:1 S1E13 373267`"
    )
    assert shown_reason(reason) == (
        "S1E13 最可能是 SPY×FAMILY(第2クール)（373267）的 ep 1 (sort 13)，但播出日期不一致："
        "Trakt 2022-10-01 / Bangumi 2022-10-08（日本时间播出日）；如果正确，请用 "
        "`trakt-sync map add trakt:1 S1E13 373267` 确认"
    )


def test_unreadable_data_keeps_its_technical_detail(chinese: None) -> None:
    assert shown_reason(UNREADABLE) == (
        "Bangumi 发来的 subject 5 数据无法读取：its episode list is dict, not a list —— "
        "Frieren 未匹配"
    )
