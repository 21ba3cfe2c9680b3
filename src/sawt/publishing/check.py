"""`sawt check`: the published feed against Apple's requirements and the files on disk."""

from __future__ import annotations

import ipaddress
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sawt.config import Settings
from sawt.config.artwork import artwork_problems
from sawt.config.categories import APPLE_CATEGORIES
from sawt.publishing.catalog import scan
from sawt.publishing.feed import FEED_NAME, ITUNES_NS, PODCAST_NS
from sawt.publishing.outputs import outputs
from sawt.text.web import encode_url

ATOM_NS = "http://www.w3.org/2005/Atom"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS}


def check(settings: Settings) -> list[str]:
    """Every problem found, one message each (empty list: all good)."""
    episodes = settings.episodes_path()
    feed_path = episodes / FEED_NAME
    if not feed_path.is_file():
        return [f"{feed_path}: no feed; run `sawt feed`"]
    try:
        declared = {p: uri for _, (p, uri) in ET.iterparse(feed_path, events=("start-ns",))}
        root = ET.parse(feed_path).getroot()
    except ET.ParseError as exc:
        return [f"{feed_path}: not well-formed XML: {exc}"]
    problems = _base_url_problems(settings)
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return [*problems, f"{feed_path}: not an RSS 2.0 document"]
    for prefix, uri in (("itunes", ITUNES_NS), ("podcast", PODCAST_NS)):
        if declared.get(prefix) != uri:
            problems.append(f"{feed_path}: namespace {prefix} ({uri}) is not declared")
    problems += _channel_problems(channel, settings)
    problems += _artwork(channel, settings, episodes)
    problems += _items(channel, settings, episodes)
    return [p if p.startswith(str(episodes)) else f"{feed_path}: {p}" for p in problems]


