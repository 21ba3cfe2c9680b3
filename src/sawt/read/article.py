"""Read an article file (.md, .txt, .html) into an Article (title, byline, blocks)."""

from __future__ import annotations

import re
import stat
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import BaseModel, ConfigDict, field_validator

from sawt.config.artwork import read_image_info
from sawt.config.yamlfile import line_of, parse_yaml, validate
from sawt.errors import InputError
from sawt.models import Image, LexiconEntry, Link
from sawt.read.document import Article, Block, BlockKind
from sawt.read.encoding import decode_text
from sawt.text.normalize import Boilerplate
from sawt.text.tidy import tidy
from sawt.text.web import check_language, check_web_url, parse_date

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm")
MAX_BYTES = 20_000_000


class FrontMatter(BaseModel):
    """Recognised front matter keys; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = None
    author: str | None = None
    date: str | None = None
    source_url: str | None = None
    slug: str | None = None
    image: str | None = None
    image_alt: str | None = None
    engine: str | None = None  # this article's engine (the command line's --engine wins)
    voice: str | None = None  # that engine's voice for this article
    language: str | None = None
    lexicon: tuple[LexiconEntry, ...] = ()

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, str) and parse_date(value) is None:
            raise ValueError(f"'{value}' is not a date (write YYYY-MM-DD)")
        return value

    @field_validator("source_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        return check_web_url(value) if value is not None else None

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        return check_language(value) if value and value.strip() else None

    @field_validator("title", "author", "slug", "language", mode="before")
    @classmethod
    def _scalar_text(cls, value: object) -> object:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value


def read_article(path: Path, boilerplate: Boilerplate | None = None) -> Article:
    """Read ``path`` into an Article; raise InputError naming the file on bad input.

    Lines matching ``boilerplate`` ("اقرأ أيضا", share buttons, photo credits) are dropped.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            f"unsupported file type '{path.suffix or '(none)'}'",
            path=path,
            hint=f"sawt reads {', '.join(SUPPORTED)}",
        )
    text = load_text(path)
    if suffix in (".html", ".htm"):
        from sawt.read.webpage import parse_html  # trafilatura loads in 0.3 s: only when needed

        return _has_words(parse_html(text, path, boilerplate))
    if boilerplate is not None:
        text = boilerplate.blank_lines(text)
    if suffix == ".txt":
        return _has_words(parse_text(text, path))
    return _has_words(parse_markdown(text, path))


_WORD = re.compile(r"[^\W_]")


def _has_words(article: Article) -> Article:
    """``article`` if its body has a letter or digit to say; else InputError.

    Punctuation, symbols and markup alone would publish an episode of silence.
    """
    if not any(b.kind == "paragraph" and _WORD.search(b.text) for b in article.blocks):
        raise InputError(
            "nothing to read: no paragraph holds a letter or a digit", path=article.path
        )
    return article


def load_text(path: Path) -> str:
    """Read a file as text, refusing binary or empty files with a clear error."""
    raw = load_bytes(path)
    text = decode_text(raw, path).replace("\r\n", "\n").replace("\r", "\n")
    if not tidy(text):
        raise InputError("file is empty", path=path)
    return text


def load_bytes(path: Path) -> bytes:
    """An article file's bytes: a regular file only, at most MAX_BYTES (else InputError)."""
    try:
        if path.is_dir():
            raise InputError("is a folder, not an article file", path=path)
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            # A FIFO would block forever, /dev/zero would never end.
            raise InputError("is not a regular file (a device, FIFO or socket)", path=path)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # the size may change between stat and read
        if len(raw) > MAX_BYTES:
            raise InputError(f"file is too large (over {MAX_BYTES} bytes)", path=path)
    except FileNotFoundError as exc:
        raise InputError("file not found", path=path) from exc
    except PermissionError as exc:
        raise InputError("permission denied", path=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=path) from exc
    return raw


# ---------------------------------------------------------------- plain text

_SENTENCE_END = re.compile(r"[.!?؟؛;:،,]$")


def _is_header_line(line: str) -> bool:
    return len(line) <= 160 and len(line.split()) <= 20 and not _SENTENCE_END.search(line)


