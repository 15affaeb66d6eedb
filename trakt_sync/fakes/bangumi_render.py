"""JSON shapes of the fake Bangumi v0 API (contract B.4–B.8, ``bangumi-openapi-v0.yaml``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

Obj = dict[str, Any]

CST = timezone(timedelta(hours=8))  # bgm.tv renders collection times in +08:00
TYPE_NAMES = {1: "书籍", 2: "动画", 3: "音乐", 4: "游戏", 6: "三次元"}


def images(subject_id: int) -> Obj:
    return {
        size: f"https://lain.bgm.tv/pic/cover/{size[0]}/00/00/{subject_id}.jpg"
        for size in ("large", "common", "medium", "small", "grid")
    }


def rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, CST).isoformat()


def _duration(seconds: int) -> str:
    if seconds <= 0:
        return ""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def episode(subject_id: int, ep: Obj) -> Obj:
    seconds = int(ep.get("duration_seconds", 0))
    return {
        "id": ep["id"],
        "type": ep["type"],
        "name": ep["name"],
        "name_cn": ep["name_cn"],
        "sort": ep["sort"],
        "ep": ep["ep"],
        "airdate": ep["airdate"],
        "comment": ep.get("comment", 0),
        "duration": ep.get("duration", _duration(seconds)),
        "desc": ep.get("desc", ""),
        "disc": ep.get("disc", 0),
        "subject_id": subject_id,
        "duration_seconds": seconds,
    }


def subject(s: Obj, counts: Obj) -> Obj:
    rating = s.get("rating") or {
        "rank": 0,
        "total": 0,
        "count": {str(i): 0 for i in range(1, 11)},
        "score": 0,
    }
    return {
        "id": s["id"],
        "type": s.get("type", 2),
        "name": s["name"],
        "name_cn": s.get("name_cn", ""),
        "summary": s.get("summary", ""),
        "series": s.get("series", False),
        "nsfw": s.get("nsfw", False),
        "locked": s.get("locked", False),
        "date": s.get("date"),
        "platform": s.get("platform"),
        "images": images(s["id"]),
        "infobox": s.get("infobox", []),
        "volumes": s.get("volumes", 0),
        "eps": s.get("eps", sum(1 for e in s["episodes"] if e["type"] == 0)),
        "total_episodes": len(s["episodes"]),
        "rating": rating,
        "collection": counts,
        "meta_tags": s.get("meta_tags", []),
        "tags": s.get("tags", []),
    }


def slim_subject(s: Obj, collection_total: int) -> Obj:
    full = subject(s, {})
    return {
        "id": full["id"],
        "type": full["type"],
        "name": full["name"],
        "name_cn": full["name_cn"],
        "short_summary": full["summary"][:120],
        "date": full["date"],
        "images": full["images"],
        "volumes": full["volumes"],
        "eps": full["eps"],
        "collection_total": collection_total,
        "score": full["rating"]["score"],
        "rank": full["rating"]["rank"],
        "tags": full["tags"][:10],
    }


def related(target: Obj, relation: str) -> Obj:
    return {
        "id": target["id"],
        "type": target.get("type", 2),
        "name": target["name"],
        "name_cn": target.get("name_cn", ""),
        "images": images(target["id"]),
        "relation": relation,
    }


def titles(s: Obj) -> list[str]:
    """Strings search matches on: name, name_cn, infobox 中文名 and 别名 (contract B.3/B.4)."""
    out = [s["name"], s.get("name_cn", "")]
    for item in s.get("infobox", []):
        if item.get("key") not in ("中文名", "别名"):
            continue
        value = item.get("value")
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out += [v["v"] for v in value if isinstance(v, dict) and "v" in v]
    return [t for t in out if t]


def me(user: Obj) -> Obj:
    username = user["username"]
    return {
        "id": user["id"],
        "username": username,
        "nickname": user.get("nickname", username),
        "user_group": user.get("user_group", 10),
        "avatar": {
            size: f"https://lain.bgm.tv/pic/user/{size[0]}/000/00/00/{user['id']}.jpg"
            for size in ("large", "medium", "small")
        },
        "sign": user.get("sign", ""),
        "url": f"https://bgm.tv/user/{username}",
        "email": user.get("email", f"{username}@example.invalid"),
        "reg_time": user.get("reg_time", "2017-12-03T08:51:16+08:00"),
        "time_offset": user.get("time_offset", 8),
    }