def _base_url_problems(settings: Settings) -> list[str]:
    host = urlsplit(settings.base_url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host.endswith(".localhost")
    if local:
        return [
            f"base_url {settings.base_url} is a local address: podcast apps elsewhere "
            "cannot reach it; set base_url in podcast.yaml"
        ]
    return []


def _text(parent: Any, path: str) -> str:
    node = parent.find(path, NS)
    return (node.text or "").strip() if node is not None else ""


def _channel_problems(channel: Any, settings: Settings) -> list[str]:
    problems = []
    for tag in ("title", "description", "language", "link"):
        if not _text(channel, tag):
            problems.append(f"channel has no <{tag}> (Apple requires it)")
    if _text(channel, "itunes:explicit") not in ("true", "false"):
        problems.append("channel itunes:explicit must be true or false")
    cats = channel.findall("itunes:category", NS)
    if not cats:
        problems.append("channel has no itunes:category (Apple requires one)")
    for cat in cats:
        name = cat.get("text", "")
        if name not in APPLE_CATEGORIES:
            problems.append(f"itunes:category '{name}' is not one of Apple's categories")
            continue
        for sub in cat.findall("itunes:category", NS):
            if sub.get("text") not in APPLE_CATEGORIES[name]:
                problems.append(f"'{sub.get('text')}' is not an Apple subcategory of {name}")
    if not _text(channel, "itunes:owner/itunes:email"):
        problems.append("channel has no itunes:owner e-mail (set owner.email in podcast.yaml)")
    elif _placeholder_email(_text(channel, "itunes:owner/itunes:email")):
        problems.append(
            f"itunes:owner e-mail {_text(channel, 'itunes:owner/itunes:email')} is a placeholder: "
            "set owner.email in podcast.yaml to an address you read"
        )
    selfs = [a for a in channel.findall("atom:link", NS) if a.get("rel") == "self"]
    if not selfs or selfs[0].get("href") != encode_url(settings.feed_url()):
        problems.append(f"atom:link rel=self should be {encode_url(settings.feed_url())}")
    if not _text(channel, "podcast:guid"):
        problems.append("channel has no podcast:guid")
    return problems


def local_file(url: str, settings: Settings, episodes: Path) -> Path | None:
    """The file in episodes/ a feed URL points at; None when outside base_url or episodes/."""
    base = encode_url(settings.base_url)
    if not url.startswith(base):
        return None
    rel = unquote(urlsplit(url[len(base) :]).path)
    path = (episodes / rel).resolve()
    return path if path.parent == episodes.resolve() else None


def _artwork(channel: Any, settings: Settings, episodes: Path) -> list[str]:
    image = channel.find("itunes:image", NS)
    if image is None or not image.get("href"):
        return ["channel has no itunes:image (Apple requires 1400–3000 px artwork)"]
    path = local_file(image.get("href"), settings, episodes)
    if path is None:
        return [f"itunes:image {image.get('href')} is not under base_url {settings.base_url}"]
    if not path.is_file():
        return [f"{path}: artwork file is missing"]
    return [f"{path}: {p}" for p in artwork_problems(path)]


def _placeholder_email(email: str) -> bool:
    # RFC 2606 keeps these domains for examples: no one reads mail sent there.
    domain = email.rsplit("@", 1)[-1].lower()
    reserved = ("example.org", "example.com", "example.net", "example", "invalid", "test")
    return any(domain == r or domain.endswith("." + r) for r in reserved)


def _items(channel: Any, settings: Settings, episodes: Path) -> list[str]:
    problems: list[str] = []
    if not channel.findall("item"):
        problems.append("the feed has no episodes (Apple rejects an empty feed); run `sawt render`")
    guids: set[str] = set()
    for n, item in enumerate(channel.findall("item"), 1):
        title = _text(item, "title") or f"item {n}"
        where = f"episode '{title}'"
        guid = _text(item, "guid")
        if not guid:
            problems.append(f"{where}: no guid")
        elif guid in guids:
            problems.append(f"{where}: guid {guid} is used twice")
        guids.add(guid)
        if not _text(item, "pubDate"):
            problems.append(f"{where}: no pubDate")
        if not _text(item, "itunes:duration").isdigit():
            problems.append(f"{where}: itunes:duration should be whole seconds")
        problems += _enclosure(item, where, settings, episodes)
        problems += _side_files(item, where, settings, episodes)
    problems += _catalog(episodes, guids)
    return problems


def _enclosure(item: Any, where: str, settings: Settings, episodes: Path) -> list[str]:
    enc = item.find("enclosure")
    if enc is None:
        return [f"{where}: no enclosure (Apple requires one)"]
    url, length = enc.get("url", ""), enc.get("length", "")
    problems = []
    if enc.get("type") != "audio/mpeg":
        problems.append(f"{where}: enclosure type is {enc.get('type')}, not audio/mpeg")
    path = local_file(url, settings, episodes)
    if path is None:
        return [*problems, f"{where}: enclosure {url} is not under base_url {settings.base_url}"]
    if not path.is_file():
        return [*problems, f"{path}: audio file is missing (enclosure of {where})"]
    size = path.stat().st_size
    if not length.isdigit() or int(length) != size:
        problems.append(f"{path}: enclosure length {length} ≠ file size {size} bytes ({where})")
    return problems


def _side_files(item: Any, where: str, settings: Settings, episodes: Path) -> list[str]:
    problems = []
    links = item.findall("podcast:transcript", NS) + item.findall("podcast:chapters", NS)
    for link in links:
        path = local_file(link.get("url", ""), settings, episodes)
        if path is None or not path.is_file():
            problems.append(f"{where}: {link.get('url')} is missing")
        elif path.name.endswith(".chapters.json") and not _valid_json_chapters(path):
            problems.append(f"{path}: not a valid JSON chapters file")
    if not links:
        problems.append(f"{where}: no podcast:transcript or podcast:chapters")
    return problems


def _valid_json_chapters(path: Path) -> bool:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(data, dict)
        and isinstance(data.get("chapters"), list)
        and bool(data.get("version"))
    )


def _catalog(episodes: Path, guids: set[str]) -> list[str]:
    catalog = scan(episodes)
    problems = [f"{path}: {why}" for path, why in catalog.broken]
    stale = [r.slug for r in catalog.records if r.guid not in guids]
    if stale:
        problems.append(f"feed lacks {', '.join(stale)}: it is out of date; run `sawt feed`")
    for r in catalog.records:
        mp3 = episodes / r.audio.file
        if mp3.is_file() and mp3.stat().st_size != r.audio.bytes:
            problems.append(
                f"{mp3}: {mp3.stat().st_size} bytes, but its record says {r.audio.bytes}: "
                f"a render was interrupted; run `sawt render` on that article again"
            )
    recorded = {r.audio.file for r in catalog.records}
    for mp3 in sorted(episodes.glob("*.mp3")):
        if mp3.name not in recorded:
            problems.append(f"{mp3}: audio with no episode record (not in the feed)")
    for record in catalog.records:
        for output in outputs():
            if output.per_episode and not output.path(episodes, record.slug).is_file():
                problems.append(
                    f"{output.path(episodes, record.slug)}: {output.name} of episode "
                    f"'{record.slug}' is missing; run `sawt feed`"
                )
    return problems