def parse_text(text: str, path: Path) -> Article:
    """Parse a scraped plain-text article: kicker?, headline, source?, then paragraphs."""
    paras: list[tuple[str, int]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: list[str] = []
    start = 0
    for number, raw in enumerate([*lines, ""], start=1):
        line = tidy(raw)
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            paras.append((" ".join(current) if len(current) > 1 else current[0], start))
            current = []
    # A file without blank lines is one paragraph per line.
    if len(paras) == 1 and "\n" in text.strip():
        paras = [(tidy(raw), n) for n, raw in enumerate(lines, start=1) if tidy(raw)]

    if not paras:  # every line was boilerplate
        raise InputError("no paragraphs to read", path=path)
    head: list[tuple[str, int]] = []
    for para, line_no in paras[:4]:
        if not _is_header_line(para):
            break
        head.append((para, line_no))
    title, author, used = _title_and_source([p for p, _ in head])
    if title is None:
        first = paras[0][0]
        title = first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…"
        used = 0
    body = tuple(Block("paragraph", p, n) for p, n in paras[used:])
    if not body:  # a headline (and a source line) alone
        raise InputError("no paragraphs to read, only a headline", path=path)
    return Article(path=path, title=title, author=author, blocks=body)


def _check_image(article: Path, image: str, line: int) -> None:
    # An episode's picture: relative to the article, PNG or JPEG, and there.
    target = article.parent / image
    try:
        if not target.is_file():
            raise InputError(
                f"image '{image}' not found (looked for {target})", path=article, line=line
            )
        info = read_image_info(target)
    except OSError as exc:  # a name too long, unreadable
        why = exc.strerror or str(exc)
        raise InputError(f"image '{image}' cannot be read: {why}", path=article, line=line) from exc
    if info is None:
        raise InputError(f"image '{image}' is neither PNG nor JPEG", path=article, line=line)


def _title_and_source(head: list[str]) -> tuple[str | None, str | None, int]:
    """Pick the headline (not a one-word kicker) and a source line from header lines."""
    if not head:
        return None, None, 0
    if len(head) >= 2 and len(head[0].split()) <= 2 and len(head[1]) > len(head[0]):
        kicker_skipped = head[1:]
        offset = 1
    else:
        kicker_skipped = head
        offset = 0
    title = kicker_skipped[0]
    if len(kicker_skipped) >= 2 and len(kicker_skipped[1].split()) <= 6:
        return title, kicker_skipped[1], offset + 2
    return title, None, offset + 1


# ------------------------------------------------------------------ markdown

_MD = MarkdownIt("commonmark").use(front_matter_plugin).enable("table")


def parse_markdown(text: str, path: Path) -> Article:
    """Parse Markdown with optional YAML front matter into an Article."""
    tokens = _MD.parse(text)
    meta = FrontMatter()
    if tokens and tokens[0].type == "front_matter":
        data, node = parse_yaml(tokens[0].content, path, line_offset=1)
        if data is not None and not isinstance(data, dict):
            raise InputError("front matter must be a YAML mapping", path=path, line=2)
        meta = validate(FrontMatter, data, node, path, line_offset=1)
        if meta.image:
            _check_image(path, meta.image, (line_of(node, ["image"]) or 1) + 1)

    title: str | None = None
    blocks: list[Block] = []
    list_items: list[str] = []
    depth_list = 0
    list_line = 0
    links: list[Link] = []
    images: list[Image] = []  # waiting for the block they belong to

    def add(kind: BlockKind, text: str, line: int) -> None:
        blocks.append(Block(kind, text, line, tuple(links), tuple(images)))
        links.clear()
        images.clear()

    for i, tok in enumerate(tokens):
        line = tok.map[0] + 1 if tok.map else 0
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            if depth_list == 0:
                list_items, list_line = [], line
            depth_list += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth_list -= 1
            if depth_list == 0 and list_items:
                add("paragraph", "\n".join(list_items), list_line)
        elif tok.type == "inline":
            content = tidy(_inline_text(tok.children or []))
            opener = tokens[i - 1]
            if opener.tag == "h1" and title is None and content and not blocks:
                title = content
                continue
            found_links, found_images = _inline_media(tok.children or [])
            images.extend(found_images)
            if not content:
                continue
            links.extend(found_links)
            if opener.type == "heading_open":
                add("heading", content, line)
            elif depth_list:
                list_items.append(content)
            elif opener.type == "paragraph_open":
                add("paragraph", content, line)
            else:
                links.clear()  # table cells and other inline containers are not read aloud
    if images and blocks:
        last = blocks[-1]
        blocks[-1] = replace(last, images=(*last.images, *images))
    if meta.title:
        title = tidy(meta.title) or None
    if title is None:
        first = next((b for b in blocks if b.kind == "paragraph"), None)
        if first is None:
            raise InputError("no title and no text to read", path=path)
        title = first.text.split("\n")[0][:160]
    if not any(b.kind == "paragraph" for b in blocks):
        raise InputError("no paragraphs to read", path=path)
    return Article(
        path=path,
        title=title,
        blocks=tuple(blocks),
        author=tidy(meta.author) or None if meta.author else None,
        date=meta.date,
        source_url=meta.source_url,
        slug=meta.slug,
        image=str((path.parent / meta.image).resolve()) if meta.image else None,
        image_alt=tidy(meta.image_alt) or None if meta.image_alt else None,
        language=meta.language or "ar",
        engine=meta.engine,
        voice=meta.voice,
        lexicon=meta.lexicon,
    )


def _inline_text(children: list[Token]) -> str:
    """Readable text of an inline token: link text kept, images/HTML/markup dropped."""
    out: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        # image, html_inline and markup tokens (em, strong, link_open…) add nothing
    return "".join(out)


def _inline_media(children: list[Token]) -> tuple[list[Link], list[Image]]:
    """The links (visible text, href) and images (src, alt) of an inline token."""
    links: list[Link] = []
    images: list[Image] = []
    href: str | None = None
    text: list[str] = []
    for child in children:
        if child.type == "link_open":
            href, text = str(child.attrs.get("href") or ""), []
        elif child.type == "link_close" and href is not None:
            label = tidy("".join(text))
            if href and label:
                links.append(Link(label, href))
            href = None
        elif child.type == "image":
            alt = tidy(_inline_text(child.children or []))
            images.append(Image(str(child.attrs.get("src") or ""), alt))
        elif href is not None:
            text.append(_inline_text([child]))
    return links, images
